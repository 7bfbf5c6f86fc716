"""The award of a micro-credential: the attempt is marked awarded and its certificate (a
Certificate of the micro-credential kind, with a verification code) is issued, in the
transaction of the decision that awarded it. The PDF, transcript line, credit and badge
read that certificate."""

from __future__ import annotations

from datetime import datetime

from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import new_code
from esp_registry.extensions import db
from esp_registry.microcredentials.models import Attempt, AttemptStatus


def award(attempt: Attempt, now: datetime) -> Certificate:
    """Award `attempt` and issue its certificate. Flushes, never commits (the decision that
    awards it does, with its audit row and e-mail)."""
    attempt.status = AttemptStatus.AWARDED
    attempt.awarded_at = now
    certificate = Certificate(
        microcredential_attempt_id=attempt.id,
        code=new_code(),
        member_name=attempt.user.full_name,
        hours=attempt.microcredential.credit_hours,
        issued_at=now,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate
