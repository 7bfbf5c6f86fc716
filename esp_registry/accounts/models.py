"""People and the roles they hold (PRODUCT §1)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from esp_registry.columns import UTCDateTime, str_enum, utcnow
from esp_registry.extensions import db
from esp_registry.reference.models import Affiliate, JobFamily


class Role(enum.StrEnum):
    """Roles beyond "member", which every account is."""

    NATIONAL_ADMIN = "national_admin"
    AFFILIATE_APPROVER = "affiliate_approver"
    FACILITATOR = "facilitator"
    REVIEWER = "reviewer"  # scores Leaders for Tomorrow applications nationally
    ASSESSOR = "assessor"  # scores micro-credential submissions assigned to them (§14)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    full_name: Mapped[str] = mapped_column(sa.String(120))
    affiliate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("affiliates.id", ondelete="RESTRICT"), index=True
    )
    local_name: Mapped[str] = mapped_column(sa.String(120), default="")
    job_family_id: Mapped[int] = mapped_column(
        sa.ForeignKey("job_families.id", ondelete="RESTRICT"), index=True
    )
    job_title: Mapped[str] = mapped_column(sa.String(120), default="")
    # When the member started this job; mentoring asks it ("up to three years in the job").
    started_job_on: Mapped[date | None] = mapped_column(sa.Date())
    # The language of the interface once signed in, and of every e-mail sent to them.
    preferred_language: Mapped[str] = mapped_column(sa.String(5), default="en", server_default="en")
    # None until the member opens the link e-mailed at sign-up; until then only that
    # confirmation e-mail is sent to the address.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A deactivated person cannot sign in; nothing of theirs is deleted.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The member closed the account: personal data anonymised, certificates kept as printed.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    affiliate: Mapped[Affiliate] = relationship(lazy="joined")
    job_family: Mapped[JobFamily] = relationship(lazy="joined")
    role_grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("preferred_language IN ('en', 'es')", name="known_language"),
        # Lists of people by name (the directory, rosters), nationally and per affiliate.
        sa.Index("ix_users_name", "full_name", "id"),
        sa.Index("ix_users_affiliate_name", "affiliate_id", "full_name", "id"),
    )

    # The sign-in this request runs under (not a column): Flask-Login keeps it in the cookie,
    # so a cookie names a server-side sign-in that can be ended, never just a user id.
    sign_in_token = None

    def get_id(self) -> str:
        if not self.sign_in_token:
            raise RuntimeError("sign in through accounts.sessions.sign_in, not login_user")
        return self.sign_in_token

    def set_password(self, password: str) -> None:
        # Configurable so the test suite can use a cheap hash; production keeps scrypt.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, role: Role) -> bool:
        return any(g.role == role for g in self.role_grants)

    @property
    def is_deactivated(self) -> bool:
        return self.deactivated_at is not None

    @property
    def is_national_admin(self) -> bool:
        return self.has_role(Role.NATIONAL_ADMIN)

    @property
    def approver_affiliate_ids(self) -> set[int]:
        return {
            g.affiliate_id
            for g in self.role_grants
            if g.role == Role.AFFILIATE_APPROVER and g.affiliate_id is not None
        }


class RoleGrant(db.Model):
    """One role held by one person; an approver's role is scoped to one affiliate."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    affiliate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("affiliates.id", ondelete="CASCADE")
    )

    user: Mapped[User] = relationship(back_populates="role_grants")
    affiliate: Mapped[Affiliate | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("user_id", "role", "affiliate_id", name="uq_role_grants_scope"),
        sa.CheckConstraint(
            "(role = 'affiliate_approver') = (affiliate_id IS NOT NULL)",
            name="approver_has_affiliate",
        ),
    )


class SignInSession(db.Model):
    """One signed-in browser. Signing out ends it; "sign out everywhere" and a password
    change end the others. The cookie carries a random token; only its SHA-256 is stored."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class AccountAction(enum.StrEnum):
    ROLE_GRANTED = "role_granted"
    ROLE_REVOKED = "role_revoked"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"


class AccountEvent(db.Model):
    """Who changed a person's roles or account state, when, and what (the audit trail)."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[AccountAction] = mapped_column(str_enum(AccountAction, "account_action"))
    role: Mapped[Role | None] = mapped_column(str_enum(Role, "event_role"))
    affiliate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("affiliates.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    affiliate: Mapped[Affiliate | None] = relationship()

    __table_args__ = (sa.Index("ix_account_events_user_time", "user_id", "created_at"),)
