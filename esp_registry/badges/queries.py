"""From the registry's records to a badge, and back (a credential to its certificate)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for

from esp_registry.accounts.models import User
from esp_registry.badges import credential as cred
from esp_registry.badges import status
from esp_registry.badges.keys import key_id, public_jwks, signing_key
from esp_registry.badges.rules import badge_email_for
from esp_registry.certificates.models import Certificate, TranscriptCode
from esp_registry.certificates.render import verification_url
from esp_registry.certificates.rules import (
    find_certificate,
    find_transcript_code,
    latest_certificate,
)
from esp_registry.columns import utcnow
from esp_registry.credit.required.queries import certificate_expiry
from esp_registry.extensions import db
from esp_registry.mentoring.models import MentoringRole

ISSUER_NAME = "ESP Registry"


def base_url() -> str:
    return str(current_app.config["PUBLIC_BASE_URL"])


def _hours_text(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def facts_for(certificate: Certificate) -> cred.BadgeFacts:
    """A certificate's facts, for its holder: one branch per kind of certificate (a new
    kind adds its own `_<kind>_facts` here; transcripts are not certificates, see
    `transcript_facts`)."""
    if certificate.is_microcredential:
        return _microcredential_facts(certificate)
    if certificate.is_mentoring:
        return _mentoring_facts(certificate)
    return _attendance_facts(certificate)


def _attendance_facts(certificate: Certificate) -> cred.BadgeFacts:
    registration = certificate.registration
    assert registration is not None
    offering = registration.offering
    return cred.BadgeFacts(
        base_url=base_url(),
        code=certificate.code,
        achievement_path=f"offering/{offering.id}",
        title=offering.title,
        program=offering.program.name,
        description=offering.description or offering.program.description,
        narrative=(
            f"Attended {offering.title} ({offering.program.name}) and was credited "
            f"{_hours_text(certificate.hours)} contact hours."
        ),
        hours=certificate.hours,
        issued_at=certificate.issued_at,
        email=badge_email_for(registration.user),
        salt=cred.salt_for(current_app.config["SECRET_KEY"], certificate.code),
        issuer_name=ISSUER_NAME,
        verification_url=verification_url(certificate),
        status_index=certificate.id,
        valid_until=_valid_until(certificate),
    )


MENTORING = "Supporting Our Own: ESP Mentoring"
MENTORING_DESCRIPTION = (
    "Supporting Our Own, the NEA's mentoring program for Education Support Professionals: "
    "an experienced ESP mentors a newer colleague through a pairing of up to two years."
)


def _mentoring_facts(certificate: Certificate) -> cred.BadgeFacts:
    pairing = certificate.mentoring_pairing
    role = certificate.mentoring_role
    assert pairing is not None and role is not None
    holder = pairing.mentor if role == MentoringRole.MENTOR else pairing.mentee
    return cred.BadgeFacts(
        base_url=base_url(),
        code=certificate.code,
        achievement_path=f"mentoring/{role.value}",
        title=f"{MENTORING} ({role.value})",
        program=MENTORING,
        description=MENTORING_DESCRIPTION,
        narrative=(
            f"Completed a Supporting Our Own mentoring pairing as {role.value}, with "
            f"{_hours_text(certificate.hours)} hours of mentoring logged."
        ),
        hours=certificate.hours,
        issued_at=certificate.issued_at,
        email=badge_email_for(holder),
        salt=cred.salt_for(current_app.config["SECRET_KEY"], certificate.code),
        issuer_name=ISSUER_NAME,
        verification_url=verification_url(certificate),
        status_index=certificate.id,
    )


TRANSCRIPT = "Transcript of professional development"
TRANSCRIPT_DESCRIPTION = (
    "A member's ESP Registry transcript: every completed training, mentoring pairing and "
    "approved outside training, with the contact hours credited, on the day it was issued."
)


def transcript_facts(transcript: TranscriptCode) -> cred.BadgeFacts:
    """A transcript's facts (its code records the totals it showed when issued).

    No status list entry: a transcript code cannot be revoked. It records what the
    transcript said on its issue day and its verification page keeps saying so; a change
    (a revoked certificate among its lines) gives the transcript a new code, and the old
    code's page still shows the old totals with their date. A list bit that can never be
    set would claim a revocation process that does not exist."""
    member = db.session.get(User, transcript.user_id)
    assert member is not None
    return cred.BadgeFacts(
        base_url=base_url(),
        code=transcript.code,
        achievement_path="transcript",
        title=TRANSCRIPT,
        program=ISSUER_NAME,
        description=TRANSCRIPT_DESCRIPTION,
        narrative=(
            f"Completed {transcript.trainings} "
            f"{'training' if transcript.trainings == 1 else 'trainings'} recorded on an ESP "
            f"Registry transcript, with {_hours_text(transcript.total_hours)} contact hours "
            "credited in total."
        ),
        hours=transcript.total_hours,
        issued_at=transcript.issued_at,
        email=badge_email_for(member),
        salt=cred.salt_for(current_app.config["SECRET_KEY"], transcript.code),
        issuer_name=ISSUER_NAME,
        verification_url=base_url() + url_for("certificates.verify", code=transcript.code),
        achievement_type=cred.TRANSCRIPT_TYPE,
    )


MICROCREDENTIAL = "NEA ESP micro-credential"


def _microcredential_facts(certificate: Certificate) -> cred.BadgeFacts:
    """The achievement is the micro-credential (its competency describes it); the criteria
    narrative is its rubric, every criterion of which two assessors judged Met."""
    attempt = certificate.microcredential_attempt
    assert attempt is not None
    microcredential = attempt.microcredential
    rubric = "; ".join(
        f"{component.title}: {criterion.text}"
        for component in microcredential.components
        for criterion in component.criteria
    )
    return cred.BadgeFacts(
        base_url=base_url(),
        code=certificate.code,
        achievement_path=f"microcredential/{microcredential.slug}",
        title=microcredential.name,
        program=microcredential.stack.name if microcredential.stack else MICROCREDENTIAL,
        description=microcredential.competency,
        narrative=(
            f"Demonstrated the competency through evidence assessed Met on every criterion "
            f"of the rubric ({rubric}); awarded with {_hours_text(certificate.hours)} credit "
            f"hours."
        ),
        hours=certificate.hours,
        issued_at=certificate.issued_at,
        email=badge_email_for(attempt.user),
        salt=cred.salt_for(current_app.config["SECRET_KEY"], certificate.code),
        issuer_name=ISSUER_NAME,
        verification_url=verification_url(certificate),
        status_index=certificate.id,
        achievement_type="MicroCredential",
    )


def _valid_until(certificate: Certificate) -> datetime | None:
    """A required program's certificate expires (credit.required): the badge says so, as
    of its download (a requirement added later is not in badges downloaded before)."""
    assert certificate.registration is not None
    expiry = certificate_expiry(certificate.registration.offering, utcnow().date())
    if expiry is None:
        return None
    return datetime.combine(expiry[0] + timedelta(days=1), time(0), tzinfo=UTC)


def signed_badge(certificate: Certificate) -> dict[str, Any]:
    """The download: {"jwt": the signed VC-JWT, "credential": a readable copy of its
    payload}. Only the JWT is proof; /badges/verify reads nothing else."""
    return signed(facts_for(certificate))


def signed(facts: cred.BadgeFacts) -> dict[str, Any]:
    """A badge download from its facts (a certificate's or a transcript's)."""
    credential = cred.build_credential(facts)
    key = signing_key()
    return {"jwt": cred.sign(credential, key, key_id(key, base_url())), "credential": credential}


def published_keys() -> dict[str, Any]:
    return public_jwks(signing_key(), base_url())


def revocation_record(credential: dict[str, Any]) -> tuple[bool, datetime | None] | None:
    """The registry's own record of the certificate a credential names."""
    code = cred.code_from_credential_id(base_url(), credential.get("id"))
    certificate = find_certificate(code) if code else None
    if certificate is None:
        # A transcript's code: on record, and never revoked (see transcript_facts).
        return (False, None) if code and find_transcript_code(code) else None
    # A reissue (the member's name changed) keeps the old code good until the new one is revoked.
    revoked_at = certificate.revoked_at or latest_certificate(certificate).revoked_at
    return revoked_at is not None, revoked_at


