"""A member's place in an offering (PRODUCT §4)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering
from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db


class RegistrationStatus(enum.StrEnum):
    PENDING_APPROVAL = "pending_approval"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


ACTIVE_STATUSES = (
    RegistrationStatus.PENDING_APPROVAL,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
)


class Registration(db.Model):
    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "registration_status")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Waitlist order: first come, first served; positions 1..n are derived from it.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the member first joined the waitlist; kept after a promotion (waitlist demand).
    first_waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A waitlisted member offered a freed seat holds it until then (PromotionMode.OFFER).
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who decided last (approver, staff, or the member) and why, shown to the member.
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")

    offering: Mapped[Offering] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        # One registration per member per offering: a double click makes one.
        sa.UniqueConstraint("user_id", "offering_id", name="uq_registrations_member_offering"),
        sa.Index("ix_registrations_offering_status", "offering_id", "status"),
        # The approvals queue (pending, oldest first) and other lists by status and age.
        sa.Index("ix_registrations_status_created", "status", "created_at", "id"),
        sa.CheckConstraint(
            "(status = 'waitlisted') = (waitlisted_at IS NOT NULL)", name="waitlist_has_time"
        ),
        sa.CheckConstraint(
            "offer_expires_at IS NULL OR status = 'waitlisted'", name="offers_are_waitlisted"
        ),
    )

    @property
    def holds_offer(self) -> bool:
        return self.status == RegistrationStatus.WAITLISTED and self.offer_expires_at is not None
