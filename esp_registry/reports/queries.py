"""The numbers behind every report, aggregated in SQL: each function is one GROUP BY query
whatever the number of members, and returns a short list of rows (one per job family,
affiliate, program, offering or month). Scope and filters are applied here, on the server.

Participation counts a registration by the year of its training's first session and by the
member's own affiliate and job family; attendance looks only at trainings that have ended.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.attendance.models import Attendance, AttendanceStatus
from esp_registry.catalog.models import Offering, OfferingFormat, Session
from esp_registry.certificates.models import Certificate
from esp_registry.columns import UTCDateTime, utcnow
from esp_registry.extensions import db
from esp_registry.lft.models import NATIONAL as LFT_NATIONAL
from esp_registry.lft.models import LftApplication, LftCycle, LftScore, LftStatus
from esp_registry.mentoring.models import (
    MentoringLog,
    MentoringPairing,
    MentoringRequest,
    MentorProfile,
    MentorStatus,
    PairingStatus,
    RequestStatus,
)
from esp_registry.reference.models import Affiliate, JobFamily, Program
from esp_registry.registrations.models import Registration, RegistrationStatus

NOT_REGISTERED = (RegistrationStatus.DECLINED, RegistrationStatus.CANCELLED)
CSV_BATCH = 2000


@dataclass(frozen=True)
class Filters:
    """What a report counts: `scope` is the members' affiliates (None: all of them)."""

    scope: frozenset[int] | None
    year_from: int
    year_to: int
    program_id: int | None = None
    job_family_id: int | None = None
    format: OfferingFormat | None = None

    @property
    def one_year(self) -> bool:
        return self.year_from == self.year_to


@dataclass(frozen=True)
class ParticipationRow:
    key: Any
    label: str
    registrations: int
    attendees: int
    hours: Decimal


@dataclass(frozen=True)
class AttendanceRow:
    key: Any
    label: str
    confirmed: int
    attended: int
    no_shows: int
    waited: int
    promoted: int
    never_seated: int
    cancelled: int
    seats_taken: int
    capacity: int | None

    @property
    def attendance_rate(self) -> float | None:
        return self.attended / self.confirmed if self.confirmed else None

    @property
    def no_show_rate(self) -> float | None:
        return self.no_shows / self.confirmed if self.confirmed else None

    @property
    def fill_rate(self) -> float | None:
        return self.seats_taken / self.capacity if self.capacity else None


