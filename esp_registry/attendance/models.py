"""Who was there, per session (PRODUCT §6)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Session
from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    ABSENT = "absent"


class Attendance(db.Model):
    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[AttendanceStatus] = mapped_column(
        str_enum(AttendanceStatus, "attendance_status")
    )
    credited_hours: Mapped[Decimal] = mapped_column(sa.Numeric(4, 2), default=Decimal(0))
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    registration: Mapped[Registration] = relationship()
    session: Mapped[Session] = relationship()
    marked_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint(
            "registration_id", "session_id", name="uq_attendance_registration_session"
        ),
        sa.CheckConstraint(
            "credited_hours >= 0 AND credited_hours <= 24", name="credited_hours_in_range"
        ),
        sa.CheckConstraint(
            "status = 'present' OR credited_hours = 0", name="absent_earns_no_hours"
        ),
    )


class AttendanceChange(enum.StrEnum):
    MARK = "mark"
    HOURS = "hours"
    MARK_ALL = "mark_all"
    CHECK_IN = "check_in"


class AttendanceEvent(db.Model):
    """One change of one person's attendance: who, when, and the status and hours before
    and after (PRODUCT §6: changes are audited)."""

    __tablename__ = "attendance_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    # NULL actor: the person's account was deleted later; the change stays on record.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    change: Mapped[AttendanceChange] = mapped_column(
        str_enum(AttendanceChange, "attendance_change")
    )
    from_status: Mapped[AttendanceStatus | None] = mapped_column(
        str_enum(AttendanceStatus, "attendance_event_from")
    )
    to_status: Mapped[AttendanceStatus] = mapped_column(
        str_enum(AttendanceStatus, "attendance_event_to")
    )
    from_hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 2))
    to_hours: Mapped[Decimal] = mapped_column(sa.Numeric(4, 2))

    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "from_hours IS NULL OR (from_hours >= 0 AND from_hours <= 24)",
            name="from_hours_in_range",
        ),
        sa.CheckConstraint("to_hours >= 0 AND to_hours <= 24", name="to_hours_in_range"),
        sa.CheckConstraint(
            "(from_status IS NULL) = (from_hours IS NULL)", name="from_status_with_hours"
        ),
    )
