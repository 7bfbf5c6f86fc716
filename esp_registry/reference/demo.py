"""Demo locals: the ones the demo people typed, and a few more in Ohio to rename and merge."""

from __future__ import annotations

import sqlalchemy as sa

from esp_registry.extensions import db
from esp_registry.reference import rules
from esp_registry.reference.models import Affiliate, Local

# "Columbus EA" is how some members write "Columbus Education Association": merge them.
OHIO_LOCALS = ("Columbus EA", "Akron Education Association", "Dayton Education Association")


def seed_reference_demo() -> None:
    ohio = db.session.scalar(sa.select(Affiliate).where(Affiliate.code == "OH"))
    if ohio is not None:
        known = set(db.session.scalars(sa.select(Local.name).where(Local.affiliate_id == ohio.id)))
        db.session.add_all(
            Local(affiliate_id=ohio.id, name=name) for name in OHIO_LOCALS if name not in known
        )
        db.session.commit()
    rules.record_locals_in_use()
