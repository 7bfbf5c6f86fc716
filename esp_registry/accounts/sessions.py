"""Sign-in sessions kept on the server, so signing out really ends them (PRODUCT §12).

The session cookie carries a random token naming one `SignInSession` row; a replayed
cookie after sign-out, "sign out everywhere" or a password change names an ended row and
is signed out. Rules are plain functions; `sign_in`/`sign_out` also update the cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, session
from flask_login import login_user, logout_user

from esp_registry.accounts.models import SignInSession, User
from esp_registry.columns import utcnow
from esp_registry.extensions import db

# Writing "last seen" on every request would make every page a write; this often is enough.
TOUCH_EVERY = timedelta(minutes=10)
# Session keys that belong to the browser, not to whoever signed in on it.
BROWSER_KEYS = ("lang",)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _idle_limit() -> timedelta:
    return timedelta(days=current_app.config.get("SESSION_IDLE_DAYS", 14))


def start_session(user: User, user_agent: str = "", now: datetime | None = None) -> str:
    """A new sign-in for `user`; returns the token the cookie will carry."""
    token = secrets.token_urlsafe(32)
    now = now or utcnow()
    db.session.add(
        SignInSession(
            user_id=user.id,
            token_digest=_digest(token),
            user_agent=user_agent[:200],
            created_at=now,
            last_seen_at=now,
        )
    )
    db.session.commit()
    return token


def user_for_token(token: str, now: datetime | None = None) -> User | None:
    """The person a cookie's token signs in, or None when that sign-in was ended,
    has been idle too long, or never existed."""
    if not token or len(token) > 100:
        return None
    now = now or utcnow()
    found = db.session.execute(
        sa.select(SignInSession, User)
        .join(User, User.id == SignInSession.user_id)
        .where(SignInSession.token_digest == _digest(token), SignInSession.ended_at.is_(None))
    ).first()
    if found is None:
        return None
    sign_in, user = found
    if now - sign_in.last_seen_at > _idle_limit() or user.is_deactivated:
        return None
    user.sign_in_token = token
    g.sign_in_session = sign_in
    return user


def touch_current(now: datetime | None = None) -> None:
    """Note that the current sign-in is in use (at most every few minutes). Called at the
    start of a request, before any other change, so committing here commits nothing else."""
    sign_in = g.get("sign_in_session")
    now = now or utcnow()
    if sign_in is not None and now - sign_in.last_seen_at > TOUCH_EVERY:
        sign_in.last_seen_at = now
        db.session.commit()


def end_session(token: str, now: datetime | None = None) -> None:
    db.session.execute(
        sa.update(SignInSession)
        .where(SignInSession.token_digest == _digest(token), SignInSession.ended_at.is_(None))
        .values(ended_at=now or utcnow())
    )
    db.session.commit()


def end_other_sessions(user: User, keep_token: str | None, now: datetime | None = None) -> int:
    """End every sign-in of `user` but the one carrying `keep_token` (None: end all).
    Returns how many were ended."""
    query = sa.update(SignInSession).where(
        SignInSession.user_id == user.id, SignInSession.ended_at.is_(None)
    )
    if keep_token:
        query = query.where(SignInSession.token_digest != _digest(keep_token))
    ended = db.session.execute(query.values(ended_at=now or utcnow())).rowcount
    db.session.commit()
    return ended


def active_sessions(user: User) -> list[SignInSession]:
    """The person's sign-ins still in use, newest first (a person has a handful)."""
    since = utcnow() - _idle_limit()
    return list(
        db.session.scalars(
            sa.select(SignInSession)
            .where(
                SignInSession.user_id == user.id,
                SignInSession.ended_at.is_(None),
                SignInSession.last_seen_at > since,
            )
            .order_by(SignInSession.last_seen_at.desc(), SignInSession.id.desc())
            .limit(50)
        )
    )


def is_current(sign_in: SignInSession) -> bool:
    current = g.get("sign_in_session")
    return current is not None and current.id == sign_in.id


def _fresh_cookie() -> None:
    """Drop everything the cookie held (the CSRF token included, so a token seen before
    sign-in is useless after it) but the browser's own choices, such as the language."""
    kept = {key: session[key] for key in BROWSER_KEYS if key in session}
    session.clear()
    session.update(kept)
    g.pop("csrf_token", None)  # Flask-WTF caches the signed token per request


def sign_in(user: User, user_agent: str = "") -> None:
    """Sign `user` in on this browser: a new server-side sign-in and a fresh cookie."""
    _fresh_cookie()
    user.sign_in_token = start_session(user, user_agent)
    login_user(user)


def sign_out(user: User) -> None:
    """End this browser's sign-in on the server and clear its cookie."""
    if user.sign_in_token:
        end_session(user.sign_in_token)
    logout_user()
    _fresh_cookie()
