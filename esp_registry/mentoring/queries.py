"""What the mentoring pages show, each built in one place and loaded up front (no query
per row)."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from esp_registry.accounts.models import User
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import mentoring_certificates
from esp_registry.extensions import db
from esp_registry.mentoring.matching import Candidate, Seeker, Suggestion, rank_mentors
from esp_registry.mentoring.models import (
    MentoringLog,
    MentoringPairing,
    MentoringRequest,
    MentoringRole,
    MentorProfile,
    MentorStatus,
    PairingStatus,
    RequestStatus,
)
from esp_registry.mentoring.rules import holds_valid_soo_certificate

SUGGESTIONS_SHOWN = 5  # per request in the queue; the request's page shows them all

# A person on a row: name, job family and affiliate (joined by User), not their roles.
PERSON = (lazyload(User.role_grants),)

PAIRING_OPTIONS = (
    joinedload(MentoringPairing.mentor).options(*PERSON),
    joinedload(MentoringPairing.mentee).options(*PERSON),
    joinedload(MentoringPairing.request).options(
        joinedload(MentoringRequest.affiliate), joinedload(MentoringRequest.job_family)
    ),
)

REQUEST_OPTIONS = (
    joinedload(MentoringRequest.user).options(*PERSON),
    joinedload(MentoringRequest.job_family),
    joinedload(MentoringRequest.affiliate),
)


def _active_pairings() -> sa.ScalarSelect[int]:
    return (
        sa.select(sa.func.count())
        .where(
            MentoringPairing.mentor_profile_id == MentorProfile.id,
            MentoringPairing.status == PairingStatus.ACTIVE,
        )
        .scalar_subquery()
    )


@dataclass(frozen=True)
class MentorPool:
    """Every active mentor, as plain data for the ranking and as profiles for the page."""

    candidates: list[Candidate]
    profiles: dict[int, MentorProfile]


def mentor_pool() -> MentorPool:
    """Every active mentor profile with its load and eligibility, in one query."""
    rows = db.session.execute(
        sa.select(
            MentorProfile,
            User.full_name,
            _active_pairings(),
            holds_valid_soo_certificate(MentorProfile.user_id),
        )
        .join(User, User.id == MentorProfile.user_id)
        .where(MentorProfile.status == MentorStatus.ACTIVE)
        .options(joinedload(MentorProfile.job_family), joinedload(MentorProfile.affiliate))
    ).all()
    candidates = [
        Candidate(
            profile_id=profile.id,
            user_id=profile.user_id,
            name=name,
            job_family_id=profile.job_family_id,
            affiliate_id=profile.affiliate_id,
            local_name=profile.local_name,
            capacity=profile.capacity,
            active_pairings=active,
            available=profile.status == MentorStatus.ACTIVE,
            eligible=bool(eligible),
        )
        for profile, name, active, eligible in rows
    ]
    return MentorPool(candidates, {profile.id: profile for profile, *_rest in rows})


def seeker_of(request: MentoringRequest) -> Seeker:
    return Seeker(request.user_id, request.job_family_id, request.affiliate_id, request.local_name)


@dataclass
class QueueRow:
    request: MentoringRequest
    suggestions: list[Suggestion]
    more: int = 0  # suggestions beyond those shown


@dataclass
class Queue:
    rows: list[QueueRow]
    pairings: list[MentoringPairing]
    profiles: dict[int, MentorProfile] = field(default_factory=dict)


def _scoped(query: sa.Select, column: sa.ColumnElement[int], scope: set[int] | None) -> sa.Select:  # type: ignore[type-arg]
    return query if scope is None else query.where(column.in_(scope or {-1}))


def open_requests(scope: set[int] | None) -> list[MentoringRequest]:
    """Open requests in the staff member's affiliates (all for national admins), oldest
    first."""
    return list(
        db.session.scalars(
            _scoped(
                sa.select(MentoringRequest)
                .where(MentoringRequest.status == RequestStatus.OPEN)
                .options(*REQUEST_OPTIONS)
                .order_by(MentoringRequest.created_at, MentoringRequest.id),
                MentoringRequest.affiliate_id,
                scope,
            )
        )
    )


def active_pairings(scope: set[int] | None) -> list[MentoringPairing]:
    """Active pairings whose request came from the staff member's affiliates."""
    return list(
        db.session.scalars(
            _scoped(
                sa.select(MentoringPairing)
                .join(MentoringPairing.request)
                .where(MentoringPairing.status == PairingStatus.ACTIVE)
                .options(*PAIRING_OPTIONS)
                .order_by(MentoringPairing.ends_on, MentoringPairing.id),
                MentoringRequest.affiliate_id,
                scope,
            )
        ).unique()
    )


