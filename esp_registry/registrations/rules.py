"""Registration rules of PRODUCT §4, as plain functions that tests call directly.

Each function runs in one transaction and returns a result: expected refusals ("full",
"closed") are results with a message, not exceptions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering, OfferingStatus
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus


class Outcome(enum.StrEnum):
    CONFIRMED = "confirmed"
    PENDING = "pending_approval"
    ALREADY = "already_registered"
    FULL = "full"
    CLOSED = "closed"
    NOT_OPEN = "not_open"
    UNAVAILABLE = "unavailable"
    AUDIENCE = "audience"
    NEEDS_PARENT = "needs_parent"
    CANCELLED = "cancelled"
    TOO_LATE = "too_late"
    NOT_ACTIVE = "not_active"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    message: str
    registration: Registration | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.CONFIRMED, Outcome.PENDING, Outcome.CANCELLED)


def confirmed_counts(offering_ids: list[int]) -> dict[int, int]:
    """Confirmed registrations per offering, in one query for a whole page."""
    if not offering_ids:
        return {}
    rows = db.session.execute(
        sa.select(Registration.offering_id, sa.func.count())
        .where(
            Registration.offering_id.in_(offering_ids),
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .group_by(Registration.offering_id)
    )
    return {offering_id: count for offering_id, count in rows}


def seats_left(offering: Offering, confirmed: int | None = None) -> int | None:
    """Seats still free, or None when the offering has no capacity limit."""
    if offering.capacity is None:
        return None
    if confirmed is None:
        confirmed = confirmed_counts([offering.id]).get(offering.id, 0)
    return max(offering.capacity - confirmed, 0)


def _lock_offering(offering_id: int) -> None:
    # A no-op UPDATE takes the offering's row lock on PostgreSQL and the write lock on
    # SQLite, so every change to one offering's registrations runs one at a time.
    db.session.execute(sa.update(Offering).where(Offering.id == offering_id).values(id=Offering.id))


def registration_refusal(user: User, offering: Offering, now: datetime) -> Result | None:
    """Why this member may not register now, or None if they may."""
    if offering.status != OfferingStatus.PUBLISHED:
        return Result(Outcome.UNAVAILABLE, _("This training is not open for registration."))
    if offering.registration_opens_at and now < offering.registration_opens_at:
        return Result(Outcome.NOT_OPEN, _("Registration for this training has not opened yet."))
    if offering.registration_closes_at and now >= offering.registration_closes_at:
        return Result(Outcome.CLOSED, _("Registration for this training has closed."))
    if offering.starts_at and now >= offering.starts_at and not offering.registration_closes_at:
        return Result(Outcome.CLOSED, _("This training has already started."))
    if not offering.is_for_job_family(user.job_family_id):
        return Result(Outcome.AUDIENCE, _("This training is for other job families than yours."))
    if offering.parent_id is not None:
        parent_confirmed = db.session.scalar(
            sa.select(sa.func.count()).where(
                Registration.offering_id == offering.parent_id,
                Registration.user_id == user.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
        if not parent_confirmed:
            return Result(
                Outcome.NEEDS_PARENT,
                _(
                    "Register for %(conference)s first: this is one of its"
                    " pre-conference sessions.",
                    conference=offering.parent.title if offering.parent else "",
                ),
            )
    return None


def register(user: User, offering: Offering, now: datetime | None = None) -> Result:
    """A member takes a seat if one is left: capacity is never exceeded, also when many
    members press Register at the same moment, and a member holds one registration per
    offering."""
    now = now or utcnow()
    refusal = registration_refusal(user, offering, now)
    if refusal:
        return refusal
    _lock_offering(offering.id)
    existing = db.session.scalar(
        sa.select(Registration)
        .where(Registration.offering_id == offering.id, Registration.user_id == user.id)
        # Read the row as it is now, after the lock, not as this session last saw it.
        .execution_options(populate_existing=True)
    )
    if existing is not None and existing.status in ACTIVE_STATUSES:
        db.session.rollback()
        return Result(Outcome.ALREADY, _("You are already registered for this training."), existing)

    if offering.requires_affiliate_approval:
        status = RegistrationStatus.PENDING_APPROVAL
    else:
        left = seats_left(offering)
        if left is not None and left <= 0:
            db.session.rollback()
            return Result(Outcome.FULL, _("Sorry, this training is full."))
        status = RegistrationStatus.CONFIRMED

    if existing is None:
        existing = Registration(offering_id=offering.id, user_id=user.id, status=status)
        db.session.add(existing)
    else:
        existing.status = status
    db.session.commit()
    if status == RegistrationStatus.PENDING_APPROVAL:
        return Result(
            Outcome.PENDING,
            _("Your registration is waiting for your state affiliate's approval."),
            existing,
        )
    return Result(Outcome.CONFIRMED, _("You are registered. See you there!"), existing)


def cancel(registration: Registration, now: datetime | None = None) -> Result:
    """A member cancels their own registration until the first session starts."""
    now = now or utcnow()
    offering = registration.offering
    if registration.status not in ACTIVE_STATUSES:
        return Result(Outcome.NOT_ACTIVE, _("This registration is not active."), registration)
    if offering.starts_at and now >= offering.starts_at:
        return Result(
            Outcome.TOO_LATE,
            _("This training has started; ask the organisers to cancel."),
            registration,
        )
    _lock_offering(offering.id)
    registration.status = RegistrationStatus.CANCELLED
    db.session.commit()
    return Result(Outcome.CANCELLED, _("Your registration is cancelled."), registration)
