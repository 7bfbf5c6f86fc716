"""The queries behind "Required for you" and the overdue list: completions are read in
SQL (GROUP BY member and program), a fixed number of queries whatever the history."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from esp_registry.accounts.models import User
from esp_registry.attendance.models import Attendance, AttendanceStatus
from esp_registry.catalog.models import Offering, OfferingStatus, Session, offering_audience
from esp_registry.credit.evaluations.rules import owes_evaluation
from esp_registry.credit.required.models import (
    RenewalKind,
    RequiredTraining,
    required_training_job_families,
)
from esp_registry.credit.required.rules import (
    Standing,
    Status,
    earliest_valid_end,
    expiry_status,
    hours_status,
    valid_until,
)
from esp_registry.extensions import db
from esp_registry.paging import Page, PageRequest, contains
from esp_registry.reference.models import Affiliate, Program
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.registrations.rules import may_register


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _offering_ends() -> Any:
    return (
        sa.select(Session.offering_id, sa.func.max(Session.ends_at).label("ends_at"))
        .group_by(Session.offering_id)
        .subquery("offering_ends")
    )


def last_completions(now: datetime, *, user_id: int | None = None, program_ids: Any = None) -> Any:
    """Per member and program, when their last completed training ended: a confirmed
    seat with credited hours in a training that has ended, its required evaluation (if
    any) answered — what earns a certificate."""
    ends = _offering_ends()
    credited = sa.exists().where(
        Attendance.registration_id == Registration.id,
        Attendance.status == AttendanceStatus.PRESENT,
        Attendance.credited_hours > 0,
    )
    query = (
        sa.select(
            Registration.user_id.label("user_id"),
            Offering.program_id.label("program_id"),
            sa.func.max(ends.c.ends_at).label("last_end"),
        )
        .join(Offering, Offering.id == Registration.offering_id)
        .join(ends, ends.c.offering_id == Offering.id)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            ends.c.ends_at <= now,
            credited,
            sa.not_(owes_evaluation(Registration.id, Offering.id, Offering.program_id)),
        )
        .group_by(Registration.user_id, Offering.program_id)
    )
    if user_id is not None:
        query = query.where(Registration.user_id == user_id)
    if program_ids is not None:
        query = query.where(Offering.program_id.in_(program_ids))
    return query.subquery("last_completions")


def hours_in(
    start: datetime, end: datetime, *, user_id: int | None = None, program_ids: Any = None
) -> Any:
    """Per member and program, the hours credited at sessions that ended in [start, end)."""
    query = (
        sa.select(
            Registration.user_id.label("user_id"),
            Offering.program_id.label("program_id"),
            sa.func.sum(Attendance.credited_hours).label("hours"),
        )
        .join(Attendance, Attendance.registration_id == Registration.id)
        .join(Session, Session.id == Attendance.session_id)
        .join(Offering, Offering.id == Registration.offering_id)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            Attendance.status == AttendanceStatus.PRESENT,
            Session.ends_at >= start,
            Session.ends_at < end,
        )
        .group_by(Registration.user_id, Offering.program_id)
    )
    if user_id is not None:
        query = query.where(Registration.user_id == user_id)
    if program_ids is not None:
        query = query.where(Offering.program_id.in_(program_ids))
    return query.subquery("year_hours")


def year_window(today: date, now: datetime) -> tuple[datetime, datetime]:
    """This calendar year's sessions that have ended by now."""
    return midnight(date(today.year, 1, 1)), min(now, midnight(date(today.year + 1, 1, 1)))


def current_requirements() -> sa.Select[tuple[RequiredTraining]]:
    return sa.select(RequiredTraining).where(RequiredTraining.retired_at.is_(None))


# ---------------------------------------------------------------------------- a member


@dataclass(frozen=True)
class Due:
    """One requirement of the member's job family, where they stand, and where to go."""

    requirement: RequiredTraining
    status: Status
    next_offering: Offering | None


def status_of(
    requirement: RequiredTraining, last_end: datetime | None, hours: Decimal, today: date
) -> Status:
    if requirement.kind == RenewalKind.HOURS:
        assert requirement.hours_per_year is not None
        return hours_status(hours, requirement.hours_per_year, today)
    assert requirement.valid_months is not None
    completed_on = last_end.date() if last_end is not None else None
    return expiry_status(completed_on, requirement.valid_months, today)


ORDER = {
    Standing.OVERDUE: 0,
    Standing.NEVER_DONE: 1,
    Standing.DUE_SOON: 2,
    Standing.IN_PROGRESS: 3,
    Standing.MET: 4,
}


