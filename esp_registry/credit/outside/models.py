"""Outside PD credit (PRODUCT §13): training a member took elsewhere, recorded with proof
(or asked about beforehand, for pre-approval) and decided by their affiliate's approver."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.accounts.models import User
from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db
from esp_registry.reference.models import Affiliate

MAX_PROVIDER = 200
MAX_TITLE = 200
MAX_DESCRIPTION = 1000
MAX_NOTE = 1000


class OutsideKind(enum.StrEnum):
    COMPLETED = "completed"  # taken: proof attached; approved, it counts on the transcript
    PRE_APPROVAL = "pre_approval"  # not yet taken: asks whether it will count


class OutsideStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class OutsideAction(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    DECLINED = "declined"


class OutsideTraining(db.Model):
    """One request: completed training to credit, or a pre-approval. A completion recorded
    from an approved pre-approval points back at it (`pre_approval_id`)."""

    __tablename__ = "outside_trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Whose approvers decide: the member's affiliate when they asked.
    affiliate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("affiliates.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[OutsideKind] = mapped_column(str_enum(OutsideKind, "outside_kind"))
    status: Mapped[OutsideStatus] = mapped_column(
        str_enum(OutsideStatus, "outside_status"), default=OutsideStatus.PENDING
    )
    provider: Mapped[str] = mapped_column(sa.String(MAX_PROVIDER))
    title: Mapped[str] = mapped_column(sa.String(MAX_TITLE))
    description: Mapped[str] = mapped_column(sa.String(MAX_DESCRIPTION), default="")
    starts_on: Mapped[date] = mapped_column(sa.Date())
    ends_on: Mapped[date] = mapped_column(sa.Date())
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))  # as the member claims them
    approved_hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    # The proof: a storage key (esp_registry.files.storage) and what the content was.
    proof_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    proof_type: Mapped[str] = mapped_column(sa.String(40), default="")
    proof_size: Mapped[int] = mapped_column(default=0)
    pre_approval_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outside_trainings.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decision_note: Mapped[str] = mapped_column(sa.String(MAX_NOTE), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    affiliate: Mapped[Affiliate] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    pre_approval: Mapped[OutsideTraining | None] = relationship(remote_side=[id])

    __table_args__ = (
        sa.CheckConstraint("hours > 0", name="hours_positive"),
        sa.CheckConstraint(
            "approved_hours IS NULL OR approved_hours > 0", name="approved_positive"
        ),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("(status = 'pending') = (decided_at IS NULL)", name="decided_has_time"),
        sa.CheckConstraint(
            "(status = 'approved') = (approved_hours IS NOT NULL)", name="approved_has_hours"
        ),
        sa.CheckConstraint(
            "status <> 'declined' OR decision_note <> ''", name="declined_has_reason"
        ),
        sa.CheckConstraint(
            "kind <> 'completed' OR proof_key IS NOT NULL", name="completed_has_proof"
        ),
        # One completion per pre-approval at a time (a declined one may be recorded again).
        sa.Index(
            "uq_outside_trainings_completion",
            "pre_approval_id",
            unique=True,
            sqlite_where=sa.text("status <> 'declined'"),
            postgresql_where=sa.text("status <> 'declined'"),
        ),
        # The approvers' queue: one affiliate's requests of a status, oldest first.
        sa.Index("ix_outside_trainings_queue", "affiliate_id", "status", "created_at", "id"),
    )

    @property
    def is_pending(self) -> bool:
        return self.status == OutsideStatus.PENDING

    @property
    def credited_hours(self) -> Decimal:
        return self.approved_hours if self.approved_hours is not None else self.hours


class OutsideTrainingEvent(db.Model):
    """The audit trail of a request: who did what, when, with which hours and note."""

    __tablename__ = "outside_training_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outside_trainings.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[OutsideAction] = mapped_column(str_enum(OutsideAction, "outside_action"))
    hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    note: Mapped[str] = mapped_column(sa.String(MAX_NOTE), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()
