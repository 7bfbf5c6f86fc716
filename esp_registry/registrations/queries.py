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
from esp_registry.certificates.rules import may_download_certificate
from esp_registry.credit.evaluations.rules import EvaluationState, evaluation_states
from esp_registry.extensions import db
from esp_registry.paging import Page, PageRequest, contains, paginate
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.registrations.rules import (
    Counts,
    Result,
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
    evaluation: EvaluationState | None = None  # the training's evaluation, if it has one

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
    """The member's registrations: upcoming, today / in progress (started, not ended: too
    late to cancel, too early for a certificate), pending approval, waitlisted (with
    position), attended or past (a page of them, latest first), and cancelled or declined."""
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
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    started = sa.and_(first_start.is_not(None), first_start <= now)
    # A confirmed training under way stays with the current ones, even with a day credited.
    in_progress = sa.and_(confirmed, started, sa.or_(last_end.is_(None), last_end >= now))
    is_past = sa.and_(~stopped, ~in_progress, sa.or_(credited > 0, sa.and_(ended, confirmed)))
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
    ids = [r.id for r in (*current, *past.items)]
    hours = credited_hours(ids)
    evaluations = evaluation_states(ids)
    waiting = [r.offering_id for r in current if r.status == RegistrationStatus.WAITLISTED]
    positions = waitlist_positions(waiting)
    grouped = MyTrainings()
    for registration in current:
        credited = hours.get(registration.id, Decimal(0))
        item = MyTraining(
            registration,
            credited,
            positions.get(registration.id),
            cancel=may_cancel(registration, now),
            certificate=_certificate(registration, credited, evaluations, now),
            evaluation=evaluations.get(registration.id),
        )
        offering = registration.offering
        over = offering.ends_at is not None and offering.ends_at < now
        started = offering.starts_at is not None and offering.starts_at <= now
        if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED):
            grouped.cancelled.append(item)
        elif started and not over and registration.status == RegistrationStatus.CONFIRMED:
            grouped.in_progress.append(item)
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
    grouped.past = [_past(r, hours.get(r.id, Decimal(0)), evaluations, now) for r in past.items]
    grouped.past_page = replace(past, items=grouped.past)
    return grouped


def _certificate(
    registration: Registration,
    credited: Decimal,
    evaluations: dict[int, EvaluationState],
    now: datetime,
) -> Decision:
    state = evaluations.get(registration.id)
    owed = state is not None and state.owed
    return may_download_certificate(registration, credited, now, evaluation_owed=owed)


def _past(
    registration: Registration,
    credited: Decimal,
    evaluations: dict[int, EvaluationState],
    now: datetime,
) -> MyTraining:
    return MyTraining(
        registration,
        credited,
        cancel=may_cancel(registration, now),
        certificate=_certificate(registration, credited, evaluations, now),
        evaluation=evaluations.get(registration.id),
    )


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


def registration_box(
    offering: Offering, user: object, now: datetime, placed: Result | None = None
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
            cancel=may_cancel(placed.registration, now),
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
