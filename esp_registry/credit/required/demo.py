"""Demo of required trainings: a bus-driver in-service (10 hours a year, Transportation
Services) where driver@ is short this year, a food-safety refresher every 3 years (Food
Services) whose certificate cook@ holds expires in about 40 days (the worker's first run
e-mails her the 60-day reminder), Ohio members overdue for approver.oh@'s list, and an
upcoming offering of each program. Added once: a second run adds nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering, OfferingFormat, OfferingStatus
from esp_registry.columns import utcnow
from esp_registry.credit.required.models import RenewalKind, RequiredTraining
from esp_registry.credit.required.rules import add_months
from esp_registry.demo_builders import demo_offering, demo_registration, find_by, mark_present
from esp_registry.extensions import db
from esp_registry.reference.models import JobFamily, Program

BUS = ("bus-driver-in-service", "Bus Driver In-Service", "Bus Driver In-Service (Conductores)")
FOOD = (
    "food-safety-refresher",
    "Food-Safety Refresher",
    "Actualización en seguridad alimentaria",
)


def _program(slug: str, name: str, name_es: str, family: str, hours: str, text: str) -> Program:
    program = find_by(Program, slug=slug)
    if program is None:
        program = Program(
            slug=slug,
            name=name,
            name_es=name_es,
            description=text,
            job_family_id=find_by(JobFamily, slug=family).id,  # type: ignore[attr-defined]
            default_contact_hours=Decimal(hours),
        )
        db.session.add(program)
        db.session.flush()
    return program  # type: ignore[return-value]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _past(title: str, slug: str, day: date, hours: str) -> Offering:
    return demo_offering(
        title,
        slug,
        [("Session", _at(day, 14), _at(day, 14 + int(Decimal(hours))), hours)],
        format=OfferingFormat.IN_PERSON,
        venue="District training center",
        status=OfferingStatus.COMPLETED,
        timezone="UTC",
    )


def seed_required_demo(now: datetime | None = None) -> None:
    now = now or utcnow()
    today = now.date()
    bus = _program(*BUS, "transportation-services", "2", "The yearly in-service for bus drivers.")
    food = _program(*FOOD, "food-services", "3", "Safe food handling, renewed every 3 years.")
    if db.session.scalar(
        sa.select(sa.func.count()).where(RequiredTraining.program_id.in_((bus.id, food.id)))
    ):
        return
    families = {f.slug: f for f in db.session.scalars(sa.select(JobFamily))}
    # Declared last year, so last year's shortfall counts on the overdue list.
    declared = datetime(today.year - 1, 1, 1, tzinfo=UTC)
    db.session.add_all(
        [
            RequiredTraining(
                program=bus,
                kind=RenewalKind.HOURS,
                hours_per_year=Decimal(10),
                job_families=[families["transportation-services"]],
                created_at=declared,
            ),
            RequiredTraining(
                program=food,
                kind=RenewalKind.EXPIRY,
                valid_months=36,
                job_families=[families["food-services"]],
                created_at=declared,
            ),
        ]
    )
    staff = find_by(User, email="facilitator@example.org")
    driver = find_by(User, email="driver@example.org")
    cook = find_by(User, email="cook@example.org")
    # driver@: 4 of 10 hours this year (a session that ended this year).
    this_year = max(today - timedelta(days=20), date(today.year, 1, 1))
    in_service = _past("Bus Driver In-Service: winter driving", bus.slug, this_year, "4")
    # cook@: her refresher's certificate expires in about 40 days.
    refresher = _past(
        "Food-Safety Refresher (three years ago)",
        food.slug,
        add_months(today + timedelta(days=40), -36),
        "3",
    )
    # Ohio: a food-services member whose certificate expired 4 months ago.
    expired = _past("Food-Safety Refresher (Ohio, expired)", food.slug, add_months(today, -40), "3")
    for user, offering in ((driver, in_service), (cook, refresher)):
        if user is not None and staff is not None:
            registration = demo_registration(user, offering)  # type: ignore[arg-type]
            mark_present(registration, offering.sessions[0], staff)  # type: ignore[arg-type]
    ohio_cook = db.session.scalar(
        sa.select(User)
        .join(JobFamily, JobFamily.id == User.job_family_id)
        .where(User.email.like("history.oh.%"), JobFamily.slug == "food-services")
        .order_by(User.id)
    )
    if ohio_cook is not None and staff is not None:
        registration = demo_registration(ohio_cook, expired)
        mark_present(registration, expired.sessions[0], staff)  # type: ignore[arg-type]
    # The next offering of each, so "Required for you" and the e-mails have a target.
    for title, slug, days, hours in (
        ("Bus Driver In-Service: student safety and evacuation", bus.slug, 24, "6"),
        ("Food-Safety Refresher (online)", food.slug, 30, "3"),
    ):
        day = today + timedelta(days=days)
        demo_offering(
            title,
            slug,
            [("Session", _at(day, 15), _at(day, 15 + int(Decimal(hours))), hours)],
            format=OfferingFormat.VIRTUAL,
            online_url="https://example.org/training",
            status=OfferingStatus.PUBLISHED,
            timezone="America/New_York",
            capacity=60,
            signatory="ESP Quality Department",
        )
    db.session.commit()