def required_for(user: User, now: datetime) -> list[Due]:
    """Each current requirement of the member's job family with their status and the next
    offering they may register for; four or five queries, whatever their history."""
    today = now.date()
    requirements = list(
        db.session.scalars(
            current_requirements()
            .join(
                required_training_job_families,
                required_training_job_families.c.required_training_id == RequiredTraining.id,
            )
            .where(required_training_job_families.c.job_family_id == user.job_family_id)
            .options(joinedload(RequiredTraining.program))
        )
    )
    if not requirements:
        return []
    program_ids = [r.program_id for r in requirements]
    completions = last_completions(now, user_id=user.id)
    last_ends = dict(
        db.session.execute(
            sa.select(completions.c.program_id, completions.c.last_end).where(
                completions.c.program_id.in_(program_ids)
            )
        ).all()
    )
    start, end = year_window(today, now)
    year = hours_in(start, end, user_id=user.id)
    hours = {
        program_id: Decimal(total)
        for program_id, total in db.session.execute(
            sa.select(year.c.program_id, year.c.hours).where(year.c.program_id.in_(program_ids))
        )
    }
    offerings = next_offerings(user, program_ids, now)
    dues = [
        Due(
            r,
            status_of(
                r, _aware(last_ends.get(r.program_id)), hours.get(r.program_id, Decimal(0)), today
            ),
            offerings.get(r.program_id),
        )
        for r in requirements
    ]
    dues.sort(key=lambda d: (ORDER[d.status.standing], d.status.due_on, d.requirement.id))
    return dues


