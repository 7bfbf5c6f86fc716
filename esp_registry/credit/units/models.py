"""Credit units (CEU, a state's PDP, a contract's training points) and the rules that
convert contact hours and micro-credentials into them: one national rule per unit and,
where a state affiliate counts differently, that state's rule instead (PRODUCT §13)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db
from esp_registry.reference.models import Affiliate

if TYPE_CHECKING:
    from esp_registry.accounts.models import User


class Rounding(enum.StrEnum):
    DOWN_TENTH = "down_tenth"
    NEAREST_TENTH = "nearest_tenth"
    DOWN_WHOLE = "down_whole"
    NEAREST_WHOLE = "nearest_whole"


class CreditUnit(db.Model):
    """A unit members' contact hours count in besides hours themselves."""

    __tablename__ = "credit_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    # Shown to members reading in Spanish; blank shows the English name (web.translated).
    name_es: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    rules: Mapped[list[CreditRule]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", passive_deletes=True
    )


class CreditRule(db.Model):
    """How one unit is earned: nationally (no affiliate) or in one state affiliate, where
    it replaces the national rule. From contact hours (hours per unit, a rounding, an
    optional yearly cap) and/or from micro-credentials (so many = so many units)."""

    __tablename__ = "credit_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("credit_units.id", ondelete="CASCADE"))
    affiliate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("affiliates.id", ondelete="CASCADE"), index=True
    )
    hours_per_unit: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    rounding: Mapped[Rounding] = mapped_column(
        str_enum(Rounding, "credit_rounding"), default=Rounding.DOWN_TENTH
    )
    yearly_cap: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    microcredentials_per_block: Mapped[int | None] = mapped_column()
    units_per_block: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[CreditUnit] = relationship(back_populates="rules")
    affiliate: Mapped[Affiliate | None] = relationship()

    __table_args__ = (
        # One rule per state, and one national rule (NULL affiliate, which UNIQUE lets repeat).
        sa.UniqueConstraint("unit_id", "affiliate_id", name="uq_credit_rules_unit_affiliate"),
        sa.Index(
            "uq_credit_rules_national",
            "unit_id",
            unique=True,
            sqlite_where=sa.text("affiliate_id IS NULL"),
            postgresql_where=sa.text("affiliate_id IS NULL"),
        ),
        sa.CheckConstraint(
            "hours_per_unit IS NULL OR hours_per_unit > 0", name="hours_per_unit_positive"
        ),
        sa.CheckConstraint("yearly_cap IS NULL OR yearly_cap >= 0", name="yearly_cap_not_negative"),
        sa.CheckConstraint(
            "(microcredentials_per_block IS NULL) = (units_per_block IS NULL)",
            name="microcredential_conversion_whole",
        ),
        sa.CheckConstraint(
            "microcredentials_per_block IS NULL OR microcredentials_per_block > 0",
            name="microcredentials_per_block_positive",
        ),
    )


class CreditAction(enum.StrEnum):
    UNIT_ADDED = "unit_added"
    UNIT_EDITED = "unit_edited"
    UNIT_DEACTIVATED = "unit_deactivated"
    UNIT_REACTIVATED = "unit_reactivated"
    RULE_ADDED = "rule_added"
    RULE_EDITED = "rule_edited"
    RULE_REMOVED = "rule_removed"


class CreditEvent(db.Model):
    """Who changed a unit or one of its rules, when, and what (the unit page's audit list)."""

    __tablename__ = "credit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("credit_units.id", ondelete="CASCADE"))
    # The state whose rule changed (None: the unit itself, or its national rule).
    affiliate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("affiliates.id", ondelete="CASCADE")
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[CreditAction] = mapped_column(str_enum(CreditAction, "credit_action"))
    # {field: [before, after]}, numbers as text ("2.5"), as the person typed them.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship("User")
    affiliate: Mapped[Affiliate | None] = relationship()

    __table_args__ = (sa.Index("ix_credit_events_unit", "unit_id", "created_at"),)
