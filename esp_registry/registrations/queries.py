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
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration, RegistrationStatus


@dataclass(frozen=True)
class MyTraining:
    registration: Registration
    hours: Decimal

    @property
    def offering(self) -> Offering:
        return self.registration.offering


@dataclass
class MyTrainings:
    upcoming: list[MyTraining] = field(default_factory=list)
    pending: list[MyTraining] = field(default_factory=list)
    past: list[MyTraining] = field(default_factory=list)
    cancelled: list[MyTraining] = field(default_factory=list)


def my_trainings(user: User, now: datetime) -> MyTrainings:
    registrations = (
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.user_id == user.id)
            .options(
                joinedload(Registration.offering).joinedload(Offering.host_affiliate),
                joinedload(Registration.offering).selectinload(Offering.sessions),
            )
            .order_by(Registration.created_at)
        )
        .unique()
        .all()
    )
    hours = credited_hours([r.id for r in registrations])
    grouped = MyTrainings()
    for registration in registrations:
        item = MyTraining(registration, hours.get(registration.id, Decimal(0)))
        ends_at = registration.offering.ends_at
        if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED):
            grouped.cancelled.append(item)
        elif item.hours or (ends_at is not None and ends_at < now):
            grouped.past.append(item)
        elif registration.status == RegistrationStatus.CONFIRMED:
            grouped.upcoming.append(item)
        else:
            grouped.pending.append(item)
    grouped.upcoming.sort(key=lambda t: t.offering.starts_at or now)
    grouped.past.sort(key=lambda t: t.offering.starts_at or now, reverse=True)
    return grouped
