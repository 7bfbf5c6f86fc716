"""Supporting Our Own mentoring (PRODUCT §8): mentors who volunteer, members new to the
job who ask for one, the two-year pairings staff match, and the activities both log."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.accounts.models import User
from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db
from esp_registry.reference.models import Affiliate, JobFamily

MAX_CAPACITY = 5  # mentees one mentor takes at once


class MentorStatus(enum.StrEnum):
    """What the mentor chose; "suspended" is not stored but derived from their certificate."""

    ACTIVE = "active"
    PAUSED = "paused"  # no new mentees for now; current pairings go on
    WITHDRAWN = "withdrawn"  # stopped volunteering; may volunteer again


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    WITHDRAWN = "withdrawn"


class PairingStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"  # ran its two years, or staff marked it complete: certificates
    ENDED = "ended"  # ended early by either side or staff, with a reason


class MentoringRole(enum.StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


class ActivityType(enum.StrEnum):
    """The forms of job-embedded learning a pairing logs (PRODUCT §8)."""

    CONVERSATION = "mentoring_conversation"
    COACHING = "coaching"
    PEER_OBSERVATION = "peer_observation"
    COLLABORATIVE_PLANNING = "collaborative_planning"
    STUDY_GROUP = "study_group"
    REFLECTIVE_LOG = "reflective_log"


class MentorProfile(db.Model):
    """A member who completed Supporting Our Own and volunteers to mentor; one per member."""

    __tablename__ = "mentor_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    job_family_id: Mapped[int] = mapped_column(
        sa.ForeignKey("job_families.id", ondelete="RESTRICT")
    )
    affiliate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("affiliates.id", ondelete="RESTRICT"), index=True
    )
    local_name: Mapped[str] = mapped_column(sa.String(120), default="")
    capacity: Mapped[int] = mapped_column(default=1)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[MentorStatus] = mapped_column(
        str_enum(MentorStatus, "mentor_status"), default=MentorStatus.ACTIVE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    job_family: Mapped[JobFamily] = relationship()
    affiliate: Mapped[Affiliate] = relationship()

    __table_args__ = (
        sa.CheckConstraint(f"capacity >= 1 AND capacity <= {MAX_CAPACITY}", name="capacity_range"),
    )


class MentoringRequest(db.Model):
    """A member up to three years in the job asks for a mentor; one open request at a time."""

    __tablename__ = "mentoring_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    job_family_id: Mapped[int] = mapped_column(
        sa.ForeignKey("job_families.id", ondelete="RESTRICT")
    )
    # Whose approvers match it: the affiliate the member asked in.
    affiliate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("affiliates.id", ondelete="RESTRICT"), index=True
    )
    local_name: Mapped[str] = mapped_column(sa.String(120), default="")
    started_job_on: Mapped[date] = mapped_column(sa.Date())
    help_with: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[RequestStatus] = mapped_column(
        str_enum(RequestStatus, "mentoring_request_status"), default=RequestStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    job_family: Mapped[JobFamily] = relationship()
    affiliate: Mapped[Affiliate] = relationship()
    pairing: Mapped[MentoringPairing | None] = relationship(back_populates="request", uselist=False)

    __table_args__ = (
        # One open request per member: a double click makes one.
        sa.Index(
            "uq_mentoring_requests_open_per_member",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
        sa.CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="closed_has_time"),
        # The matching queue: open requests, oldest first.
        sa.Index("ix_mentoring_requests_status_created", "status", "created_at", "id"),
    )


class MentoringPairing(db.Model):
    """A mentor and a mentee, matched from a request; runs two years from its start."""

    __tablename__ = "mentoring_pairings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A request is matched once (the unique constraint holds under concurrent confirmations).
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mentoring_requests.id", ondelete="CASCADE"), unique=True
    )
    mentor_profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mentor_profiles.id", ondelete="RESTRICT"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    mentee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[PairingStatus] = mapped_column(
        str_enum(PairingStatus, "pairing_status"), default=PairingStatus.ACTIVE, index=True
    )
    starts_on: Mapped[date] = mapped_column(sa.Date())
    ends_on: Mapped[date] = mapped_column(sa.Date())
    matched_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Completed or ended: when, by whom (NULL: the worker, at the two-year mark), and why.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    end_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    request: Mapped[MentoringRequest] = relationship(back_populates="pairing")
    mentor_profile: Mapped[MentorProfile] = relationship()
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])
    matched_by: Mapped[User | None] = relationship(foreign_keys=[matched_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    logs: Mapped[list[MentoringLog]] = relationship(
        back_populates="pairing",
        cascade="all, delete-orphan",
        order_by=lambda: (MentoringLog.on_date.desc(), MentoringLog.id.desc()),
    )

    __table_args__ = (
        sa.CheckConstraint("mentor_id <> mentee_id", name="not_own_mentor"),
        sa.CheckConstraint("ends_on > starts_on", name="ends_after_start"),
        sa.CheckConstraint("(status = 'active') = (closed_at IS NULL)", name="closed_has_time"),
        sa.CheckConstraint("status <> 'ended' OR end_reason <> ''", name="ended_has_reason"),
        # A mentor's active pairings (their load), counted from the index alone.
        sa.Index("ix_mentoring_pairings_profile_status", "mentor_profile_id", "status"),
    )

    @property
    def is_active(self) -> bool:
        return self.status == PairingStatus.ACTIVE

    def role_of(self, user_id: int) -> MentoringRole | None:
        if user_id == self.mentor_id:
            return MentoringRole.MENTOR
        if user_id == self.mentee_id:
            return MentoringRole.MENTEE
        return None


class MentoringLog(db.Model):
    """One activity one side of a pairing logged: what, on which day, how long."""

    __tablename__ = "mentoring_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    pairing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mentoring_pairings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    activity: Mapped[ActivityType] = mapped_column(str_enum(ActivityType, "mentoring_activity"))
    on_date: Mapped[date] = mapped_column(sa.Date())
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(4, 2))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    pairing: Mapped[MentoringPairing] = relationship(back_populates="logs")
    user: Mapped[User] = relationship()

    __table_args__ = (
        sa.CheckConstraint("hours > 0 AND hours <= 24", name="hours_in_range"),
        # A person's day: the 24-hour check sums their logs of one date over all pairings.
        sa.Index("ix_mentoring_logs_user_date", "user_id", "on_date"),
    )
