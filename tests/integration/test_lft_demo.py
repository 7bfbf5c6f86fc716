"""The demo world has an open LFT cycle with a queue for every role, and every state."""

from __future__ import annotations

import sqlalchemy as sa

from esp_registry.extensions import db
from esp_registry.lft.models import LftApplication, LftCycle, LftEvent, LftStatus
from esp_registry.seeding import seed_demo


def test_demo_has_applications_in_every_state_and_is_idempotent(ctx):
    seed_demo()
    statuses = set(db.session.scalars(sa.select(LftApplication.status)))
    assert statuses == set(LftStatus)
    open_cycles = [c for c in db.session.scalars(sa.select(LftCycle)) if not c.decision_released]
    assert len(open_cycles) == 1
    in_open = db.session.execute(
        sa.select(LftApplication.status, sa.func.count(sa.distinct(LftApplication.affiliate_id)))
        .where(LftApplication.cycle_id == open_cycles[0].id)
        .group_by(LftApplication.status)
    ).all()
    assert {s for s, _n in in_open} >= {"draft", "submitted", "endorsed", "declined"}
    counts = (
        db.session.scalar(sa.select(sa.func.count()).select_from(LftApplication)),
        db.session.scalar(sa.select(sa.func.count()).select_from(LftEvent)),
    )
    seed_demo()
    db.session.expire_all()
    assert counts == (
        db.session.scalar(sa.select(sa.func.count()).select_from(LftApplication)),
        db.session.scalar(sa.select(sa.func.count()).select_from(LftEvent)),
    )


def test_demo_approver_and_admin_see_their_queues(ctx, client, actions):
    seed_demo()
    cycle = db.session.scalar(sa.select(LftCycle).where(LftCycle.decision_released.is_(False)))
    actions.sign_in("approver.oh@example.org", "esp-demo-2026")
    queue = client.get(f"/lft/cycles/{cycle.id}/queue").get_data(as_text=True)
    assert "Tom Nguyen" in queue and "Grace Okafor" in queue and "James Carter" not in queue
    actions.sign_out()
    actions.sign_in("admin@example.org", "esp-demo-2026")
    review = client.get(f"/lft/cycles/{cycle.id}/review").get_data(as_text=True)
    assert "James Carter" in review and "Derek Owens" in review and "Tom Nguyen" not in review
