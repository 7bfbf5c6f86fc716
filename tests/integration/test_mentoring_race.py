"""A mentor's capacity holds, and a request is matched once, when staff confirm matches at
the same moment: real threads, real connections (the point is PostgreSQL; SQLite runs it
too)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.mentoring import rules
from esp_registry.mentoring.models import (
    MentoringPairing,
    MentoringRequest,
    MentorProfile,
    PairingStatus,
    RequestStatus,
)
from esp_registry.mentoring.rules import Outcome
from esp_registry.notifications.models import OutboxMessage
from tests import factories
from tests.integration.mentoring_world import admin, mentor

CAPACITY = 3
REQUESTS = 12


def open_requests(prefix: str, count: int) -> list[int]:
    """Open requests of Ohio members, made in bulk."""
    users = factories.bulk_people(prefix, count)
    started = (utcnow() - timedelta(days=100)).date()
    requests = [
        MentoringRequest(
            user_id=u.id,
            job_family_id=u.job_family_id,
            affiliate_id=u.affiliate_id,
            started_job_on=started,
            help_with="Getting started.",
            status=RequestStatus.OPEN,
        )
        for u in users
    ]
    db.session.add_all(requests)
    db.session.commit()
    return [r.id for r in requests]


def race(app, pairs: list[tuple[int, int]], staff_id: int) -> Counter:  # type: ignore[no-untyped-def]
    """Confirm every (request, mentor profile) at once, each in its own thread."""
    barrier = threading.Barrier(len(pairs))
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []

    def run(request_id: int, profile_id: int) -> None:
        try:
            barrier.wait()
            with app.app_context():
                request = db.session.get(MentoringRequest, request_id)
                profile = db.session.get(MentorProfile, profile_id)
                staff = db.session.get(User, staff_id)
                outcomes.append(rules.confirm_match(request, profile, staff).outcome)
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors[:3]
    return Counter(outcomes)


def active_pairings(profile_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            MentoringPairing.mentor_profile_id == profile_id,
            MentoringPairing.status == PairingStatus.ACTIVE,
        )
    )


def test_capacity_holds_under_concurrent_confirmations(ctx):
    staff_id = admin().id
    rounds = 10 if db.engine.dialect.name == "postgresql" else 2
    for round_no in range(rounds):
        profile = mentor(f"mentor{round_no}@example.org", capacity=CAPACITY)
        requests = open_requests(f"mentee{round_no}-", REQUESTS)
        outcomes = race(ctx, [(r, profile.id) for r in requests], staff_id)
        assert outcomes == Counter({Outcome.MATCHED: CAPACITY, Outcome.FULL: REQUESTS - CAPACITY})
        assert active_pairings(profile.id) == CAPACITY
        matched = db.session.scalar(
            sa.select(sa.func.count()).where(
                MentoringRequest.id.in_(requests), MentoringRequest.status == RequestStatus.MATCHED
            )
        )
        assert matched == CAPACITY  # the refused requests stay open, untouched
        mails = db.session.scalar(
            sa.select(sa.func.count()).where(OutboxMessage.kind == "mentoring_matched_mentor")
        )
        assert mails == CAPACITY * (round_no + 1)


def test_a_request_is_matched_once_under_concurrent_confirmations(ctx):
    staff_id = admin().id
    rounds = 10 if db.engine.dialect.name == "postgresql" else 2
    for round_no in range(rounds):
        profiles = [mentor(f"m{round_no}-{i}@example.org", capacity=5).id for i in range(6)]
        (request_id,) = open_requests(f"single{round_no}-", 1)
        outcomes = race(ctx, [(request_id, p) for p in profiles], staff_id)
        assert outcomes == Counter({Outcome.MATCHED: 1, Outcome.NOT_OPEN: 5})
        db.session.expire_all()
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).where(MentoringPairing.request_id == request_id)
            )
            == 1
        )
