"""Creating accounts and checking sign-ins."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Affiliate, JobFamily
from esp_registry.extensions import db


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
) -> User | None:
    """A new member account; None when the email is already in use (even in a race)."""
    user = User(
        full_name=" ".join(full_name.split()),
        email=normalise_email(email),
        affiliate_id=affiliate_id,
        job_family_id=job_family_id,
        local_name=local_name.strip(),
        job_title=job_title.strip(),
    )
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.check_password(password):
        return None
    return user


def affiliate_choices() -> list[tuple[int, str]]:
    return [
        (a.id, a.name) for a in db.session.scalars(sa.select(Affiliate).order_by(Affiliate.name))
    ]


def job_family_choices() -> list[tuple[int, str]]:
    return [
        (f.id, f.name) for f in db.session.scalars(sa.select(JobFamily).order_by(JobFamily.name))
    ]
