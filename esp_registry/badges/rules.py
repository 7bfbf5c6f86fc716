"""The personal e-mail a member's badges name (issue 16): asked for on /badges/email,
confirmed by a signed link sent to that address (so nobody names someone else's address
on their badge), removed at any time. Badges downloaded after the change name it; badges
already downloaded keep the address they were issued for."""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from esp_registry.accounts.models import User
from esp_registry.accounts.rules import normalise_email
from esp_registry.badges.models import BadgeEmail
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.notifications.outbox import public_url, queue_email
from esp_registry.results import Result, done, refused

SALT = "badge-email"


def personal_email(user_id: int) -> BadgeEmail | None:
    return db.session.get(BadgeEmail, user_id)


def badge_email_for(user: User) -> str:
    """The address a new badge names: the confirmed personal one, else the account's."""
    personal = personal_email(user.id)
    return personal.email if personal is not None else user.email


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:20]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def request_personal_email(user: User, email: str) -> Result:
    """E-mail the new address a link that makes it the badges' address."""
    email = normalise_email(email)
    current = personal_email(user.id)
    if email == user.email:
        return refused(_("That is your account's address: your badges name it already."))
    if current is not None and current.email == email:
        return refused(_("Your badges name %(email)s already.", email=email))
    token = _serializer().dumps(
        {"u": user.id, "e": email, "was": _fingerprint(current.email if current else "")}
    )
    sent = queue_email(
        user,
        "badge_email",
        to_email=email,
        confirm_url=public_url("badges.confirm_email", token=token),
        new_email=email,
    )
    if sent is None:
        return refused(_("Confirm your account's e-mail address first."))
    db.session.commit()
    return done(_("We sent a link to %(email)s: open it to have your badges name it.", email=email))


def confirm_personal_email(token: str, now: datetime | None = None) -> Result:
    """The link opened: the address becomes the badges' (once; a later change kills it)."""
    try:
        payload = _serializer().loads(
            token[:1000], max_age=current_app.config["EMAIL_LINK_MAX_AGE"]
        )
    except SignatureExpired:
        return refused(_("This link has expired. Ask for a new one."))
    except BadSignature:
        return refused(_("This link is not valid."))
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return refused(_("This link is not valid."))
    user = db.session.get(User, payload["u"])
    email = payload.get("e")
    if user is None or user.closed_at is not None or not isinstance(email, str):
        return refused(_("This link is not valid."))
    current = personal_email(user.id)
    if payload.get("was") != _fingerprint(current.email if current else ""):
        return refused(_("This link was already used, or your badge address changed since."))
    if current is None:
        db.session.add(BadgeEmail(user_id=user.id, email=email, confirmed_at=now or utcnow()))
    else:
        current.email, current.confirmed_at = email, now or utcnow()
    db.session.commit()
    return done(_("Your new badges name %(email)s.", email=email))


def remove_personal_email(user: User) -> Result:
    db.session.execute(sa.delete(BadgeEmail).where(BadgeEmail.user_id == user.id))
    db.session.commit()
    return done(_("Your new badges name your account's address again."))


# ---------------------------------------------------------------------------- own data


def exported(user: User) -> str | None:
    """For "download all my data"."""
    personal = personal_email(user.id)
    return personal.email if personal is not None else None


def forget(user: User) -> None:
    """Closing the account removes it (the caller commits)."""
    db.session.execute(sa.delete(BadgeEmail).where(BadgeEmail.user_id == user.id))
