"""Attendance rules of PRODUCT §6."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload

from esp_registry.accounts.models import User
from esp_registry.attendance.models import (
    Attendance,
    AttendanceChange,
    AttendanceEvent,
    AttendanceStatus,
)
from esp_registry.catalog.models import OfferingStatus, Session
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.paging import Page, PageRequest, contains, paginate
from esp_registry.registrations.models import Registration, RegistrationStatus


@dataclass(frozen=True)
class RosterRow:
    registration: Registration
    attendance: Attendance | None

    @property
    def status(self) -> AttendanceStatus | None:
        return self.attendance.status if self.attendance else None


ROSTER_PAGE_SIZE = 25  # a phone screen or two; at the door, the search finds the rest


def _matching(query: sa.Select, search: str) -> sa.Select:  # type: ignore[type-arg]
    """Registrants whose name, e-mail or local contains `search` (any case)."""
    search = search.strip()
    if not search:
        return query
    pattern = contains(search)
    return query.where(
        sa.or_(
            *(
                sa.func.lower(column).like(pattern, escape="\\")
                for column in (User.full_name, User.email, User.local_name)
            )
        )
    )


def roster(
    session: Session, search: str = "", page: int = 1, at: PageRequest | None = None
) -> Page[RosterRow]:
    """One page of the session's confirmed registrants by name (those whose name, e-mail or
    local contains `search`), with their mark and who changed it last: three queries
    whatever the size of the roster."""
    found = paginate(
        _matching(_registrants(session).order_by(None), search),
        User.full_name,
        Registration.id,
        page=page,
        at=at,
        size=ROSTER_PAGE_SIZE,
    )
    ids = [r.id for r in found.items]
    marks = (
        {
            a.registration_id: a
            for a in db.session.scalars(
                sa.select(Attendance)
                .where(Attendance.session_id == session.id, Attendance.registration_id.in_(ids))
                .options(joinedload(Attendance.marked_by).options(lazyload(User.role_grants)))
            )
        }
        if ids
        else {}
    )
    return replace(found, items=[RosterRow(r, marks.get(r.id)) for r in found.items])


@dataclass(frozen=True)
class RosterCounts:
    registered: int
    present: int
    absent: int

    @property
    def unmarked(self) -> int:
        return self.registered - self.present - self.absent


def roster_counts(session: Session) -> RosterCounts:
    """Confirmed registrants of the session and how many are marked present, absent or
    not yet: one query, counted by the database."""
    marked = sa.and_(
        Attendance.registration_id == Registration.id, Attendance.session_id == session.id
    )
    registered, present, absent = db.session.execute(
        sa.select(
            sa.func.count(Registration.id),
            sa.func.count(sa.case((Attendance.status == AttendanceStatus.PRESENT, 1))),
            sa.func.count(sa.case((Attendance.status == AttendanceStatus.ABSENT, 1))),
        )
        .select_from(Registration)
        .outerjoin(Attendance, marked)
        .where(
            Registration.offering_id == session.offering_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).one()
    return RosterCounts(registered, present, absent)


def roster_row(session: Session, registration: Registration) -> RosterRow:
    attendance = db.session.scalar(
        sa.select(Attendance)
        .where(Attendance.registration_id == registration.id, Attendance.session_id == session.id)
        .options(joinedload(Attendance.marked_by))
    )
    return RosterRow(registration, attendance)


# Facilitators may mark people present at the door a little before the session starts.
MARKING_OPENS_BEFORE_START = timedelta(hours=1)


@dataclass(frozen=True)
class MarkResult:
    row: RosterRow | None
    refusal: str = ""


def marking_refusal(session: Session, now: datetime) -> str:
    """Why attendance for this session cannot be changed now ("" when it can)."""
    if session.offering.status not in (OfferingStatus.PUBLISHED,):
        return _("Attendance is closed for this training.")
    if now < session.starts_at - MARKING_OPENS_BEFORE_START:
        return _("Attendance opens one hour before the session starts.")
    return ""


def mark(
    session: Session,
    registration: Registration,
    status: AttendanceStatus,
    marked_by: User,
    now: datetime | None = None,
    change: AttendanceChange = AttendanceChange.MARK,
) -> MarkResult | None:
    """Mark one confirmed registrant present (credited the session's contact hours) or
    absent, from an hour before the session until the offering is closed. Returns None
    when the registration does not belong on this roster."""
    now = now or utcnow()
    if not _on_roster(session, registration):
        return None
    refusal = marking_refusal(session, now)
    if refusal:
        return MarkResult(None, refusal)
    hours = session.contact_hours if status == AttendanceStatus.PRESENT else Decimal(0)
    attendance = _with_retry(
        lambda: _record(session, registration, status, hours, marked_by, now, change)
    )
    return MarkResult(RosterRow(registration, attendance))


def _on_roster(session: Session, registration: Registration) -> bool:
    return (
        registration.offering_id == session.offering_id
        and registration.status == RegistrationStatus.CONFIRMED
    )


def _with_retry(write):  # type: ignore[no-untyped-def]
    for attempt in range(2):
        try:
            return write()
        except IntegrityError:
            # Two taps at once both inserted; the second now finds the first's row.
            db.session.rollback()
            if attempt:
                raise
    raise AssertionError("unreachable")


def _record(
    session: Session,
    registration: Registration,
    status: AttendanceStatus,
    hours: Decimal,
    marked_by: User,
    now: datetime,
    change: AttendanceChange,
) -> Attendance:
    attendance = db.session.scalar(
        sa.select(Attendance).where(
            Attendance.registration_id == registration.id, Attendance.session_id == session.id
        )
    )
    if attendance is None:
        attendance = Attendance(registration_id=registration.id, session_id=session.id)
        db.session.add(attendance)
    _change(attendance, status, hours, marked_by, now, change)
    db.session.commit()
    return attendance


def _change(
    attendance: Attendance,
    status: AttendanceStatus,
    hours: Decimal,
    actor: User,
    now: datetime,
    change: AttendanceChange,
) -> None:
    """Apply one change and write it to the audit trail (PRODUCT §6: changes are audited)."""
    # A pending new row must not be flushed half-filled by a lazy load below.
    with db.session.no_autoflush:
        before = attendance.status
        if before == status and attendance.credited_hours == hours:
            return  # a second tap on the same button is not a change
        db.session.add(
            AttendanceEvent(
                registration_id=attendance.registration_id,
                session_id=attendance.session_id,
                actor_id=actor.id,
                at=now,
                change=change,
                from_status=before,
                from_hours=attendance.credited_hours if before is not None else None,
                to_status=status,
                to_hours=hours,
            )
        )
        attendance.status = status
        attendance.credited_hours = hours
        attendance.marked_by_id = actor.id
        attendance.marked_by = actor
        attendance.marked_at = now


HOURS_STEP = Decimal("0.25")
HOURS_INPUT = re.compile(r"[0-9]{1,2}(\.[0-9]{1,2})?")


def parse_hours(raw: str, contact_hours: Decimal) -> Decimal | str:
    """Credited hours typed by a facilitator: a number from 0 to the session's contact
    hours in quarter hours. Returns the hours, or the message explaining what is wrong."""
    text = (raw or "").strip().replace(",", ".")
    limit = _(
        "Enter hours from 0 to %(max)s in steps of 0.25.", max=f"{contact_hours.normalize():f}"
    )
    if not HOURS_INPUT.fullmatch(text):
        return limit
    value = Decimal(text)
    if value > contact_hours or value % HOURS_STEP:
        return limit
    return value.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class HoursResult:
    row: RosterRow
    error: str = ""


def set_hours(
    session: Session,
    registration: Registration,
    raw_hours: str,
    edited_by: User,
    now: datetime | None = None,
) -> HoursResult | None:
    """Credit a present person with 0..the session's contact hours (in quarter hours);
    absent people earn none. Bad input is explained and nothing is stored. Returns None
    when the registration does not belong on this roster."""
    now = now or utcnow()
    if not _on_roster(session, registration):
        return None
    row = roster_row(session, registration)
    refusal = marking_refusal(session, now)
    if refusal:
        return HoursResult(row, refusal)
    if row.status != AttendanceStatus.PRESENT:
        return HoursResult(row, _("Mark this person present before crediting hours."))
    hours = parse_hours(raw_hours, session.contact_hours)
    if isinstance(hours, str):
        return HoursResult(row, hours)
    attendance = row.attendance
    assert attendance is not None
    if attendance.credited_hours != hours:
        _change(attendance, AttendanceStatus.PRESENT, hours, edited_by, now, AttendanceChange.HOURS)
        db.session.commit()
    return HoursResult(RosterRow(registration, attendance))


@dataclass(frozen=True)
class MarkAllResult:
    marked: int
    refusal: str = ""


def mark_all_present(
    session: Session, marked_by: User, now: datetime | None = None
) -> MarkAllResult:
    """Mark every confirmed registrant not yet present as present, credited the session's
    hours; people already present keep the hours they were credited. One transaction."""
    now = now or utcnow()
    refusal = marking_refusal(session, now)
    if refusal:
        return MarkAllResult(0, refusal)
    return _with_retry(lambda: _mark_all(session, marked_by, now))


def _mark_all(session: Session, marked_by: User, now: datetime) -> MarkAllResult:
    registration_ids = db.session.scalars(
        sa.select(Registration.id).where(
            Registration.offering_id == session.offering_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).all()
    existing = {
        a.registration_id: a
        for a in db.session.scalars(
            sa.select(Attendance).where(Attendance.session_id == session.id)
        )
    }
    marked = 0
    for registration_id in registration_ids:
        attendance = existing.get(registration_id)
        if attendance is not None and attendance.status == AttendanceStatus.PRESENT:
            continue
        if attendance is None:
            attendance = Attendance(registration_id=registration_id, session_id=session.id)
            db.session.add(attendance)
        _change(
            attendance,
            AttendanceStatus.PRESENT,
            session.contact_hours,
            marked_by,
            now,
            AttendanceChange.MARK_ALL,
        )
        marked += 1
    db.session.commit()
    return MarkAllResult(marked)


# ------------------------------------------------------------------------- QR self check-in

CHECK_IN_SALT = "attendance-check-in"
# Members may check in from half an hour before the start until half an hour after the end.
CHECK_IN_OPENS_BEFORE_START = timedelta(minutes=30)
CHECK_IN_GRACE_AFTER_END = timedelta(minutes=30)


@dataclass(frozen=True)
class CheckInCode:
    """What a check-in token says: one session, and the window it was made for."""

    session_id: int
    opens: int  # POSIX seconds
    closes: int


def _window_stamps(session: Session) -> tuple[int, int]:
    opens, closes = check_in_window(session)
    return int(opens.timestamp()), int(closes.timestamp())


def check_in_token(session: Session, secret_key: str) -> str:
    """The signed token in a session's QR code: the session and its check-in window, so it
    works for that session only, during that window only; a moved session gets a new one."""
    opens, closes = _window_stamps(session)
    payload = {"session": session.id, "opens": opens, "closes": closes}
    return URLSafeSerializer(secret_key, salt=CHECK_IN_SALT).dumps(payload)


def read_check_in_token(token: str, secret_key: str) -> CheckInCode | None:
    """What a token was signed for, or None for a forged, garbled or outdated one."""
    if len(token) > 200:
        return None
    try:
        payload = URLSafeSerializer(secret_key, salt=CHECK_IN_SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    fields = [payload.get(key) for key in ("session", "opens", "closes")]
    if any(type(value) is not int for value in fields):
        return None
    return CheckInCode(*fields)


def check_in_window(session: Session) -> tuple[datetime, datetime]:
    return (
        session.starts_at - CHECK_IN_OPENS_BEFORE_START,
        session.ends_at + CHECK_IN_GRACE_AFTER_END,
    )


def check_in_open(session: Session, now: datetime) -> bool:
    opens, closes = check_in_window(session)
    return opens <= now <= closes


@dataclass(frozen=True)
class CheckInResult:
    session: Session | None
    registration: Registration | None = None
    refusal: str = ""
    already: bool = False

    @property
    def ok(self) -> bool:
        return not self.refusal


def check_in_refusal(token: str, member: User, secret_key: str, now: datetime) -> CheckInResult:
    """Whether this member may check in with this code now (no refusal, and their
    registration, when they may): a genuine code of the session's current window, not
    past its end; a confirmed registration; during the session window plus the grace."""
    code = read_check_in_token(token, secret_key)
    session = (
        db.session.get(Session, code.session_id, options=[joinedload(Session.offering)])
        if code is not None
        else None
    )
    if code is None or session is None:
        return CheckInResult(
            None, refusal=_("This check-in code is not valid. Ask the facilitator for help.")
        )
    if (code.opens, code.closes) != _window_stamps(session) or now.timestamp() > code.closes:
        return CheckInResult(
            session,
            refusal=_(
                "This check-in code has expired. Scan the code the facilitator shows now, "
                "or see the facilitator."
            ),
        )
    registration = db.session.scalar(
        sa.select(Registration).where(
            Registration.offering_id == session.offering_id,
            Registration.user_id == member.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    if registration is None:
        return CheckInResult(
            session,
            refusal=_(
                "You do not hold a confirmed registration for this training, so you cannot "
                "check in. Please see the facilitator."
            ),
        )
    if session.offering.status != OfferingStatus.PUBLISHED or not check_in_open(session, now):
        return CheckInResult(
            session,
            registration,
            refusal=_(
                "Check-in for this session is open from 30 minutes before it starts until "
                "30 minutes after it ends. Please see the facilitator."
            ),
        )
    return CheckInResult(session, registration)


def check_in(
    token: str, member: User, secret_key: str, now: datetime | None = None
) -> CheckInResult:
    """A signed-in member registered for the offering scans the session's QR code during
    the session window and is marked present, credited the session's contact hours."""
    now = now or utcnow()
    allowed = check_in_refusal(token, member, secret_key, now)
    if allowed.refusal:
        return allowed
    session, registration = allowed.session, allowed.registration
    assert session is not None and registration is not None
    current = roster_row(session, registration).attendance
    if current is not None and current.status == AttendanceStatus.PRESENT:
        # Scanning twice changes nothing (and keeps hours a facilitator adjusted).
        return CheckInResult(session, registration, already=True)
    _with_retry(
        lambda: _record(
            session,
            registration,
            AttendanceStatus.PRESENT,
            session.contact_hours,
            member,
            now,
            AttendanceChange.CHECK_IN,
        )
    )
    return CheckInResult(session, registration)


def _registrants(session: Session) -> sa.Select[tuple[Registration]]:
    """Confirmed registrants of the session's offering by name, with their user loaded."""
    return (
        sa.select(Registration)
        .join(Registration.user)
        .where(
            Registration.offering_id == session.offering_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        # Rosters and sheets show names, locals and job families, never anyone's roles.
        .options(joinedload(Registration.user).options(lazyload(User.role_grants)))
        .order_by(User.full_name, Registration.id)
    )


def sign_in_sheet_rows(session: Session) -> list[Registration]:
    """Confirmed registrants, by name, with what the sheet prints: one query."""
    return list(db.session.scalars(_registrants(session)))


def credited_hours(registration_ids: list[int]) -> dict[int, Decimal]:
    """Hours credited per registration (present sessions only), in one query."""
    if not registration_ids:
        return {}
    rows = db.session.execute(
        sa.select(Attendance.registration_id, sa.func.sum(Attendance.credited_hours))
        .where(
            Attendance.registration_id.in_(registration_ids),
            Attendance.status == AttendanceStatus.PRESENT,
        )
        .group_by(Attendance.registration_id)
    )
    return {rid: Decimal(total) for rid, total in rows if total}
