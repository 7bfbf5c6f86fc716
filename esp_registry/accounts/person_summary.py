"""A person's registry at a glance, for the staff page about them: a fixed number of
queries whatever their history (the latest rows and counts, not every row)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from esp_registry.accounts.models import User
from esp_registry.certificates.models import Certificate
from esp_registry.extensions import db
from esp_registry.lft.models import LftApplication
from esp_registry.mentoring.models import (
    MentoringPairing,
    MentoringRequest,
    MentoringRole,
    MentorProfile,
    RequestStatus,
)
from esp_registry.registrations.models import Registration

LATEST = 10


@dataclass(frozen=True)
class PersonSummary:
    registrations: list[Registration]
    registration_count: int
    certificate_count: int
    lft_applications: list[LftApplication]
    mentor_profile: MentorProfile | None
    pairing_count: int
    open_requests: int


def _count(query: sa.Select) -> sa.ScalarSelect[int]:  # type: ignore[type-arg]
    return sa.select(sa.func.count()).select_from(query.subquery()).scalar_subquery()


def summary_of(person: User) -> PersonSummary:
    mine = sa.select(Registration).where(Registration.user_id == person.id)
    registrations = list(
        db.session.scalars(
            mine.options(joinedload(Registration.offering))
            .order_by(Registration.created_at.desc(), Registration.id.desc())
            .limit(LATEST)
        )
    )
    certificates = (
        sa.select(Certificate.id)
        .outerjoin(Registration, Registration.id == Certificate.registration_id)
        .outerjoin(MentoringPairing, MentoringPairing.id == Certificate.mentoring_pairing_id)
        .where(
            Certificate.replaced_by_id.is_(None),
            Certificate.revoked_at.is_(None),
            sa.or_(
                Registration.user_id == person.id,
                sa.and_(
                    Certificate.mentoring_role == MentoringRole.MENTOR,
                    MentoringPairing.mentor_id == person.id,
                ),
                sa.and_(
                    Certificate.mentoring_role == MentoringRole.MENTEE,
                    MentoringPairing.mentee_id == person.id,
                ),
            ),
        )
    )
    pairings = sa.select(MentoringPairing.id).where(
        sa.or_(MentoringPairing.mentor_id == person.id, MentoringPairing.mentee_id == person.id)
    )
    requests = sa.select(MentoringRequest.id).where(
        MentoringRequest.user_id == person.id, MentoringRequest.status == RequestStatus.OPEN
    )
    # The four counts in one query.
    counts = db.session.execute(
        sa.select(_count(mine), _count(certificates), _count(pairings), _count(requests))
    ).one()
    return PersonSummary(
        registrations=registrations,
        registration_count=counts[0] or 0,
        certificate_count=counts[1] or 0,
        lft_applications=list(
            db.session.scalars(
                sa.select(LftApplication)
                .where(LftApplication.user_id == person.id)
                .options(joinedload(LftApplication.cycle))
                .order_by(LftApplication.id.desc())
                .limit(LATEST)
            )
        ),
        mentor_profile=db.session.scalar(
            sa.select(MentorProfile).where(MentorProfile.user_id == person.id)
        ),
        pairing_count=counts[2] or 0,
        open_requests=counts[3] or 0,
    )
