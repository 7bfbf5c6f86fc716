"""The member's own registrations, grouped the way "My trainings" shows them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from esp_registry.access import approval_scope
from esp_registry.accounts.models import User
from esp_registry.attendance.models import Attendance, AttendanceStatus
from esp_registry.attendance.rules import credited_hours
from esp_registry.catalog.models import Offering, Session
from esp_registry.extensions import db
from esp_registry.paging import Page, PageRequest, contains, paginate
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.registrations.rules import (
    Counts,
    Result,
    offering_counts,
    seats_left,
    waitlist_position,
    waitlist_positions,
)


@dataclass(frozen=True)
class MyTraining:
    registration: Registration
    hours: Decimal
    position: int | None = None

    @property
    def offering(self) -> Offering:
        return self.registration.offering


@dataclass
class MyTrainings:
    upcoming: list[MyTraining] = field(default_factory=list)
    pending: list[MyTraining] = field(default_factory=list)
    waitlisted: list[MyTraining] = field(default_factory=list)
    past: list[MyTraining] = field(default_factory=list)
    cancelled: list[MyTraining] = field(default_factory=list)
    past_page: Page[MyTraining] | None = None  # the past list is paged, 25 at a time


PAST_PAGE_SIZE = 25
# Current registrations are of trainings still ahead; cancelled ones add up over the years,
# so only the latest of those are listed.
CURRENT_LIMIT = 100
_OPTIONS = (
    joinedload(Registration.offering).joinedload(Offering.host_affiliate),
    joinedload(Registration.offering).joinedload(Offering.program),
    joinedload(Registration.offering).selectinload(Offering.sessions),
)


def my_trainings(user: User, now: datetime, at: PageRequest | None = None) -> MyTrainings:
    """The member's registrations: upcoming, pending approval, waitlisted (with position),
    attended or past (a page of them, latest first), and cancelled or declined."""
    credited = (
        sa.select(sa.func.coalesce(sa.func.sum(Attendance.credited_hours), 0))
        .where(
            Attendance.registration_id == Registration.id,
            Attendance.status == AttendanceStatus.PRESENT,
        )
        .scalar_subquery()
    )
    of_offering = Session.offering_id == Registration.offering_id
    last_end = sa.select(sa.func.max(Session.ends_at)).where(of_offering).scalar_subquery()
    first_start = sa.select(sa.func.min(Session.starts_at)).where(of_offering).scalar_subquery()
    stopped = Registration.status.in_((RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED))
    ended = sa.and_(last_end.is_not(None), last_end < now)
    is_past = sa.and_(
        ~stopped,
        sa.or_(credited > 0, sa.and_(ended, Registration.status == RegistrationStatus.CONFIRMED)),
    )
    mine = sa.select(Registration).where(Registration.user_id == user.id).options(*_OPTIONS)
    current = (
        db.session.scalars(
            mine.where(~is_past)
            .order_by(stopped, Registration.created_at.desc(), Registration.id.desc())
            .limit(CURRENT_LIMIT)
        )
        .unique()
        .all()
    )
    order = (first_start.desc(), Registration.id.desc())
    past = paginate(mine.where(is_past), *order, size=PAST_PAGE_SIZE, at=at, seek=True)
    hours = credited_hours([r.id for r in (*current, *past.items)])
    waiting = [r.offering_id for r in current if r.status == RegistrationStatus.WAITLISTED]
    positions = waitlist_positions(waiting)
    grouped = MyTrainings()
    for registration in current:
        item = MyTraining(
            registration, hours.get(registration.id, Decimal(0)), positions.get(registration.id)
        )
        ends_at = registration.offering.ends_at
        over = ends_at is not None and ends_at < now
        if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED):
            grouped.cancelled.append(item)
        elif registration.status == RegistrationStatus.CONFIRMED:
            grouped.upcoming.append(item)
        elif registration.status == RegistrationStatus.WAITLISTED and not over:
            grouped.waitlisted.append(item)
        elif not over:
            grouped.pending.append(item)
        else:
            grouped.cancelled.append(item)
    grouped.upcoming.sort(key=lambda t: t.offering.starts_at or now)
    grouped.waitlisted.sort(key=lambda t: t.offering.starts_at or now)
    grouped.past = [MyTraining(r, hours.get(r.id, Decimal(0))) for r in past.items]
    grouped.past_page = replace(past, items=grouped.past)
    return grouped


@dataclass(frozen=True)
class RegistrationBox:
    """What the registration box on an offering page shows one person."""

    offering: Offering
    seats_left: int | None
    waitlisted: int
    mine: Registration | None
    position: int | None


def registration_box(
    offering: Offering, user: object, placed: Result | None = None
) -> RegistrationBox:
    """The box for `user`; right after they were placed, from what that transaction
    counted under the offering's lock (no query: the rush of a popular training)."""
    if placed is not None and placed.counts is not None and placed.registration is not None:
        counts = placed.counts
        return RegistrationBox(
            offering,
            seats_left(offering, counts.seats_taken),
            counts.waitlisted,
            placed.registration,
            placed.position,
        )
    counts = offering_counts([offering.id]).get(offering.id, Counts())
    mine = None
    if getattr(user, "is_authenticated", False):
        mine = db.session.scalar(
            sa.select(Registration)
            .where(Registration.offering_id == offering.id, Registration.user_id == user.id)  # type: ignore[attr-defined]
            .execution_options(populate_existing=True)
        )
    position = waitlist_position(mine) if mine is not None else None
    return RegistrationBox(
        offering, seats_left(offering, counts.seats_taken), counts.waitlisted, mine, position
    )


APPROVALS_PAGE_SIZE = 25


def approvals_page(
    user: User, search: str = "", at: PageRequest | None = None
) -> Page[Registration]:
    """One page of the registrations waiting for this approver, oldest first: members of
    their own affiliate(s) only; `search` narrows by the member's name or e-mail or the
    training's title."""
    query = (
        sa.select(Registration)
        .join(Registration.user)
        .where(Registration.status == RegistrationStatus.PENDING_APPROVAL)
        .options(
            joinedload(Registration.user),
            joinedload(Registration.offering).selectinload(Offering.sessions),
        )
    )
    scope = approval_scope(user)
    if scope is not None:
        query = query.where(User.affiliate_id.in_(scope or {-1}))
    if search.strip():
        pattern = contains(search)
        title = sa.select(Offering.id).where(
            Offering.id == Registration.offering_id,
            sa.func.lower(Offering.title).like(pattern, escape="\\"),
        )
        query = query.where(
            sa.or_(
                sa.func.lower(User.full_name).like(pattern, escape="\\"),
                User.email.like(pattern, escape="\\"),
                title.exists(),
            )
        )
    order = (Registration.created_at, Registration.id)
    return paginate(query, *order, size=APPROVALS_PAGE_SIZE, at=at, seek=True)
