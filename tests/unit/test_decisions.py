"""may_register, may_cancel and may_download_certificate: the one answer the rules act on
and the pages show (a button only when the rule would let it through), without a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from esp_registry import models  # noqa: F401  (every mapper, so Offering can be built)
from esp_registry.catalog.models import Offering, OfferingStatus, Session
from esp_registry.certificates.rules import may_download_certificate
from esp_registry.reference.models import JobFamily, Program
from esp_registry.reference_data import LFT_PROGRAM_SLUG
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.registrations.rules import Outcome, may_cancel, may_register

START = datetime(2027, 3, 12, 14, 0, tzinfo=UTC)
END = START + timedelta(hours=6)
PARAS, BUS = JobFamily(id=1, name="Paraeducators"), JobFamily(id=2, name="Transportation")


@dataclass
class Member:
    id: int = 10
    job_family_id: int = PARAS.id


def workshop(
    *, audience: list[JobFamily] | None = None, slug: str = "beat-privatization"
) -> Offering:
    return Offering(
        id=1,
        title="Workshop",
        program=Program(slug=slug, name="Program"),
        status=OfferingStatus.PUBLISHED,
        audience=audience or [],
        sessions=[Session(title="Day 1", starts_at=START, ends_at=END, contact_hours=Decimal(6))],
    )


def seat(offering: Offering, status: RegistrationStatus = RegistrationStatus.CONFIRMED):
    return Registration(offering=offering, user_id=10, status=status)


def test_a_member_may_register_for_an_open_offering_of_their_job_family():
    assert may_register(Member(), workshop(audience=[PARAS]), START - timedelta(days=1)).allowed
    assert may_register(Member(), workshop(), START - timedelta(days=1)).allowed  # for all


def test_an_offering_for_other_job_families_is_refused_with_its_reason():
    decision = may_register(Member(), workshop(audience=[BUS]), START - timedelta(days=1))
    assert not decision.allowed
    assert decision.code == Outcome.AUDIENCE
    assert "other job families" in decision.reason


def test_registration_is_refused_once_the_training_started_or_when_not_published():
    offering = workshop()
    assert may_register(Member(), offering, START).code == Outcome.CLOSED
    offering.status = OfferingStatus.DRAFT
    assert may_register(Member(), offering, START - timedelta(days=1)).code == Outcome.UNAVAILABLE


def test_a_member_may_cancel_until_the_first_session_starts_then_asks_the_organisers():
    registration = seat(workshop())
    assert may_cancel(registration, START - timedelta(minutes=1)).allowed
    late = may_cancel(registration, START)
    assert not late.allowed and late.code == Outcome.TOO_LATE
    assert "ask the organisers" in late.reason
    # A waitlisted member may still leave the waitlist after the start.
    assert may_cancel(seat(workshop(), RegistrationStatus.WAITLISTED), START).allowed


def test_nothing_to_cancel_on_an_inactive_registration_or_a_leaders_for_tomorrow_place():
    assert not may_cancel(seat(workshop(), RegistrationStatus.CANCELLED), START).allowed
    cohort = seat(workshop(slug=LFT_PROGRAM_SLUG))
    assert may_cancel(cohort, START - timedelta(days=1)).code == Outcome.NOT_ALLOWED


def test_a_certificate_is_earned_once_the_training_has_ended_not_at_the_door():
    registration = seat(workshop())
    hours = Decimal(6)
    middle = may_download_certificate(
        registration, hours, START + timedelta(hours=1), evaluation_owed=False
    )
    assert not middle.allowed and middle.code == "not_ended"
    assert "once the training has ended" in middle.reason
    assert may_download_certificate(registration, hours, END, evaluation_owed=False).allowed
    assert may_download_certificate(
        registration, hours, END + timedelta(days=30), evaluation_owed=False
    ).allowed


def test_attendance_closed_early_earns_the_certificate_no_hours_earn_none():
    registration = seat(workshop())
    registration.offering.status = OfferingStatus.COMPLETED
    assert may_download_certificate(
        registration, Decimal(6), START + timedelta(hours=1), evaluation_owed=False
    ).allowed
    assert (
        may_download_certificate(registration, Decimal(0), END, evaluation_owed=False).code
        == "nothing"
    )
    assert (
        may_download_certificate(registration, None, END, evaluation_owed=False).code == "nothing"
    )
    waitlisted = seat(workshop(), RegistrationStatus.WAITLISTED)
    assert not may_download_certificate(waitlisted, Decimal(6), END, evaluation_owed=False).allowed
