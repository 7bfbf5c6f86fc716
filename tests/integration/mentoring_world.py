"""Builders for mentoring tests: Supporting Our Own graduates, mentors, requests, pairings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.attendance.models import Attendance, AttendanceStatus
from esp_registry.catalog.models import Offering
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import issue_certificate
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.mentoring import rules
from esp_registry.mentoring.models import MentoringPairing, MentoringRequest, MentorProfile
from esp_registry.reference_data import SUPPORTING_OUR_OWN_PROGRAM_SLUG
from esp_registry.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.integration.test_offering_management import (  # the staff builders, shared
    admin,
    approver,
)


def the_admin() -> User:
    """The national admin, made on first use."""
    found = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    return found or admin()


def soo_training() -> Offering:
    """A Supporting Our Own training that took place last month (one per test database)."""
    found = db.session.scalar(sa.select(Offering).where(Offering.title == "SOO (past)"))
    return found or factories.offering(
        "SOO (past)", program=SUPPORTING_OUR_OWN_PROGRAM_SLUG, starts_in=-timedelta(days=30)
    )


def graduate(user: User, *, issued: bool = False) -> Registration:
    """The member attended Supporting Our Own (credited hours); `issued`: certificate too."""
    training = soo_training()
    registration = Registration(
        offering_id=training.id, user_id=user.id, status=RegistrationStatus.CONFIRMED
    )
    db.session.add(registration)
    db.session.flush()
    db.session.add(
        Attendance(
            registration_id=registration.id,
            session_id=training.sessions[0].id,
            status=AttendanceStatus.PRESENT,
            credited_hours=Decimal(5),
        )
    )
    db.session.commit()
    if issued:
        issue_certificate(registration)
    return registration


def soo_certificate(user: User) -> Certificate:
    return db.session.scalar(
        sa.select(Certificate)
        .join(Certificate.registration)
        .where(Registration.user_id == user.id, Certificate.replaced_by_id.is_(None))
    )


def mentor(
    email: str,
    *,
    name: str = "Mentor",
    state: str = "OH",
    job_family: str = "paraeducators",
    local: str = "Test Local",
    capacity: int = 2,
    now: datetime | None = None,
) -> MentorProfile:
    user = factories.person(email, name=name, state=state, job_family=job_family)
    graduate(user)
    details = rules.MentorDetails(
        job_family_id=factories.family(job_family).id,
        affiliate_id=factories.affiliate(state).id,
        local_name=local,
        capacity=capacity,
        note="Happy to help.",
    )
    result = rules.volunteer(user, details, now)
    assert result.ok, result.message
    return result.subject


def mentee(
    email: str,
    *,
    name: str = "Mentee",
    state: str = "OH",
    job_family: str = "paraeducators",
    local: str = "Test Local",
    started: date | None = None,
    now: datetime | None = None,
) -> MentoringRequest:
    user = factories.person(email, name=name, state=state, job_family=job_family)
    details = rules.RequestDetails(
        job_family_id=factories.family(job_family).id,
        affiliate_id=factories.affiliate(state).id,
        local_name=local,
        started_job_on=started or ((now or utcnow()) - timedelta(days=200)).date(),
        help_with="Working with my classroom teacher.",
    )
    result = rules.ask_for_mentor(user, details, now)
    assert result.ok, result.message
    return result.subject


def paired(
    mentor_email: str = "mentor@example.org",
    mentee_email: str = "mentee@example.org",
    *,
    state: str = "OH",
    now: datetime | None = None,
) -> MentoringPairing:
    """A mentor and a mentee of `state`, matched by that state's approver."""
    profile = mentor(mentor_email, name="Maria Mentor", state=state, now=now)
    request = mentee(mentee_email, name="Noah Newcomer", state=state, now=now)
    staff = db.session.scalar(
        sa.select(User).where(User.email == f"approver.{state.lower()}@example.org")
    ) or approver(state)
    result = rules.confirm_match(request, profile, staff, now)
    assert result.ok, result.message
    return result.subject
