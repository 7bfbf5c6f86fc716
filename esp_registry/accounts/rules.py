"""Creating accounts and checking sign-ins."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.reference.models import Affiliate, JobFamily
from esp_registry.web import by_translated_name, translated


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_taken(email: str) -> bool:
    return (
        db.session.scalar(sa.select(User.id).where(User.email == normalise_email(email)))
        is not None
    )


def create_member(
    *,
    full_name: str,
    email: str,
    password: str,
    affiliate_id: int,
    job_family_id: int,
    local_name: str = "",
    job_title: str = "",
    preferred_language: str = "en",
) -> User | None:
    """A new member account; None when the email is already in use (even in a race).
    The address is not confirmed yet: the caller sends the confirmation link."""
    user = User(
        full_name=" ".join(full_name.split()),
        email=normalise_email(email),
        affiliate_id=affiliate_id,
        job_family_id=job_family_id,
        local_name=local_name.strip(),
        job_title=job_title.strip(),
        preferred_language=preferred_language if preferred_language in ("en", "es") else "en",
    )
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return user


# A hash of nothing anybody knows, per hashing method, to check unknown e-mails against.
_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _DUMMY_HASHES[method]


def authenticate(email: str, password: str) -> User | None:
    """The account these credentials open, or None. An unknown e-mail costs the same
    password hash as a known one, so the time taken does not tell which addresses exist."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or user.is_deactivated:
        return None  # a deactivated account is told apart from nothing: same answer
    return user


def change_password(user: User, current: str, new: str) -> bool:
    """Set a new password if `current` is the one in use; False (nothing changed) if not.
    The caller ends the person's other sign-ins."""
    if not user.check_password(current):
        return False
    user.set_password(new)
    db.session.commit()
    return True


def affiliate_choices() -> list[tuple[int, str]]:
    """The affiliates a member chooses from, named and ordered in the reader's language."""
    affiliates = db.session.scalars(sa.select(Affiliate))
    return [(a.id, translated(a)) for a in by_translated_name(affiliates)]


def job_family_choices() -> list[tuple[int, str]]:
    families = db.session.scalars(sa.select(JobFamily))
    return [(f.id, translated(f)) for f in by_translated_name(families)]