def _hours(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _span() -> sa.Subquery:
    """Each offering's first start and last end (its year is the year of its first session)."""
    return (
        sa.select(
            Session.offering_id,
            sa.func.min(Session.starts_at).label("starts_at"),
            sa.func.max(Session.ends_at).label("ends_at"),
        )
        .group_by(Session.offering_id)
        .subquery("span")
    )


def _attendance_per_registration() -> sa.Subquery:
    present = Attendance.status == AttendanceStatus.PRESENT
    return (
        sa.select(
            Attendance.registration_id,
            sa.func.sum(sa.case((present, Attendance.credited_hours), else_=0)).label("hours"),
            sa.func.max(sa.case((present, 1), else_=0)).label("attended"),
        )
        .group_by(Attendance.registration_id)
        .subquery("att")
    )


def _offering_filters(query: sa.Select[Any], f: Filters, span: sa.Subquery) -> sa.Select[Any]:
    start = datetime(f.year_from, 1, 1, tzinfo=UTC)
    end = datetime(f.year_to + 1, 1, 1, tzinfo=UTC)
    query = query.where(span.c.starts_at >= start, span.c.starts_at < end)
    if f.program_id:
        query = query.where(Offering.program_id == f.program_id)
    if f.format:
        query = query.where(Offering.format == f.format)
    return query


def registrations_in_scope(
    f: Filters, *, ended_only: bool = False, as_cte: bool = False
) -> sa.Subquery | sa.CTE:
    """One row per registration the filters and the scope let through, with its credited
    hours and whether the member attended any session."""
    span, att = _span(), _attendance_per_registration()
    query = (
        sa.select(
            Registration.id.label("registration_id"),
            Registration.offering_id,
            Registration.status,
            Registration.first_waitlisted_at.label("waitlisted_at"),
            Offering.program_id,
            User.affiliate_id,
            User.job_family_id,
            span.c.starts_at,
            sa.func.coalesce(att.c.hours, 0).label("hours"),
            sa.func.coalesce(att.c.attended, 0).label("attended"),
        )
        .join(Offering, Offering.id == Registration.offering_id)
        .join(User, User.id == Registration.user_id)
        .join(span, span.c.offering_id == Registration.offering_id)
        .outerjoin(att, att.c.registration_id == Registration.id)
    )
    query = _offering_filters(query, f, span)
    if f.scope is not None:
        query = query.where(User.affiliate_id.in_(f.scope or {-1}))
    if f.job_family_id:
        query = query.where(User.job_family_id == f.job_family_id)
    if ended_only:
        query = query.where(span.c.ends_at < utcnow())
    return query.cte("r") if as_cte else query.subquery("r")


def _period(r: sa.Subquery, f: Filters) -> tuple[Any, ...]:
    """Years, or months when the range is one year."""
    year = sa.extract("year", r.c.starts_at)
    return (year, sa.extract("month", r.c.starts_at)) if f.one_year else (year,)


def _dimension(r: sa.Subquery, dimension: str, f: Filters) -> tuple[list[Any], Any, Any]:
    """(group-by columns, label column, the join) for a dimension."""
    if dimension == "job_family":
        return (
            [JobFamily.id, JobFamily.name],
            JobFamily.name,
            (JobFamily, JobFamily.id == r.c.job_family_id),
        )
    if dimension == "affiliate":
        return (
            [Affiliate.id, Affiliate.name],
            Affiliate.name,
            (Affiliate, Affiliate.id == r.c.affiliate_id),
        )
    if dimension == "program":
        return [Program.id, Program.name], Program.name, (Program, Program.id == r.c.program_id)
    raise ValueError(dimension)


PARTICIPATION_TABLES = ("job_family", "affiliate", "program", "period")


def participation_by(f: Filters, dimension: str) -> list[ParticipationRow]:
    """Registrations (not declined or cancelled), attendees (present at a session at least
    once) and credited hours, per job family, affiliate, program or period."""
    r = registrations_in_scope(f)
    registered = sa.func.sum(sa.case((r.c.status.not_in(NOT_REGISTERED), 1), else_=0))
    numbers = (
        registered.label("registrations"),
        sa.func.sum(r.c.attended).label("attendees"),
        sa.func.sum(r.c.hours).label("hours"),
    )
    if dimension == "period":
        keys = _period(r, f)
        query = sa.select(*keys, *numbers).select_from(r).group_by(*keys).order_by(*keys)
        rows = db.session.execute(query).all()
        return [
            ParticipationRow(
                tuple(int(k) for k in row[: len(keys)]),
                "-".join(f"{int(k):02d}" for k in row[: len(keys)]),
                int(row.registrations or 0),
                int(row.attendees or 0),
                _hours(row.hours),
            )
            for row in rows
        ]
    keys, label, (table, on) = _dimension(r, dimension, f)
    query = (
        sa.select(*keys, *numbers).select_from(r).join(table, on).group_by(*keys).order_by(label)
    )
    return [
        ParticipationRow(
            row[0], row[1], int(row.registrations or 0), int(row.attendees or 0), _hours(row.hours)
        )
        for row in db.session.execute(query)
    ]


ATTENDANCE_TABLES = ("offering", "program", "affiliate")
LATEST_OFFERINGS = 25


def _attendance_select(
    r: sa.Subquery | sa.CTE, f: Filters, dimension: str, limit: int | None
) -> sa.Select[Any]:
    """One attendance table's query over the registrations `r`: key, label, the counts,
    seats taken, capacity, and (offerings) the start that orders them."""
    confirmed = r.c.status == RegistrationStatus.CONFIRMED
    waited = r.c.waitlisted_at.is_not(None)

    def count(condition: Any) -> Any:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    numbers = [
        count(confirmed).label("confirmed"),
        count(sa.and_(confirmed, r.c.attended == 1)).label("attended"),
        count(sa.and_(confirmed, r.c.attended == 0)).label("no_shows"),
        count(waited).label("waited"),
        count(sa.and_(waited, confirmed)).label("promoted"),
        count(sa.and_(waited, sa.not_(confirmed))).label("never_seated"),
        count(r.c.status == RegistrationStatus.CANCELLED).label("cancelled"),
    ]
    seats = count(sa.and_(confirmed, Offering.capacity.is_not(None))).label("seats")
    if dimension == "offering":
        latest = sa.func.max(r.c.starts_at)
        query = (
            sa.select(
                Offering.id.label("key"),
                Offering.title.label("label"),
                *numbers,
                seats,
                Offering.capacity.label("capacity"),
                latest.label("sort_at"),
            )
            .select_from(r)
            .join(Offering, Offering.id == r.c.offering_id)
            .group_by(Offering.id, Offering.title, Offering.capacity)
            .order_by(latest.desc(), Offering.id.desc())
        )
        return query.limit(limit) if limit else query
    no_start = sa.cast(sa.null(), UTCDateTime()).label("sort_at")
    if dimension == "program":
        # Capacity is summed per offering first, so a program's seats are not multiplied
        # by its registrations.
        span = _span()
        capacity = _offering_filters(
            sa.select(Offering.program_id, sa.func.sum(Offering.capacity).label("capacity"))
            .join(span, span.c.offering_id == Offering.id)
            .where(span.c.ends_at < utcnow(), Offering.capacity.is_not(None))
            .group_by(Offering.program_id),
            f,
            span,
        ).subquery("capacity")
        return (
            sa.select(
                Program.id.label("key"),
                Program.name.label("label"),
                *numbers,
                seats,
                sa.cast(sa.func.max(capacity.c.capacity), sa.Integer).label("capacity"),
                no_start,
            )
            .select_from(r)
            .join(Program, Program.id == r.c.program_id)
            .join(Offering, Offering.id == r.c.offering_id)
            .outerjoin(capacity, capacity.c.program_id == Program.id)
            .group_by(Program.id, Program.name)
        )
    keys, label, (table, on) = _dimension(r, dimension, f)
    return (
        sa.select(
            keys[0].label("key"),
            label.label("label"),
            *numbers,
            sa.literal(0, sa.Integer).label("seats"),
            sa.cast(sa.null(), sa.Integer).label("capacity"),
            no_start,
        )
        .select_from(r)
        .join(table, on)
        .group_by(*keys)
    )


def _attendance_row(row: Any) -> AttendanceRow:
    counts = (int(getattr(row, name) or 0) for name in ATTENDANCE_COUNTS)
    return AttendanceRow(row.key, row.label, *counts, row.capacity)


ATTENDANCE_COUNTS = (
    "confirmed",
    "attended",
    "no_shows",
    "waited",
    "promoted",
    "never_seated",
    "cancelled",
    "seats",
)


def _ordered(
    dimension: str, rows: list[AttendanceRow], starts: dict[Any, Any]
) -> list[AttendanceRow]:
    if dimension == "offering":  # the latest first
        return sorted(rows, key=lambda r: (starts[r.key], r.key), reverse=True)
    return sorted(rows, key=lambda r: r.label)


def attendance_by(f: Filters, dimension: str, *, limit: int | None = None) -> list[AttendanceRow]:
    """For trainings that have ended: confirmed members, who attended, who were no-shows
    (confirmed but absent from every session), waitlist demand (waited, promoted, never
    seated), cancellations, and seats taken against capacity (per offering and program)."""
    r = registrations_in_scope(f, ended_only=True)
    rows = list(db.session.execute(_attendance_select(r, f, dimension, limit)))
    starts = {row.key: row.sort_at for row in rows}
    return _ordered(dimension, [_attendance_row(row) for row in rows], starts)


def attendance_tables(f: Filters, *, latest_offerings: int = 25) -> dict[str, list[AttendanceRow]]:
    """The three attendance tables in ONE statement over the registrations found once."""
    r = registrations_in_scope(f, ended_only=True, as_cte=True)
    parts = []
    for dimension in ATTENDANCE_TABLES:
        limit = latest_offerings if dimension == "offering" else None
        table = _attendance_select(r, f, dimension, limit).subquery(f"t_{dimension}")
        parts.append(sa.select(sa.literal(dimension, sa.String).label("dimension"), table))
    found: dict[str, list[Any]] = {d: [] for d in ATTENDANCE_TABLES}
    for row in db.session.execute(sa.union_all(*parts)):
        found[row.dimension].append(row)
    return {
        d: _ordered(
            d, [_attendance_row(row) for row in rows], {row.key: row.sort_at for row in rows}
        )
        for d, rows in found.items()
    }


REGISTRATION_COLUMNS = [
    "registration_id",
    "offering_id",
    "offering",
    "program",
    "format",
    "starts_on",
    "member_id",
    "affiliate",
    "job_family",
    "status",
    "waitlisted",
    "attended",
    "credited_hours",
]


def registration_rows(f: Filters) -> Iterator[list[Any]]:
    """Every registration in scope, one row each, read in batches from a server-side cursor
    (constant memory however many there are)."""
    r = registrations_in_scope(f)
    query = (
        sa.select(
            r.c.registration_id,
            r.c.offering_id,
            Offering.title,
            Program.name,
            Offering.format,
            r.c.starts_at,
            Registration.user_id,
            Affiliate.code,
            JobFamily.name,
            r.c.status,
            r.c.waitlisted_at,
            r.c.attended,
            r.c.hours,
        )
        .select_from(r)
        .join(Registration, Registration.id == r.c.registration_id)
        .join(Offering, Offering.id == r.c.offering_id)
        .join(Program, Program.id == r.c.program_id)
        .join(Affiliate, Affiliate.id == r.c.affiliate_id)
        .join(JobFamily, JobFamily.id == r.c.job_family_id)
        .order_by(r.c.registration_id)
        .execution_options(yield_per=CSV_BATCH)
    )
    for row in db.session.execute(query):
        yield [
            row[0],
            row[1],
            row[2],
            row[3],
            str(row[4]),
            row[5].date().isoformat() if row[5] else "",
            row[6],
            row[7],
            row[8],
            str(row[9]),
            "yes" if row[10] else "no",
            "yes" if row[11] else "no",
            _hours(row[12]),
        ]


@dataclass(frozen=True)
class CountRow:
    key: Any
    label: str
    count: int
    hours: Decimal


def certificates_by_month(f: Filters) -> list[CountRow]:
    """Training certificates issued per month (current ones: a reissue is not counted
    twice, a revoked one not at all), by the member's affiliate and job family."""
    year = sa.extract("year", Certificate.issued_at)
    month = sa.extract("month", Certificate.issued_at)
    start = datetime(f.year_from, 1, 1, tzinfo=UTC)
    end = datetime(f.year_to + 1, 1, 1, tzinfo=UTC)
    query = (
        sa.select(year, month, sa.func.count(Certificate.id), sa.func.sum(Certificate.hours))
        .join(Registration, Registration.id == Certificate.registration_id)
        .join(Offering, Offering.id == Registration.offering_id)
        .join(User, User.id == Registration.user_id)
        .where(
            Certificate.replaced_by_id.is_(None),
            Certificate.revoked_at.is_(None),
            Certificate.issued_at >= start,
            Certificate.issued_at < end,
        )
        .group_by(year, month)
        .order_by(year, month)
    )
    if f.scope is not None:
        query = query.where(User.affiliate_id.in_(f.scope or {-1}))
    if f.job_family_id:
        query = query.where(User.job_family_id == f.job_family_id)
    if f.program_id:
        query = query.where(Offering.program_id == f.program_id)
    if f.format:
        query = query.where(Offering.format == f.format)
    return [
        CountRow((int(y), int(m)), f"{int(y)}-{int(m):02d}", int(n), _hours(h))
        for y, m, n, h in db.session.execute(query)
    ]


BUSIEST = 10


def busiest_trainings(f: Filters, limit: int | None = BUSIEST) -> list[CountRow]:
    """The trainings with the most attendees (then credited hours)."""
    r = registrations_in_scope(f)
    attendees = sa.func.sum(r.c.attended)
    query = (
        sa.select(Offering.id, Offering.title, attendees, sa.func.sum(r.c.hours))
        .select_from(r)
        .join(Offering, Offering.id == r.c.offering_id)
        .group_by(Offering.id, Offering.title)
        .order_by(attendees.desc(), sa.func.sum(r.c.hours).desc(), Offering.id)
    )
    if limit:
        query = query.limit(limit)
    return [CountRow(i, t, int(n or 0), _hours(h)) for i, t, n, h in db.session.execute(query)]


STAGES = ("started", "submitted", "endorsed", "scored", "selected", "alternate", "confirmed")


@dataclass(frozen=True)
class PipelineRow:
    key: Any
    label: str
    cycle: int
    started: int
    submitted: int
    endorsed: int
    scored: int
    selected: int
    alternate: int
    confirmed: int

    def conversion(self, stage: str) -> float | None:
        """This stage as a share of the one before it (selected and alternate both follow
        scored; confirmed follows selected)."""
        before = {"selected": "scored", "alternate": "scored", "confirmed": "selected"}.get(
            stage, STAGES[max(STAGES.index(stage) - 1, 0)]
        )
        if stage == "started":
            return None
        previous = getattr(self, before)
        return getattr(self, stage) / previous if previous else None


def lft_pipeline(f: Filters, *, by_affiliate: bool) -> list[PipelineRow]:
    """Leaders for Tomorrow per cycle (and affiliate): applications started (drafts too),
    submitted, endorsed by the affiliate, scored by a reviewer, selected or alternate, and
    confirmed by the applicant. A stage counts everyone who reached it, whatever came next."""
    status = LftApplication.status
    scored = sa.exists().where(LftScore.application_id == LftApplication.id)
    national = status.in_(LFT_NATIONAL)

    def count(condition: Any) -> Any:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    numbers = (
        sa.func.count(LftApplication.id),
        count(LftApplication.submitted_at.is_not(None)),
        count(national),
        count(sa.and_(national, scored)),
        count(status.in_((LftStatus.SELECTED, LftStatus.ACCEPTED, LftStatus.REFUSED))),
        count(status == LftStatus.ALTERNATE),
        count(status == LftStatus.ACCEPTED),
    )
    keys: list[Any] = [LftCycle.year]
    query = (
        sa.select(LftCycle.year)
        .select_from(LftApplication)
        .join(LftCycle, LftCycle.id == LftApplication.cycle_id)
    )
    if by_affiliate:
        keys += [Affiliate.id, Affiliate.name]
        query = query.join(Affiliate, Affiliate.id == LftApplication.affiliate_id)
    query = (
        query.add_columns(*keys[1:], *numbers)
        .where(LftCycle.year >= f.year_from, LftCycle.year <= f.year_to)
        .group_by(*keys)
        .order_by(LftCycle.year.desc(), *keys[2:])
    )
    if f.scope is not None:
        query = query.where(LftApplication.affiliate_id.in_(f.scope or {-1}))
    if f.job_family_id:
        query = query.where(LftApplication.job_family_id == f.job_family_id)
    rows = []
    for row in db.session.execute(query):
        cycle, rest = int(row[0]), list(row[1:])
        if by_affiliate:
            key, label, rest = rest[0], rest[1], rest[2:]
        else:
            key, label = cycle, str(cycle)
        rows.append(PipelineRow(key, label, cycle, *(int(v or 0) for v in rest)))
    return rows


@dataclass
class MentoringRow:
    key: Any
    label: str
    mentors_available: int = 0
    open_places: int = 0
    requests_waiting: int = 0
    active_pairings: int = 0
    matched: int = 0
    days_to_match: float | None = None
    completed: int = 0


def _days_between(start: Any, end: Any) -> Any:
    """Days from one time to another, in SQL (each database spells it differently)."""
    if db.engine.dialect.name == "sqlite":
        return sa.func.julianday(end) - sa.func.julianday(start)
    return sa.extract("epoch", end - start) / 86400.0


def mentoring_by(f: Filters, dimension: str) -> list[MentoringRow]:
    """Per affiliate or job family: active mentors with a free place (and how many places),
    requests waiting for a mentor, active pairings; and, in the year range, pairings
    matched, the average days from request to match, and pairings completed. Three
    grouped queries whatever the number of people."""
    column = "affiliate_id" if dimension == "affiliate" else "job_family_id"
    table, label = (
        (Affiliate, Affiliate.name) if dimension == "affiliate" else (JobFamily, JobFamily.name)
    )
    start = datetime(f.year_from, 1, 1, tzinfo=UTC)
    end = datetime(f.year_to + 1, 1, 1, tzinfo=UTC)

    def scoped(query: sa.Select[Any], model: Any) -> sa.Select[Any]:
        if f.scope is not None:
            query = query.where(model.affiliate_id.in_(f.scope or {-1}))
        if f.job_family_id:
            query = query.where(model.job_family_id == f.job_family_id)
        return query

    taken = (
        sa.select(MentoringPairing.mentor_profile_id, sa.func.count().label("taken"))
        .where(MentoringPairing.status == PairingStatus.ACTIVE)
        .group_by(MentoringPairing.mentor_profile_id)
        .subquery("taken")
    )
    free = MentorProfile.capacity - sa.func.coalesce(taken.c.taken, 0)
    key = getattr(MentorProfile, column)
    mentors = scoped(
        sa.select(key, sa.func.count(), sa.func.sum(free))
        .outerjoin(taken, taken.c.mentor_profile_id == MentorProfile.id)
        .where(MentorProfile.status == MentorStatus.ACTIVE, free > 0)
        .group_by(key),
        MentorProfile,
    )
    key = getattr(MentoringRequest, column)
    waiting = scoped(
        sa.select(key, sa.func.count())
        .where(MentoringRequest.status == RequestStatus.OPEN)
        .group_by(key),
        MentoringRequest,
    )
    in_range = sa.and_(MentoringPairing.created_at >= start, MentoringPairing.created_at < end)
    closed_in_range = sa.and_(MentoringPairing.closed_at >= start, MentoringPairing.closed_at < end)
    pairings = scoped(
        sa.select(
            key,
            sa.func.sum(sa.case((MentoringPairing.status == PairingStatus.ACTIVE, 1), else_=0)),
            sa.func.sum(sa.case((in_range, 1), else_=0)),
            sa.func.avg(
                sa.case(
                    (
                        in_range,
                        _days_between(MentoringRequest.created_at, MentoringPairing.created_at),
                    )
                )
            ),
            sa.func.sum(
                sa.case(
                    (
                        sa.and_(
                            MentoringPairing.status == PairingStatus.COMPLETED, closed_in_range
                        ),
                        1,
                    ),
                    else_=0,
                )
            ),
        )
        .join(MentoringPairing, MentoringPairing.request_id == MentoringRequest.id)
        .group_by(key),
        MentoringRequest,
    )
    rows: dict[Any, MentoringRow] = {}

    def row(k: Any) -> MentoringRow:
        return rows.setdefault(k, MentoringRow(k, ""))

    for k, count, places in db.session.execute(mentors):
        row(k).mentors_available, row(k).open_places = int(count), int(places or 0)
    for k, count in db.session.execute(waiting):
        row(k).requests_waiting = int(count)
    for k, active, matched, days, completed in db.session.execute(pairings):
        r = row(k)
        r.active_pairings, r.matched, r.completed = (
            int(active or 0),
            int(matched or 0),
            int(completed or 0),
        )
        r.days_to_match = float(days) if days is not None else None
    if rows:
        names = dict(db.session.execute(sa.select(table.id, label).where(table.id.in_(rows))).all())
        for k, r in rows.items():
            r.label = names.get(k, "")
    return sorted(rows.values(), key=lambda r: r.label)


@dataclass(frozen=True)
class ActivityRow:
    key: str
    label: str
    logs: int
    hours: Decimal


def mentoring_hours_by_activity(f: Filters) -> list[ActivityRow]:
    """Hours logged in the year range per activity type (pairings of the scope's mentees)."""
    query = (
        sa.select(MentoringLog.activity, sa.func.count(), sa.func.sum(MentoringLog.hours))
        .join(MentoringPairing, MentoringPairing.id == MentoringLog.pairing_id)
        .join(MentoringRequest, MentoringRequest.id == MentoringPairing.request_id)
        .where(
            MentoringLog.on_date >= date(f.year_from, 1, 1),
            MentoringLog.on_date <= date(f.year_to, 12, 31),
        )
        .group_by(MentoringLog.activity)
        .order_by(MentoringLog.activity)
    )
    if f.scope is not None:
        query = query.where(MentoringRequest.affiliate_id.in_(f.scope or {-1}))
    if f.job_family_id:
        query = query.where(MentoringRequest.job_family_id == f.job_family_id)
    return [ActivityRow(str(a), str(a), int(n), _hours(h)) for a, n, h in db.session.execute(query)]


def participation_tables(
    f: Filters, dimensions: tuple[str, ...] = PARTICIPATION_TABLES
) -> dict[str, list[ParticipationRow]]:
    """Several participation tables in ONE statement: the registrations in scope are found
    once (a common table expression) and grouped once per dimension (UNION ALL), instead of
    one full query per table."""
    r = registrations_in_scope(f, as_cte=True)
    registered = sa.func.sum(sa.case((r.c.status.not_in(NOT_REGISTERED), 1), else_=0))
    numbers = (
        registered.label("registrations"),
        sa.func.sum(r.c.attended).label("attendees"),
        sa.func.sum(r.c.hours).label("hours"),
    )
    parts = []
    for dimension in dimensions:
        name = sa.literal(dimension, sa.String).label("dimension")
        if dimension == "period":
            year = sa.cast(sa.extract("year", r.c.starts_at), sa.Integer)
            month = sa.cast(sa.extract("month", r.c.starts_at), sa.Integer)
            second = month if f.one_year else sa.literal(0, sa.Integer)
            parts.append(
                sa.select(
                    name,
                    year.label("k1"),
                    second.label("k2"),
                    sa.literal("", sa.String).label("label"),
                    *numbers,
                )
                .select_from(r)
                .group_by(year, second)
            )
            continue
        keys, label, (table, on) = _dimension(r, dimension, f)
        parts.append(
            sa.select(
                name,
                keys[0].label("k1"),
                sa.literal(0, sa.Integer).label("k2"),
                label.label("label"),
                *numbers,
            )
            .select_from(r)
            .join(table, on)
            .group_by(*keys)
        )
    tables: dict[str, list[ParticipationRow]] = {d: [] for d in dimensions}
    for row in db.session.execute(sa.union_all(*parts)):
        if row.dimension == "period":
            key = (int(row.k1), int(row.k2)) if f.one_year else (int(row.k1),)
            label = "-".join(f"{k:02d}" for k in key)
        else:
            key, label = row.k1, row.label
        tables[row.dimension].append(
            ParticipationRow(
                key, label, int(row.registrations or 0), int(row.attendees or 0), _hours(row.hours)
            )
        )
    for name, rows in tables.items():
        rows.sort(key=(lambda r: r.key) if name == "period" else (lambda r: r.label))
    return tables
