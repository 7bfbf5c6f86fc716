"""When a program is taught: offerings and their sessions (PRODUCT §3)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db
from esp_registry.reference.models import Affiliate, JobFamily, Program
from esp_registry.reference_data import LFT_PROGRAM_SLUG

if TYPE_CHECKING:
    from esp_registry.accounts.models import User


class OfferingFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"
    HYBRID = "hybrid"


class OfferingStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class PromotionMode(enum.StrEnum):
    """What happens to the first waitlisted member when a seat frees up."""

    CONFIRM = "confirm"  # confirmed at once
    OFFER = "offer"  # offered the seat for `offer_hours`, then the next person


offering_audience = sa.Table(
    "offering_audience",
    db.metadata,
    sa.Column("offering_id", sa.ForeignKey("offerings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "job_family_id", sa.ForeignKey("job_families.id", ondelete="CASCADE"), primary_key=True
    ),
)

offering_facilitators = sa.Table(
    "offering_facilitators",
    db.metadata,
    sa.Column("offering_id", sa.ForeignKey("offerings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Offering(db.Model):
    """One scheduled run of a program."""

    __tablename__ = "offerings"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programs.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # NULL host means the national union hosts it.
    host_affiliate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("affiliates.id", ondelete="RESTRICT"), index=True
    )
    format: Mapped[OfferingFormat] = mapped_column(
        str_enum(OfferingFormat, "offering_format"), default=OfferingFormat.IN_PERSON
    )
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="America/New_York")
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # NULL capacity means unlimited.
    capacity: Mapped[int | None] = mapped_column()
    waitlist_enabled: Mapped[bool] = mapped_column(default=False)
    promotion_mode: Mapped[PromotionMode] = mapped_column(
        str_enum(PromotionMode, "promotion_mode"),
        default=PromotionMode.CONFIRM,
        server_default=PromotionMode.CONFIRM.value,
    )
    offer_hours: Mapped[int | None] = mapped_column()
    requires_affiliate_approval: Mapped[bool] = mapped_column(default=False)
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[OfferingStatus] = mapped_column(
        str_enum(OfferingStatus, "offering_status"), default=OfferingStatus.DRAFT, index=True
    )
    signatory: Mapped[str] = mapped_column(sa.String(160), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    program: Mapped[Program] = relationship()
    host_affiliate: Mapped[Affiliate | None] = relationship()
    parent: Mapped[Offering | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Offering]] = relationship(back_populates="parent")
    sessions: Mapped[list[Session]] = relationship(
        back_populates="offering",
        cascade="all, delete-orphan",
        order_by="Session.starts_at",
    )
    audience: Mapped[list[JobFamily]] = relationship(
        secondary=offering_audience, order_by="JobFamily.name"
    )
    facilitators: Mapped[list[User]] = relationship(secondary=offering_facilitators)

    __table_args__ = (
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint(
            "registration_opens_at IS NULL OR registration_closes_at IS NULL"
            " OR registration_opens_at < registration_closes_at",
            name="window_in_order",
        ),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        sa.CheckConstraint(
            "promotion_mode = 'confirm' OR (offer_hours IS NOT NULL AND offer_hours > 0)",
            name="offer_has_hours",
        ),
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def host_name(self) -> str:
        return self.host_affiliate.name if self.host_affiliate else "National"

    @property
    def starts_at(self) -> datetime | None:
        return self.sessions[0].starts_at if self.sessions else None

    @property
    def ends_at(self) -> datetime | None:
        return max(s.ends_at for s in self.sessions) if self.sessions else None

    @property
    def contact_hours(self) -> Decimal:
        return sum((s.contact_hours for s in self.sessions), Decimal(0))

    @property
    def is_lft_cohort(self) -> bool:
        """A Leaders for Tomorrow cohort: filled by the selection, not by members."""
        return self.program.slug == LFT_PROGRAM_SLUG

    def is_for_job_family(self, job_family_id: int) -> bool:
        return not self.audience or any(f.id == job_family_id for f in self.audience)


class Session(db.Model):
    """One meeting of an offering: a day of a two-day training, or one workshop."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(
        sa.ForeignKey("offerings.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    contact_hours: Mapped[Decimal] = mapped_column(sa.Numeric(4, 2))

    offering: Mapped[Offering] = relationship(back_populates="sessions")

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("contact_hours >= 0 AND contact_hours <= 24", name="hours_in_range"),
    )
