"""The audit trail of micro-credential attempts: one row per state change."""

from __future__ import annotations

from datetime import datetime

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.microcredentials.models import (
    Attempt,
    MicrocredentialAction,
    MicrocredentialEvent,
    Submission,
)


def record(
    attempt: Attempt,
    action: MicrocredentialAction,
    actor: User | None,
    now: datetime,
    *,
    submission: Submission | None = None,
    note: str = "",
) -> None:
    """Add the audit row (committed with the change it records)."""
    db.session.add(
        MicrocredentialEvent(
            attempt_id=attempt.id,
            submission_id=submission.id if submission is not None else None,
            actor_id=actor.id if actor is not None else None,
            action=action,
            note=note[:500],
            created_at=now,
        )
    )
