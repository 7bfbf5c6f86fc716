"""Two years of training history for the demo, so every report chart shows something real:
members of several affiliates and job families, past trainings of every program and
format, registrations (some cancelled, some waitlisted then promoted or never seated) and
attendance. Bulk and deterministic (a seeded random), added once."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.attendance.models import Attendance, AttendanceStatus
from esp_registry.catalog.models import Offering, OfferingFormat, OfferingStatus, Session
from esp_registry.certificates.models import Certificate
from esp_registry.columns import utcnow
from esp_registry.demo_builders import DEMO_PASSWORD, find_by
from esp_registry.extensions import db
from esp_registry.reference.models import Affiliate, JobFamily, Program
from esp_registry.reference_data import CONFERENCE_PROGRAM_SLUG, LFT_PROGRAM_SLUG
from esp_registry.registrations.models import Registration, RegistrationStatus

STATES = ("OH", "TX", "CA", "NY", "FL", "IL", "PA", "MI")
MEMBERS_PER_STATE = 15
MONTHS = 24
PER_MONTH = 2
MARKER = "history.oh.0@example.org"


def seed_reports_demo() -> None:
    """Past members, trainings, registrations and attendance (once: a second run adds
    nothing)."""
    if find_by(User, email=MARKER) is not None:
        return
    rng = random.Random(14)
    families = list(db.session.scalars(sa.select(JobFamily).order_by(JobFamily.id)))
    affiliates = {
        a.code: a
        for a in db.session.scalars(sa.select(Affiliate).where(Affiliate.code.in_(STATES)))
    }
    programs = list(
        db.session.scalars(
            sa.select(Program)
            .where(Program.slug.not_in((LFT_PROGRAM_SLUG, CONFERENCE_PROGRAM_SLUG)))
            .order_by(Program.id)
        )
    )
    sample = User(email="x", full_name="x")
    sample.set_password(DEMO_PASSWORD)  # one hash for everyone: hashing each is slow
    members = [
        User(
            email=f"history.{state.lower()}.{i}@example.org",
            full_name=f"{state} Member {i + 1}",
            affiliate_id=affiliates[state].id,
            job_family_id=families[(i + s) % len(families)].id,
            job_title="Education support professional",
            local_name=f"{affiliates[state].name} ESP Local",
            password_hash=sample.password_hash,
            email_confirmed_at=utcnow(),
        )
        for s, state in enumerate(STATES)
        for i in range(MEMBERS_PER_STATE)
    ]
    db.session.add_all(members)
    db.session.flush()

    now = utcnow().replace(hour=14, minute=0, second=0, microsecond=0)
    offerings = []
    formats = list(OfferingFormat)
    for n in range(MONTHS * PER_MONTH):
        start = now - timedelta(days=15 * (n + 1) + 2)
        program = programs[n % len(programs)]
        days = 1 + n % 2
        offering = Offering(
            title=f"{program.name.split(':')[0]} ({start:%b %Y}, {STATES[n % len(STATES)]})",
            program_id=program.id,
            host_affiliate_id=affiliates[STATES[n % len(STATES)]].id,
            format=formats[n % len(formats)],
            capacity=None if n % 5 == 0 else 20,
            waitlist_enabled=n % 5 != 0,
            status=OfferingStatus.COMPLETED,
            sessions=[
                Session(
                    title=f"Day {d + 1}",
                    starts_at=start + timedelta(days=d),
                    ends_at=start + timedelta(days=d, hours=3),
                    contact_hours=Decimal("3"),
                )
                for d in range(days)
            ],
        )
        offerings.append(offering)
    db.session.add_all(offerings)
    db.session.flush()

    registrations = []
    for offering in offerings:
        for member in rng.sample(members, rng.randint(8, offering.capacity or 24)):
            roll = rng.random()
            status, waited = RegistrationStatus.CONFIRMED, False
            if roll < 0.08:
                status = RegistrationStatus.CANCELLED
            elif roll < 0.13:
                waited = True  # promoted from the waitlist
            elif roll < 0.16 and offering.waitlist_enabled:
                status, waited = RegistrationStatus.WAITLISTED, True  # never got a seat
            start = offering.sessions[0].starts_at
            registrations.append(
                Registration(
                    offering_id=offering.id,
                    user_id=member.id,
                    status=status,
                    created_at=start - timedelta(days=20),
                    waitlisted_at=start - timedelta(days=19)
                    if status == RegistrationStatus.WAITLISTED
                    else None,
                    first_waitlisted_at=start - timedelta(days=19) if waited else None,
                )
            )
    db.session.add_all(registrations)
    db.session.flush()

    by_offering = {o.id: o for o in offerings}
    marks = []
    for registration in registrations:
        if registration.status != RegistrationStatus.CONFIRMED:
            continue
        no_show = rng.random() < 0.12
        for session in by_offering[registration.offering_id].sessions:
            present = not no_show and rng.random() < 0.9
            marks.append(
                Attendance(
                    registration_id=registration.id,
                    session_id=session.id,
                    status=AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT,
                    credited_hours=session.contact_hours if present else Decimal(0),
                    marked_at=session.ends_at,
                )
            )
    db.session.add_all(marks)
    db.session.flush()

    # A certificate for each attendee, issued two days after the training's last session.
    hours: dict[int, Decimal] = {}
    for mark in marks:
        hours[mark.registration_id] = hours.get(mark.registration_id, Decimal(0)) + (
            mark.credited_hours
        )
    names = {m.id: m.full_name for m in members}
    db.session.add_all(
        Certificate(
            registration_id=registration.id,
            code=f"HIST{registration.id:08d}",
            member_name=names[registration.user_id],
            hours=hours[registration.id],
            issued_at=by_offering[registration.offering_id].sessions[-1].ends_at
            + timedelta(days=2),
        )
        for registration in registrations
        if hours.get(registration.id)
    )
    db.session.commit()
