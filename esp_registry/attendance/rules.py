"""Attendance rules of PRODUCT §6."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from esp_registry.accounts.models import User
from esp_registry.attendance.models import Attendance, AttendanceStatus
from esp_registry.catalog.models import OfferingStatus, Session
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration, RegistrationStatus


@dataclass(frozen=True)
class RosterRow:
    registration: Registration
    attendance: Attendance | None

    @property
    def status(self) -> AttendanceStatus | None:
        return self.attendance.status if self.attendance else None


def roster(session: Session) -> list[RosterRow]:
    """Confirmed registrants of the session's offering with their mark, in two queries."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .join(Registration.user)
        .where(
            Registration.offering_id == session.offering_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .options(joinedload(Registration.user))
        .order_by(User.full_name, Registration.id)
    ).all()
    marks = {
        a.registration_id: a
        for a in db.session.scalars(
            sa.select(Attendance).where(Attendance.session_id == session.id)
        )
    }
    return [RosterRow(r, marks.get(r.id)) for r in registrations]


def present_count(session: Session) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Attendance.session_id == session.id, Attendance.status == AttendanceStatus.PRESENT
        )
    )


def registered_count(session: Session) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Registration.offering_id == session.offering_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


def roster_row(session: Session, registration: Registration) -> RosterRow:
    attendance = db.session.scalar(
        sa.select(Attendance).where(
            Attendance.registration_id == registration.id, Attendance.session_id == session.id
        )
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
) -> MarkResult | None:
    """Mark one confirmed registrant present (credited the session's contact hours) or
    absent, from an hour before the session until the offering is closed. Returns None
    when the registration does not belong on this roster."""
    now = now or utcnow()
    if (
        registration.offering_id != session.offering_id
        or registration.status != RegistrationStatus.CONFIRMED
    ):
        return None
    refusal = marking_refusal(session, now)
    if refusal:
        return MarkResult(None, refusal)
    for attempt in range(2):
        try:
            attendance = _record(session, registration, status, marked_by, now)
            break
        except IntegrityError:
            # Two taps at once both inserted; the second now finds the first's row.
            db.session.rollback()
            if attempt:
                raise
    return MarkResult(RosterRow(registration, attendance))


def _record(
    session: Session,
    registration: Registration,
    status: AttendanceStatus,
    marked_by: User,
    now: datetime,
) -> Attendance:
    attendance = db.session.scalar(
        sa.select(Attendance).where(
            Attendance.registration_id == registration.id, Attendance.session_id == session.id
        )
    )
    if attendance is None:
        attendance = Attendance(registration_id=registration.id, session_id=session.id)
        db.session.add(attendance)
    attendance.status = status
    attendance.credited_hours = (
        session.contact_hours if status == AttendanceStatus.PRESENT else Decimal(0)
    )
    attendance.marked_by_id = marked_by.id
    attendance.marked_at = now
    db.session.commit()
    return attendance


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
