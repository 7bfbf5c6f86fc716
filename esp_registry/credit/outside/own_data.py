"""A member's outside training in "download all my data" and when they close their account
(PRODUCT §12): the export lists every request; closing removes the description and the
proof files (certificates with the person's name on them), declines what still waits, and
keeps approved credit as the record of what happened."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.credit.outside.models import OutsideStatus, OutsideTraining
from esp_registry.extensions import db
from esp_registry.files import storage

EXPORTED = [
    "kind",
    "status",
    "provider",
    "title",
    "description",
    "starts_on",
    "ends_on",
    "hours",
    "approved_hours",
    "decision_note",
    "created_at",
    "decided_at",
]
CLOSED = "The member closed their account."


def exported(user: User, row: Any) -> list[dict[str, Any]]:
    """Every outside-training request of `user` (one query), each as `row(obj, fields)`."""
    found = db.session.scalars(
        sa.select(OutsideTraining)
        .where(OutsideTraining.user_id == user.id)
        .order_by(OutsideTraining.created_at, OutsideTraining.id)
    )
    return [{**row(t, EXPORTED), "has_proof": t.proof_key is not None} for t in found]


def forget(user: User, now: datetime) -> list[str]:
    """Clear the descriptions and decline what waits, in the caller's transaction; the
    proof keys to delete once it commits (a file is never gone while its row still shows)."""
    keys = list(
        db.session.scalars(
            sa.select(OutsideTraining.proof_key).where(
                OutsideTraining.user_id == user.id, OutsideTraining.proof_key.is_not(None)
            )
        )
    )
    db.session.execute(
        sa.update(OutsideTraining)
        .where(OutsideTraining.user_id == user.id, OutsideTraining.status == OutsideStatus.PENDING)
        .values(status=OutsideStatus.DECLINED, decided_at=now, decision_note=CLOSED)
    )
    db.session.execute(
        sa.update(OutsideTraining).where(OutsideTraining.user_id == user.id).values(description="")
    )
    return [key for key in keys if key]


def delete_proofs(keys: list[str]) -> None:
    for key in keys:
        storage.delete(key)
