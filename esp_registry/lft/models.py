"""Leaders for Tomorrow: a yearly cycle, members' applications, rubric scores and the
audit trail of every state change (PRODUCT §5)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering
from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db
from esp_registry.reference.models import Affiliate, JobFamily


class LftStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ENDORSED = "endorsed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    SELECTED = "selected"
    ALTERNATE = "alternate"
    NOT_SELECTED = "not_selected"
    ACCEPTED = "accepted"
    REFUSED = "refused"


# National decisions: pending and invisible to applicants until the cycle releases them.
DECISIONS = (LftStatus.SELECTED, LftStatus.ALTERNATE, LftStatus.NOT_SELECTED)
# What national reviewers see and score: endorsed by the affiliate, and what came after.
NATIONAL = (LftStatus.ENDORSED, *DECISIONS, LftStatus.ACCEPTED, LftStatus.REFUSED)


class LftCycle(db.Model):
    """One year of Leaders for Tomorrow: its deadlines, cohort size and rubric."""

    __tablename__ = "lft_cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    decision_date: Mapped[datetime] = mapped_column(UTCDateTime())
    cohort_size: Mapped[int] = mapped_column(default=20)
    # NULL means no cap on endorsements per affiliate.
    max_endorsements_per_affiliate: Mapped[int | None] = mapped_column()
    confirm_within_days: Mapped[int] = mapped_column(default=14)
    decision_released: Mapped[bool] = mapped_column(default=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The cohort's training; created (or filled) when decisions are released.
    offering_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    offering: Mapped[Offering | None] = relationship()
    criteria: Mapped[list[LftCriterion]] = relationship(
        back_populates="cycle",
        cascade="all, delete-orphan",
        order_by="LftCriterion.position, LftCriterion.id",
    )

    __table_args__ = (
        sa.CheckConstraint("opens_at < closes_at", name="opens_before_closes"),
        sa.CheckConstraint("closes_at <= review_deadline", name="closes_before_review"),
        sa.CheckConstraint("review_deadline <= decision_date", name="review_before_decision"),
        sa.CheckConstraint("cohort_size > 0", name="cohort_size_positive"),
        sa.CheckConstraint(
            "max_endorsements_per_affiliate IS NULL OR max_endorsements_per_affiliate > 0",
            name="endorsement_cap_positive",
        ),
        sa.CheckConstraint("confirm_within_days > 0", name="confirm_days_positive"),
    )

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


class LftCriterion(db.Model):
    """One line of the national rubric, scored 1 to 5."""

    __tablename__ = "lft_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lft_cycles.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text, default="")

    cycle: Mapped[LftCycle] = relationship(back_populates="criteria")


class LftApplication(db.Model):
    """A member's application to one cycle; one per member per cycle."""

    __tablename__ = "lft_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("lft_cycles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The member's affiliate and job family when they applied: who reviews it, how it files.
    affiliate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("affiliates.id", ondelete="RESTRICT"), index=True
    )
    job_family_id: Mapped[int] = mapped_column(
        sa.ForeignKey("job_families.id", ondelete="RESTRICT")
    )
    status: Mapped[LftStatus] = mapped_column(
        str_enum(LftStatus, "lft_status"), default=LftStatus.DRAFT
    )
    leadership_experience: Mapped[str] = mapped_column(sa.Text, default="")
    essay_why: Mapped[str] = mapped_column(sa.Text, default="")
    essay_vision: Mapped[str] = mapped_column(sa.Text, default="")
    years_as_esp: Mapped[int | None] = mapped_column()
    president_name: Mapped[str] = mapped_column(sa.String(120), default="")
    president_email: Mapped[str] = mapped_column(sa.String(254), default="")
    commitment: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # 1, 2, 3...: the order in which alternates are offered a place.
    alternate_rank: Mapped[int | None] = mapped_column()
    # A selected member confirms their place by then, or it goes to the first alternate.
    confirm_by: Mapped[datetime | None] = mapped_column(UTCDateTime())

    cycle: Mapped[LftCycle] = relationship()
    user: Mapped[User] = relationship()
    affiliate: Mapped[Affiliate] = relationship()
    job_family: Mapped[JobFamily] = relationship()
    events: Mapped[list[LftEvent]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="LftEvent.at, LftEvent.id",
    )

    __table_args__ = (
        sa.UniqueConstraint("cycle_id", "user_id", name="uq_lft_applications_cycle_member"),
        sa.Index("ix_lft_applications_cycle_status", "cycle_id", "status"),
        sa.CheckConstraint(
            "years_as_esp IS NULL OR (years_as_esp >= 0 AND years_as_esp <= 70)",
            name="years_in_range",
        ),
        sa.CheckConstraint(
            "(status = 'alternate') = (alternate_rank IS NOT NULL)", name="alternates_have_rank"
        ),
        sa.CheckConstraint(
            "alternate_rank IS NULL OR alternate_rank > 0", name="alternate_rank_positive"
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'withdrawn') OR submitted_at IS NOT NULL",
            name="submitted_has_time",
        ),
    )


class LftScore(db.Model):
    """One reviewer's score (1-5) of one application on one rubric criterion."""

    __tablename__ = "lft_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lft_applications.id", ondelete="CASCADE")
    )
    reviewer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lft_criteria.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int] = mapped_column()
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    reviewer: Mapped[User] = relationship()
    criterion: Mapped[LftCriterion] = relationship()

    __table_args__ = (
        sa.UniqueConstraint(
            "application_id", "reviewer_id", "criterion_id", name="uq_lft_scores_one_per_criterion"
        ),
        sa.CheckConstraint("score >= 1 AND score <= 5", name="score_in_range"),
    )


class LftEvent(db.Model):
    """One state change of an application: who, when, from, to, and why."""

    __tablename__ = "lft_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lft_applications.id", ondelete="CASCADE"), index=True
    )
    # NULL actor: the system (a lapsed confirmation deadline).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    from_status: Mapped[LftStatus | None] = mapped_column(str_enum(LftStatus, "lft_event_from"))
    to_status: Mapped[LftStatus] = mapped_column(str_enum(LftStatus, "lft_event_to"))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    # Internal comments are for staff; the applicant sees the change without them.
    internal: Mapped[bool] = mapped_column(default=False)

    application: Mapped[LftApplication] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
