"""The address a member's badges name, when it is not their account's (issue 16): a
personal e-mail, so a badge survives a change of employer. Only a confirmed address is
kept; the link that confirms it carries the address itself (nothing pending is stored)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from esp_registry.columns import UTCDateTime, utcnow
from esp_registry.extensions import db


class BadgeEmail(db.Model):
    __tablename__ = "badge_emails"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lowercase"),)