def _aware(value: datetime | None) -> datetime | None:
    """A max() over a UTC column comes back naive from SQLite: it is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


NEXT_OFFERINGS_LIMIT = 60


def open_offerings(
    affiliate_id: int, job_family_id: int, program_ids: list[int], now: datetime
) -> list[Offering]:
    """The programs' published offerings still to start, soonest first, for this job
    family (or everyone) and hosted nationally or by this affiliate."""
    if not program_ids:
        return []
    first_start = (
        sa.select(sa.func.min(Session.starts_at))
        .where(Session.offering_id == Offering.id)
        .scalar_subquery()
    )
    for_everyone = ~sa.exists().where(offering_audience.c.offering_id == Offering.id)
    for_family = sa.exists().where(
        offering_audience.c.offering_id == Offering.id,
        offering_audience.c.job_family_id == job_family_id,
    )
    return list(
        db.session.scalars(
            sa.select(Offering)
            .where(
                Offering.program_id.in_(program_ids),
                Offering.status == OfferingStatus.PUBLISHED,
                first_start > now,
                sa.or_(
                    Offering.host_affiliate_id.is_(None),
                    Offering.host_affiliate_id == affiliate_id,
                ),
                sa.or_(for_everyone, for_family),
            )
            .order_by(first_start, Offering.id)
            .limit(NEXT_OFFERINGS_LIMIT)
            .options(
                selectinload(Offering.sessions),
                selectinload(Offering.audience),
                joinedload(Offering.parent),
                joinedload(Offering.host_affiliate),
            )
        )
    )


def next_offerings(
    user: User, program_ids: list[int], now: datetime, candidates: list[Offering] | None = None
) -> dict[int, Offering]:
    """Per program, the soonest offering the member may register for now (may_register):
    among `candidates` when the caller has them (the reminders share them per affiliate
    and job family), else among the open offerings read for this member."""
    if candidates is None:
        candidates = open_offerings(user.affiliate_id, user.job_family_id, program_ids, now)
    found: dict[int, Offering] = {}
    for offering in candidates:
        if offering.program_id in found or offering.program_id not in program_ids:
            continue
        if may_register(user, offering, now).allowed:
            found[offering.program_id] = offering
    return found


def certificate_expiry(offering: Offering, today: date) -> tuple[date, bool] | None:
    """For a certificate of this offering: its last valid day, and whether that has
    passed, when its program has a current requirement with expiry; else None."""
    months = db.session.scalar(
        sa.select(RequiredTraining.valid_months).where(
            RequiredTraining.program_id == offering.program_id,
            RequiredTraining.retired_at.is_(None),
            RequiredTraining.kind == RenewalKind.EXPIRY,
        )
    )
    ends = offering.ends_at
    if not months or ends is None:
        return None
    last = valid_until(ends.date(), months)
    return last, last < today


# ---------------------------------------------------------------------------- overdue list


@dataclass(frozen=True)
class OverdueRow:
    """A member who is overdue on (or never did) a requirement of their job family."""

    user_id: int
    full_name: str
    email: str
    affiliate_code: str
    requirement_id: int
    program_name: str
    kind: RenewalKind
    last_end: datetime | None
    hours: Decimal
    target: Decimal | None
    valid_months: int | None
    today: date

    @property
    def standing(self) -> Standing:
        if self.kind == RenewalKind.HOURS:
            return Standing.OVERDUE
        return Standing.NEVER_DONE if self.last_end is None else Standing.OVERDUE

    @property
    def expired_on(self) -> date | None:
        if self.kind != RenewalKind.EXPIRY or self.last_end is None or not self.valid_months:
            return None
        return valid_until(self.last_end.date(), self.valid_months)

    @property
    def last_year(self) -> int:
        return self.today.year - 1


@dataclass(frozen=True)
class OverdueFilters:
    scope: frozenset[int] | None  # the members' affiliates (None: all)
    requirement_id: int | None = None
    search: str = ""


def overdue_query(f: OverdueFilters, now: datetime) -> sa.Select[Any]:
    """Members (active accounts) of the affiliates in scope who are overdue: an expiry-based
    requirement whose last certificate has expired or who never completed it; an hours-based
    one short of its target in the last full calendar year (when the requirement already
    existed then). One query, completions grouped in SQL."""
    today = now.date()
    r = RequiredTraining
    j = required_training_job_families
    required_programs = sa.select(r.program_id).where(r.retired_at.is_(None))
    completions = last_completions(now, program_ids=required_programs)
    this_year = midnight(date(today.year, 1, 1))
    last_year = hours_in(
        midnight(date(today.year - 1, 1, 1)), this_year, program_ids=required_programs
    )
    months = db.session.scalars(
        sa.select(r.valid_months)
        .where(r.retired_at.is_(None), r.valid_months.is_not(None))
        .distinct()
    ).all()
    # An expiry-based requirement is overdue when never done or its certificate expired;
    # with none in force that branch matches nobody (a comparison with NULL cannot be built).
    expired: Any = sa.false()
    if months:
        cutoff = sa.case(
            {m: midnight(earliest_valid_end(today, m)) for m in months}, value=r.valid_months
        )
        expired = sa.or_(completions.c.last_end.is_(None), completions.c.last_end < cutoff)
    hours = sa.func.coalesce(last_year.c.hours, 0)
    query = (
        sa.select(
            User.id,
            User.full_name,
            User.email,
            Affiliate.code,
            r.id.label("requirement_id"),
            Program.name,
            r.kind,
            completions.c.last_end,
            hours.label("hours"),
            r.hours_per_year,
            r.valid_months,
        )
        .select_from(User)
        .join(Affiliate, Affiliate.id == User.affiliate_id)
        .join(j, j.c.job_family_id == User.job_family_id)
        .join(r, sa.and_(r.id == j.c.required_training_id, r.retired_at.is_(None)))
        .join(Program, Program.id == r.program_id)
        .outerjoin(
            completions,
            sa.and_(completions.c.user_id == User.id, completions.c.program_id == r.program_id),
        )
        .outerjoin(
            last_year,
            sa.and_(last_year.c.user_id == User.id, last_year.c.program_id == r.program_id),
        )
        .where(
            User.deactivated_at.is_(None),
            User.closed_at.is_(None),
            sa.or_(
                sa.and_(
                    r.kind == RenewalKind.EXPIRY,
                    expired,
                ),
                sa.and_(
                    r.kind == RenewalKind.HOURS,
                    r.created_at < this_year,
                    hours < r.hours_per_year,
                ),
            ),
        )
    )
    if f.scope is not None:
        query = query.where(User.affiliate_id.in_(f.scope or {-1}))
    if f.requirement_id is not None:
        query = query.where(r.id == f.requirement_id)
    if f.search.strip():
        pattern = contains(f.search)
        query = query.where(
            sa.or_(
                sa.func.lower(User.full_name).like(pattern, escape="\\"),
                sa.func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    return query


OVERDUE_ORDER = (User.full_name, User.id, RequiredTraining.id)


def _row(values: Any, today: date) -> OverdueRow:
    (user_id, name, email, code, requirement_id, program, kind, last_end, hours, target, months) = (
        values
    )
    return OverdueRow(
        user_id, name, email, code, requirement_id, program, RenewalKind(kind),
        _aware(last_end), Decimal(hours or 0), target, months, today,
    )  # fmt: skip


OVERDUE_PAGE_SIZE = 25


def overdue_page(f: OverdueFilters, now: datetime, at: PageRequest) -> Page[OverdueRow]:
    """One page of the overdue list (two queries: the count, then the rows). Read by
    offset: its rows are tuples of several tables, which paging.paginate does not return."""
    query = overdue_query(f, now)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    size = OVERDUE_PAGE_SIZE
    pages = max(1, -(-total // size))
    number = min(max(at.page, 1), pages)
    rows = db.session.execute(
        query.order_by(*OVERDUE_ORDER).limit(size).offset((number - 1) * size)
    )
    items = [_row(values, now.date()) for values in rows]
    return Page(
        items, total, number, pages, size, shown_from=at.shown_from, more=at.more,
        prefix=at.prefix,
    )  # fmt: skip


def overdue_rows(f: OverdueFilters, now: datetime) -> Iterator[OverdueRow]:
    """Every row, for the CSV, read in batches."""
    result = db.session.execute(
        overdue_query(f, now).order_by(*OVERDUE_ORDER).execution_options(yield_per=1000)
    )
    for values in result:
        yield _row(values, now.date())
