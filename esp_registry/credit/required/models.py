"""A program required for job families, with a renewal period, and the reminders sent."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db
from esp_registry.reference.models import JobFamily, Program


class RenewalKind(enum.StrEnum):
    HOURS = "hours"  # so many credited hours of the program every calendar year
    EXPIRY = "expiry"  # a certificate of the program is valid for so many months


required_training_job_families = sa.Table(
    "required_training_job_families",
    db.metadata,
    sa.Column(
        "required_training_id",
        sa.ForeignKey("required_trainings.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "job_family_id",
        sa.ForeignKey("job_families.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class RequiredTraining(db.Model):
    """ "Bus driver in-service, 10 hours every year" for Transportation Services, or
    "Food-safety refresher every 3 years" for Food Services. One current (not retired)
    requirement per program, so a certificate of it has one expiry."""

    __tablename__ = "required_trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("programs.id", ondelete="RESTRICT"))
    kind: Mapped[RenewalKind] = mapped_column(str_enum(RenewalKind, "renewal_kind"))
    hours_per_year: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    valid_months: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    program: Mapped[Program] = relationship()
    job_families: Mapped[list[JobFamily]] = relationship(
        secondary=required_training_job_families, order_by="JobFamily.name"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "(kind = 'hours' AND hours_per_year >= 0.5 AND hours_per_year <= 200"
            " AND valid_months IS NULL)"
            " OR (kind = 'expiry' AND valid_months >= 1 AND valid_months <= 120"
            " AND hours_per_year IS NULL)",
            name="renewal_in_range",
        ),
        sa.Index(
            "uq_required_trainings_current_per_program",
            "program_id",
            unique=True,
            sqlite_where=sa.text("retired_at IS NULL"),
            postgresql_where=sa.text("retired_at IS NULL"),
        ),
    )

    @property
    def is_current(self) -> bool:
        return self.retired_at is None


class RequiredTrainingReminder(db.Model):
    """One reminder e-mail written: at most one per member, requirement, due date and
    threshold (60 or 14 days), whoever runs the check and however often."""

    __tablename__ = "required_training_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    required_training_id: Mapped[int] = mapped_column(
        sa.ForeignKey("required_trainings.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[date] = mapped_column(sa.Date())
    days_before: Mapped[int] = mapped_column()
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint(
            "user_id",
            "required_training_id",
            "due_on",
            "days_before",
            name="uq_required_training_reminders_once",
        ),
        sa.CheckConstraint("days_before IN (14, 60)", name="known_threshold"),
    )
