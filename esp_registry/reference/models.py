"""Reference data of PRODUCT §2: job families, state affiliates and programs.

Accounts and the catalog both build on these; they reference them by id, so renaming one
never breaks an offering or a certificate (certificates store what they printed).
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db

if TYPE_CHECKING:
    from esp_registry.accounts.models import User


class JobFamily(db.Model):
    __tablename__ = "job_families"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    # Shown to members reading in Spanish; blank shows the English name (web.translated).
    name_es: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # The introduction on its "Getting Educated: <family> Professionals" catalog page.
    page_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")


class Affiliate(db.Model):
    """A state affiliate: the 50 states plus DC and Puerto Rico."""

    __tablename__ = "affiliates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(2), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name_es: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")


class Program(db.Model):
    """What is taught; offerings are its scheduled runs."""

    __tablename__ = "programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    name_es: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    job_family_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("job_families.id", ondelete="SET NULL")
    )

    # Members apply and are selected (Leaders for Tomorrow) instead of registering.
    requires_application: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # What a new session of its offerings counts unless the organiser says otherwise.
    default_contact_hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 2))

    job_family: Mapped[JobFamily | None] = relationship()


class Local(db.Model):
    """A local association of a state affiliate. Members still type their local as text;
    these are the names offered to them, and what admins rename, merge and deactivate."""

    __tablename__ = "locals"

    id: Mapped[int] = mapped_column(primary_key=True)
    affiliate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("affiliates.id", ondelete="CASCADE"), index=True
    )
    # As long as users.local_name, so any local a member typed fits.
    name: Mapped[str] = mapped_column(sa.String(120))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    affiliate: Mapped[Affiliate] = relationship()

    __table_args__ = (sa.UniqueConstraint("affiliate_id", "name", name="uq_locals_affiliate_name"),)


class ReferenceKind(enum.StrEnum):
    PROGRAM = "program"
    JOB_FAMILY = "job_family"
    AFFILIATE = "affiliate"
    LOCAL = "local"


class ReferenceAction(enum.StrEnum):
    ADDED = "added"
    EDITED = "edited"
    MERGED = "merged"  # a local merged into another (subject: the one merged away)
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"


class ReferenceEvent(db.Model):
    """Who changed which piece of reference data, when, and what (the audit trail)."""

    __tablename__ = "reference_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReferenceKind] = mapped_column(str_enum(ReferenceKind, "reference_kind"))
    subject_id: Mapped[int] = mapped_column()
    # For locals, their affiliate, so the affiliate's page shows what happened to them.
    affiliate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("affiliates.id", ondelete="CASCADE")
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[ReferenceAction] = mapped_column(str_enum(ReferenceAction, "reference_action"))
    # {field: [before, after]}, as the admin saw and typed them.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship("User")

    __table_args__ = (
        sa.Index("ix_reference_events_subject", "kind", "subject_id", "created_at"),
        sa.Index("ix_reference_events_affiliate", "affiliate_id", "created_at"),
    )
