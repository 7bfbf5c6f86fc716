"""Issuing and verifying certificates of attendance (PRODUCT §7)."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from esp_registry.attendance.rules import credited_hours
from esp_registry.certificates.models import Certificate
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration, RegistrationStatus

# Crockford's base32: no I, L, O or U, so a code read aloud or typed is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 random bits: unguessable, and short enough to type from paper


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed or scanned, as stored: upper case, no dashes or spaces."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def issue_certificate(
    registration: Registration, now: datetime | None = None
) -> Certificate | None:
    """The registration's certificate, issued once it has credited hours and kept in step
    with attendance; None while there is nothing to certify."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return None
    hours = credited_hours([registration.id]).get(registration.id)
    certificate = db.session.scalar(
        sa.select(Certificate).where(Certificate.registration_id == registration.id)
    )
    if not hours:
        return certificate if certificate and certificate.revoked_at else None
    if certificate is None:
        certificate = Certificate(
            registration_id=registration.id,
            code=new_code(),
            member_name=registration.user.full_name,
            hours=hours,
            issued_at=now or utcnow(),
        )
        db.session.add(certificate)
        try:
            db.session.commit()
        except IntegrityError:
            # Issued by a parallel request (two downloads at once): use that one.
            db.session.rollback()
            return db.session.scalar(
                sa.select(Certificate).where(Certificate.registration_id == registration.id)
            )
    elif certificate.hours != hours and certificate.revoked_at is None:
        certificate.hours = hours
        db.session.commit()
    return certificate


def find_certificate(code_text: str) -> Certificate | None:
    code = normalise_code(code_text)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))
