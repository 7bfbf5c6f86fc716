"""The outbox: e-mails written in the same transaction as the change they report."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; kept for staff to see


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60))
    to_email: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[str] = mapped_column(sa.String(120), default="")
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )
