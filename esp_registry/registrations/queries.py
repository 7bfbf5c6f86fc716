"""The member's own registrations, grouped the way "My trainings" shows them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from esp_registry.accounts.models import User
from esp_registry.attendance.rules import credited_hours
from esp_registry.catalog.models import Offering
from esp_registry.certificates.rules import may_download_certificate
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.registrations.rules import (
    Counts,
    may_cancel,
    may_register,
    offering_counts,
    seats_left,
    waitlist_position,
    waitlist_positions,
)
from esp_registry.results import ALLOWED, Decision


@dataclass(frozen=True)
class MyTraining:
    registration: Registration
    hours: Decimal
    position: int | None = None
    cancel: Decision = ALLOWED  # may_cancel: the page offers Cancel only when allowed
    certificate: Decision = ALLOWED  # may_download_certificate: the same for the PDF

    @property
    def offering(self) -> Offering:
        return self.registration.offering


@dataclass
class MyTrainings:
    upcoming: list[MyTraining] = field(default_factory=list)
    in_progress: list[MyTraining] = field(default_factory=list)
    pending: list[MyTraining] = field(default_factory=list)
    waitlisted: list[MyTraining] = field(default_factory=list)
    past: list[MyTraining] = field(default_factory=list)
    cancelled: list[MyTraining] = field(default_factory=list)


def my_trainings(user: User, now: datetime) -> MyTrainings:
    """The member's registrations: upcoming, today / in progress (started, not ended: too
    late to cancel, too early for a certificate), pending approval, waitlisted (with
    position), attended or past, and cancelled or declined."""
    registrations = (
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.user_id == user.id)
            .options(
                joinedload(Registration.offering).joinedload(Offering.host_affiliate),
                joinedload(Registration.offering).joinedload(Offering.program),
                joinedload(Registration.offering).selectinload(Offering.sessions),
            )
            .order_by(Registration.created_at)
        )
        .unique()
        .all()
    )
    hours = credited_hours([r.id for r in registrations])
    waiting = [r.offering_id for r in registrations if r.status == RegistrationStatus.WAITLISTED]
    positions = waitlist_positions(waiting)
    grouped = MyTrainings()
    for registration in registrations:
        credited = hours.get(registration.id, Decimal(0))
        item = MyTraining(
            registration,
            credited,
            positions.get(registration.id),
            cancel=may_cancel(registration, now),
            certificate=may_download_certificate(registration, credited, now),
        )
        offering = registration.offering
        over = offering.ends_at is not None and offering.ends_at < now
        started = offering.starts_at is not None and offering.starts_at <= now
        if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED):
            grouped.cancelled.append(item)
        elif started and not over and registration.status == RegistrationStatus.CONFIRMED:
            grouped.in_progress.append(item)
        elif item.hours or (over and registration.status == RegistrationStatus.CONFIRMED):
            grouped.past.append(item)
        elif registration.status == RegistrationStatus.CONFIRMED:
            grouped.upcoming.append(item)
        elif registration.status == RegistrationStatus.WAITLISTED and not over:
            grouped.waitlisted.append(item)
        elif not over:
            grouped.pending.append(item)
        else:
            grouped.cancelled.append(item)
    grouped.upcoming.sort(key=lambda t: t.offering.starts_at or now)
    grouped.in_progress.sort(key=lambda t: t.offering.starts_at or now)
    grouped.waitlisted.sort(key=lambda t: t.offering.starts_at or now)
    grouped.past.sort(key=lambda t: t.offering.starts_at or now, reverse=True)
    return grouped


@dataclass(frozen=True)
class RegistrationBox:
    """What the registration box on an offering page shows one person."""

    offering: Offering
    seats_left: int | None
    waitlisted: int
    mine: Registration | None
    position: int | None
    register: Decision = ALLOWED  # may_register, for a signed-in member
    cancel: Decision = ALLOWED  # may_cancel of their registration


def registration_box(offering: Offering, user: object, now: datetime) -> RegistrationBox:
    counts = offering_counts([offering.id]).get(offering.id, Counts())
    mine = None
    if getattr(user, "is_authenticated", False):
        mine = db.session.scalar(
            sa.select(Registration)
            .where(Registration.offering_id == offering.id, Registration.user_id == user.id)  # type: ignore[attr-defined]
            .execution_options(populate_existing=True)
        )
    position = waitlist_position(mine) if mine is not None else None
    register = cancel = ALLOWED
    if getattr(user, "is_authenticated", False):
        register = may_register(user, offering, now)  # type: ignore[arg-type]
    if mine is not None:
        cancel = may_cancel(mine, now)
    return RegistrationBox(
        offering,
        seats_left(offering, counts.seats_taken),
        counts.waitlisted,
        mine,
        position,
        register,
        cancel,
    )
