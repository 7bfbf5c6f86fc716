"""Certificates of attendance and their public verification codes (PRODUCT §7)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.columns import UTCDateTime, utcnow
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration


class Certificate(db.Model):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    # What the certificate says, kept as issued so verification shows what was printed.
    member_name: Mapped[str] = mapped_column(sa.String(120))
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    registration: Mapped[Registration] = relationship()

    __table_args__ = (sa.CheckConstraint("hours > 0", name="hours_positive"),)