def queue_row(request: MentoringRequest, candidates: list[Candidate]) -> QueueRow:
    ranked = rank_mentors(seeker_of(request), candidates)
    return QueueRow(request, ranked[:SUGGESTIONS_SHOWN], max(len(ranked) - SUGGESTIONS_SHOWN, 0))


def matching_queue(scope: set[int] | None) -> Queue:
    """Open requests with their ranked suggestions, and active pairings: four queries
    whatever the number of requests, mentors and pairings."""
    pool = mentor_pool()
    rows = [queue_row(r, pool.candidates) for r in open_requests(scope)]
    return Queue(rows, active_pairings(scope), pool.profiles)


# ---------------------------------------------------------------------------- members


@dataclass
class MyMentoring:
    profile: MentorProfile | None
    eligible: bool
    request: MentoringRequest | None  # open, else the latest
    as_mentor: list[MentoringPairing]
    as_mentee: list[MentoringPairing]


def my_pairings(user: User) -> list[MentoringPairing]:
    return list(
        db.session.scalars(
            sa.select(MentoringPairing)
            .where(
                sa.or_(MentoringPairing.mentor_id == user.id, MentoringPairing.mentee_id == user.id)
            )
            .options(*PAIRING_OPTIONS)
            .order_by(
                sa.case((MentoringPairing.status == PairingStatus.ACTIVE, 0), else_=1),
                MentoringPairing.starts_on.desc(),
                MentoringPairing.id.desc(),
            )
        ).unique()
    )


def latest_request(user: User) -> MentoringRequest | None:
    """The member's open request, else their latest one."""
    return db.session.scalar(
        sa.select(MentoringRequest)
        .where(MentoringRequest.user_id == user.id)
        .options(*REQUEST_OPTIONS)
        .order_by(
            sa.case((MentoringRequest.status == RequestStatus.OPEN, 0), else_=1),
            MentoringRequest.created_at.desc(),
            MentoringRequest.id.desc(),
        )
        .limit(1)
    )


def my_mentoring(user: User, eligible: bool) -> MyMentoring:
    pairings = my_pairings(user)
    return MyMentoring(
        profile=db.session.scalar(
            sa.select(MentorProfile)
            .where(MentorProfile.user_id == user.id)
            .options(joinedload(MentorProfile.job_family), joinedload(MentorProfile.affiliate))
        ),
        eligible=eligible,
        request=latest_request(user),
        as_mentor=[p for p in pairings if p.mentor_id == user.id],
        as_mentee=[p for p in pairings if p.mentee_id == user.id],
    )


# ---------------------------------------------------------------------------- a pairing


def pairing_logs(pairing: MentoringPairing) -> list[MentoringLog]:
    """The pairing's activities, newest first (the two people are loaded with the pairing)."""
    return list(
        db.session.scalars(
            sa.select(MentoringLog)
            .where(MentoringLog.pairing_id == pairing.id)
            .order_by(MentoringLog.on_date.desc(), MentoringLog.id.desc())
        )
    )


def pairing_certificates(pairing: MentoringPairing) -> dict[MentoringRole, Certificate]:
    return {role: c for (_pid, role), c in mentoring_certificates([pairing.id]).items()}


def pairing_for_page(pairing_id: int) -> MentoringPairing | None:
    return db.session.get(MentoringPairing, pairing_id, options=list(PAIRING_OPTIONS))
