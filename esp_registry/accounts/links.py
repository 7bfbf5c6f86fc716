"""Links e-mailed to a person that act on their account: confirm the address, set a new
password, move the account to a new address (PRODUCT §12).

Each link is signed and dated (itsdangerous) and names the state it was made for, so it
does only what it says, once: a reset link carries a fingerprint of the password it
replaces (dead as soon as any new password is set), an address link carries the address
it confirms (dead when the address changed). Nothing is stored for them.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from esp_registry.accounts.models import User
from esp_registry.accounts.rules import normalise_email
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.notifications.outbox import public_url, queue_email

RESET_SALT = "password-reset"
CONFIRM_SALT = "confirm-email"
CHANGE_SALT = "change-email"


class LinkState(enum.StrEnum):
    OK = "ok"
    EXPIRED = "expired"
    USED = "used"  # already did what it says (or the account moved on since)
    INVALID = "invalid"


@dataclass(frozen=True)
class LinkCheck:
    state: LinkState
    user: User | None = None
    new_email: str = ""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:20]


def _load(salt: str, token: str, max_age: int) -> tuple[LinkState, dict[str, object]]:
    try:
        payload = _serializer(salt).loads(token[:500], max_age=max_age)
    except SignatureExpired:
        return LinkState.EXPIRED, {}
    except BadSignature:
        return LinkState.INVALID, {}
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return LinkState.INVALID, {}
    return LinkState.OK, payload


def _user(payload: dict[str, object]) -> User | None:
    user_id = payload["u"]
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


# ---------------------------------------------------------------- forgotten password


def send_password_reset(email: str) -> None:
    """E-mail a reset link if an account uses `email`; say nothing either way."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        return
    token = _serializer(RESET_SALT).dumps({"u": user.id, "p": _fingerprint(user.password_hash)})
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    queue_email(
        user,
        "password_reset",
        reset_url=public_url("accounts.reset_password", token=token),
        minutes=minutes,
    )
    db.session.commit()


def check_reset_link(token: str) -> LinkCheck:
    state, payload = _load(RESET_SALT, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    if state != LinkState.OK:
        return LinkCheck(state)
    user = _user(payload)
    if user is None:
        return LinkCheck(LinkState.INVALID)
    if payload.get("p") != _fingerprint(user.password_hash):
        return LinkCheck(LinkState.USED)  # a new password was set since: one use only
    return LinkCheck(LinkState.OK, user)


def reset_password(token: str, new_password: str, now: datetime | None = None) -> LinkCheck:
    """Set the new password if the link still works. Opening the e-mailed link shows the
    address is theirs, so it counts as confirmed. The caller ends every other sign-in."""
    check = check_reset_link(token)
    if check.state != LinkState.OK or check.user is None:
        return check
    check.user.set_password(new_password)
    if check.user.email_confirmed_at is None:
        check.user.email_confirmed_at = now or utcnow()
    db.session.commit()
    return check


# ---------------------------------------------------------------- confirming an address


def send_confirmation(user: User) -> None:
    """E-mail the link that confirms the address the account uses now (caller commits)."""
    token = _serializer(CONFIRM_SALT).dumps({"u": user.id, "e": _fingerprint(user.email)})
    queue_email(
        user, "confirm_email", confirm_url=public_url("accounts.confirm_email", token=token)
    )


def confirm_email(token: str, now: datetime | None = None) -> LinkCheck:
    state, payload = _load(CONFIRM_SALT, token, current_app.config["EMAIL_LINK_MAX_AGE"])
    if state != LinkState.OK:
        return LinkCheck(state)
    user = _user(payload)
    if user is None or payload.get("e") != _fingerprint(user.email):
        return LinkCheck(LinkState.INVALID)
    if user.email_confirmed_at is not None:
        return LinkCheck(LinkState.USED, user)
    user.email_confirmed_at = now or utcnow()
    db.session.commit()
    return LinkCheck(LinkState.OK, user)


# ---------------------------------------------------------------- changing the address


def send_email_change(user: User, new_email: str) -> None:
    """E-mail the new address a link that moves the account to it; the account keeps
    its address until the link is opened (caller commits)."""
    new_email = normalise_email(new_email)
    token = _serializer(CHANGE_SALT).dumps(
        {"u": user.id, "old": _fingerprint(user.email), "new": new_email}
    )
    queue_email(
        user,
        "email_change",
        to_email=new_email,
        confirm_url=public_url("accounts.confirm_email_change", token=token),
        new_email=new_email,
    )


def confirm_email_change(token: str, now: datetime | None = None) -> LinkCheck:
    """Move the account to the new address, unless it changed since the link was sent or
    the new address now belongs to someone else. The old address is told."""
    state, payload = _load(CHANGE_SALT, token, current_app.config["EMAIL_LINK_MAX_AGE"])
    if state != LinkState.OK:
        return LinkCheck(state)
    user, new_email = _user(payload), payload.get("new")
    if user is None or not isinstance(new_email, str):
        return LinkCheck(LinkState.INVALID)
    if user.email == new_email:
        return LinkCheck(LinkState.USED, user, new_email)
    if payload.get("old") != _fingerprint(user.email):
        return LinkCheck(LinkState.USED, user, new_email)
    old_email = user.email
    user.email = new_email
    user.email_confirmed_at = now or utcnow()
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return LinkCheck(LinkState.INVALID, None, new_email)  # taken meanwhile
    queue_email(user, "email_changed", to_email=old_email, new_email=new_email)
    db.session.commit()
    return LinkCheck(LinkState.OK, user, new_email)
