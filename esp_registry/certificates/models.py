"""Certificates of attendance, their bulk printing and transcript codes (PRODUCT §7)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering
from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db
from esp_registry.mentoring.models import MentoringRole
from esp_registry.microcredentials.models import Attempt
from esp_registry.registrations.models import Registration

if TYPE_CHECKING:
    from esp_registry.mentoring.models import MentoringPairing


class Certificate(db.Model):
    """One current certificate per registration, or per mentoring pairing and role (mentor,
    mentee); a reissue (the member's name changed) adds a new row and points the old one at
    it, so the old code still verifies."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What it certifies: attendance of a registration, or a completed mentoring pairing.
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    mentoring_pairing_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mentoring_pairings.id", ondelete="CASCADE"), index=True
    )
    mentoring_role: Mapped[MentoringRole | None] = mapped_column(
        str_enum(MentoringRole, "certificate_mentoring_role")
    )
    # Or an awarded micro-credential (PRODUCT §14).
    microcredential_attempt_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("microcredential_attempts.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    # What the certificate says, kept as issued so verification shows what was printed.
    member_name: Mapped[str] = mapped_column(sa.String(120))
    # Wide enough for two years of logged mentoring, not only one training's hours.
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificates.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    registration: Mapped[Registration | None] = relationship()
    mentoring_pairing: Mapped[MentoringPairing | None] = relationship()
    microcredential_attempt: Mapped[Attempt | None] = relationship()
    replaced_by: Mapped[Certificate | None] = relationship(remote_side=[id])
    revoked_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("hours > 0", name="hours_positive"),
        sa.CheckConstraint(
            "revoked_at IS NULL OR revoked_reason <> ''", name="revocation_has_reason"
        ),
        # At most one current (not replaced) certificate per registration.
        sa.Index(
            "uq_certificates_current_per_registration",
            "registration_id",
            unique=True,
            sqlite_where=sa.text("replaced_by_id IS NULL"),
            postgresql_where=sa.text("replaced_by_id IS NULL"),
        ),
        sa.CheckConstraint(
            "(CASE WHEN registration_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN mentoring_pairing_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN microcredential_attempt_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="certifies_one_thing",
        ),
        sa.CheckConstraint(
            "(mentoring_pairing_id IS NULL) = (mentoring_role IS NULL)",
            name="mentoring_has_role",
        ),
        # At most one current certificate per pairing and role (mentor, mentee).
        sa.Index(
            "uq_certificates_current_per_pairing_role",
            "mentoring_pairing_id",
            "mentoring_role",
            unique=True,
            sqlite_where=sa.text("replaced_by_id IS NULL"),
            postgresql_where=sa.text("replaced_by_id IS NULL"),
        ),
        sa.Index(
            "uq_certificates_current_per_microcredential",
            "microcredential_attempt_id",
            unique=True,
            sqlite_where=sa.text("replaced_by_id IS NULL"),
            postgresql_where=sa.text("replaced_by_id IS NULL"),
        ),
    )

    @property
    def is_current(self) -> bool:
        return self.replaced_by_id is None

    @property
    def is_mentoring(self) -> bool:
        return self.mentoring_pairing_id is not None

    @property
    def is_microcredential(self) -> bool:
        return self.microcredential_attempt_id is not None


class PrintJobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


ACTIVE_PRINT_STATUSES = (PrintJobStatus.QUEUED, PrintJobStatus.RUNNING)


class CertificatePrintJob(db.Model):
    """All certificates of an offering as one PDF, made by the worker; progress is
    done/total, and the finished file lives in instance/certificate-prints/."""

    __tablename__ = "certificate_print_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[PrintJobStatus] = mapped_column(
        str_enum(PrintJobStatus, "print_job_status"), default=PrintJobStatus.QUEUED
    )
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    offering: Mapped[Offering] = relationship()
    requested_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("done >= 0 AND total >= 0 AND done <= total", name="progress_in_range"),
        # A second request while one is queued or running gets that job, not a new one.
        sa.Index(
            "uq_certificate_print_jobs_active_per_offering",
            "offering_id",
            unique=True,
            sqlite_where=sa.text("status IN ('queued', 'running')"),
            postgresql_where=sa.text("status IN ('queued', 'running')"),
        ),
    )

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_PRINT_STATUSES

    @property
    def percent(self) -> int:
        return (
            100 if self.total == 0 and not self.active else (100 * self.done // (self.total or 1))
        )


class TranscriptCode(db.Model):
    """The verification code printed on a transcript PDF, with the totals it showed; one per
    member and transcript content (its fingerprint), reused by every PDF of that content."""

    __tablename__ = "transcript_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    member_name: Mapped[str] = mapped_column(sa.String(120))
    trainings: Mapped[int] = mapped_column()
    total_hours: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    # sha256 of what the transcript said; a PDF of the same content reuses the code.
    # None on codes issued before fingerprints were kept.
    fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("trainings >= 0 AND total_hours >= 0", name="totals_not_negative"),
        sa.UniqueConstraint("user_id", "fingerprint", name="uq_transcript_codes_user_fingerprint"),
    )
