"""My account: the member's own details (PRODUCT §12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from esp_registry.accounts import links
from esp_registry.accounts.models import User
from esp_registry.accounts.rules import email_taken, normalise_email
from esp_registry.extensions import db


@dataclass(frozen=True)
class ProfileChange:
    saved: bool
    email_pending: str = ""  # a confirmation link went to this address
    email_taken: bool = False


def update_profile(
    user: User,
    *,
    full_name: str,
    email: str,
    affiliate_id: int,
    local_name: str,
    job_family_id: int,
    job_title: str,
    started_job_on: date | None,
    preferred_language: str,
) -> ProfileChange:
    """Save the member's details. The name is the one printed on certificates (each is
    re-issued under it when next opened). A new e-mail address is taken only once its
    owner opens the link sent to it; until then the account keeps the old one. Changing
    job family or affiliate changes what is true from now on; past certificates and
    registrations keep what they were."""
    new_email = normalise_email(email)
    if new_email != user.email and email_taken(new_email):
        return ProfileChange(saved=False, email_taken=True)
    user.full_name = " ".join(full_name.split())
    user.affiliate_id = affiliate_id
    user.local_name = local_name.strip()
    user.job_family_id = job_family_id
    user.job_title = job_title.strip()
    user.started_job_on = started_job_on
    user.preferred_language = preferred_language
    pending = ""
    if new_email != user.email:
        links.send_email_change(user, new_email)
        pending = new_email
    db.session.commit()
    return ProfileChange(saved=True, email_pending=pending)


def save_language(user: User, language: str) -> bool:
    if language not in ("en", "es"):
        return False
    user.preferred_language = language
    db.session.commit()
    return True
