"""Awarded micro-credentials for tests: the assessment flow is built elsewhere, so the
attempt is made directly and award() called, as the decision that awards it does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.microcredentials import award as awards
from esp_registry.microcredentials.models import Attempt, AttemptStatus, Microcredential
from tests import factories

AWARDED = datetime(2025, 5, 20, 14, tzinfo=UTC)


def awarded(
    member: User,
    name: str = "Positive Behavior Supports",
    when: datetime = AWARDED,
    hours: str = "15",
) -> Attempt:
    """An attempt of `member` on a new micro-credential, awarded at `when` (the assessment
    flow is built elsewhere: the attempt is made directly and award() called)."""
    microcredential = factories.microcredential(name, hours=hours)
    return award_of(member, microcredential, when)


def award_of(member: User, microcredential: Microcredential, when: datetime) -> Attempt:
    attempt = Attempt(
        user=member,
        microcredential=microcredential,
        started_at=when - timedelta(days=60),
        window_ends_on=(when + timedelta(days=120)).date(),
        submissions_count=1,
        status=AttemptStatus.SUBMITTED,  # the scores that award it come to a submitted one
    )
    db.session.add(attempt)
    db.session.flush()
    awards.award(attempt, when)
    db.session.commit()
    return attempt