def issuer_profile() -> dict[str, Any]:
    return cred.issuer_profile(base_url(), ISSUER_NAME)


def revoked_indexes() -> set[int]:
    """Status list indexes (certificate ids) whose bit is set: revoked certificates, and the
    ones a reissue replaced when the certificate that replaced them is revoked."""
    revoked = set(
        db.session.scalars(sa.select(Certificate.id).where(Certificate.revoked_at.is_not(None)))
    )
    frontier = set(revoked)
    while frontier:  # reissue chains are a few links long
        frontier = (
            set(
                db.session.scalars(
                    sa.select(Certificate.id).where(Certificate.replaced_by_id.in_(frontier))
                )
            )
            - revoked
        )
        revoked |= frontier
    return revoked


def status_list_jwt() -> str:
    """The revocation status list credential, signed (served at a stable URL)."""
    highest = db.session.scalar(sa.select(sa.func.max(Certificate.id))) or 0
    credential = status.list_credential(base_url(), revoked_indexes(), highest, utcnow())
    key = signing_key()
    return cred.sign(credential, key, key_id(key, base_url()))


def status_list_for(url: str) -> str | None:
    """The status list a credential names, when it is this registry's (nothing is fetched
    from elsewhere: /badges/verify checks this registry's badges only)."""
    return status_list_jwt() if url == status.list_url(base_url()) else None
