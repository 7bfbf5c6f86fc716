"""Issuing, reissuing, revoking and verifying certificates of attendance (PRODUCT §7)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload

from esp_registry.accounts.models import User
from esp_registry.attendance.rules import credited_hours
from esp_registry.catalog.models import Offering, OfferingStatus
from esp_registry.certificates.models import (
    ACTIVE_PRINT_STATUSES,
    Certificate,
    CertificatePrintJob,
    PrintJobStatus,
    TranscriptCode,
)
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.mentoring.models import MentoringPairing, MentoringRole
from esp_registry.microcredentials.models import Attempt
from esp_registry.paging import Page, PageRequest, contains, paginate
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.results import ALLOWED, Decision, not_now

# Crockford's base32: no I, L, O or U, so a code read aloud or typed is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 random bits: unguessable, and short enough to type from paper
REASON_MAX = 500


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed or scanned, as stored: upper case, no dashes or spaces."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _current_query(registration_ids: list[int]) -> sa.Select[tuple[Certificate]]:
    return sa.select(Certificate).where(
        Certificate.registration_id.in_(registration_ids), Certificate.replaced_by_id.is_(None)
    )


def _keep_in_step(
    registration: Registration,
    hours: Decimal | None,
    current: Certificate | None,
    now: datetime,
) -> Certificate | None:
    """Issue, update the hours, or reissue under a new name; flushes, never commits.
    A revoked certificate stays as it is: revocation is the admin's last word."""
    if current is not None and current.revoked_at is not None:
        return current
    if registration.user.closed_at is not None:
        return current  # a closed account: its certificates stay as printed, no new ones
    if not hours:
        return None
    name = registration.user.full_name
    if current is None:
        current = Certificate(
            registration_id=registration.id,
            code=new_code(),
            member_name=name,
            hours=hours,
            issued_at=now,
        )
        db.session.add(current)
    elif current.member_name != name:
        current = _reissue(current, name, hours, now)
    elif current.hours != hours:
        current.hours = hours
    return current


def _reissue(current: Certificate, name: str, hours: Decimal, now: datetime) -> Certificate:
    """A new certificate under the member's new name for the same thing; the old code keeps
    verifying and points at the new certificate. The old row points at itself for a moment
    so that only one row is ever "current"."""
    current.replaced_by_id = current.id
    db.session.flush()
    replacement = Certificate(
        registration_id=current.registration_id,
        mentoring_pairing_id=current.mentoring_pairing_id,
        mentoring_role=current.mentoring_role,
        microcredential_attempt_id=current.microcredential_attempt_id,
        code=new_code(),
        member_name=name,
        hours=hours,
        issued_at=now,
    )
    db.session.add(replacement)
    db.session.flush()
    current.replaced_by_id = replacement.id
    return replacement


reissue = _reissue  # the other kinds' downloads (mentoring, micro-credentials) reissue too


def may_download_certificate(
    registration: Registration, hours: Decimal | None, now: datetime, *, evaluation_owed: bool
) -> Decision:
    """Whether the member's certificate is earned: a confirmed seat with hours credited,
    once the training's last session has ended (or its attendance was closed), and the
    training's evaluation answered when it is required for the certificate (PRODUCT §13).
    Not in the middle of a session, even if the facilitator marked them present at the
    door. My trainings and the transcript ask it before they offer the download, and the
    download asks it again. `evaluation_owed` comes from
    credit.evaluations.rules.evaluation_states, which callers that loop ask once for all
    their registrations. (The staff bulk print is not gated: organisers print for the room.)"""
    if registration.status != RegistrationStatus.CONFIRMED or not hours:
        return not_now(_("There is no certificate for this registration."), "nothing")
    offering = registration.offering
    ended = offering.ends_at is not None and offering.ends_at <= now
    if not ended and offering.status != OfferingStatus.COMPLETED:
        return not_now(
            _("Your certificate will be ready once the training has ended."), "not_ended"
        )
    if evaluation_owed:
        return not_now(_("Answer the short evaluation to get your certificate."), "evaluation")
    return ALLOWED


def issue_certificate(
    registration: Registration, now: datetime | None = None
) -> Certificate | None:
    """The registration's current certificate: issued once it has credited hours, kept in
    step with attendance, reissued when the member's name changed; None while there is
    nothing to certify."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return None
    hours = credited_hours([registration.id]).get(registration.id)
    current = db.session.scalar(_current_query([registration.id]))
    certificate = _keep_in_step(registration, hours, current, now or utcnow())
    try:
        db.session.commit()
    except IntegrityError:
        # Issued by a parallel request (two downloads at once): use that one.
        db.session.rollback()
        return db.session.scalar(_current_query([registration.id]))
    return certificate


@dataclass(frozen=True)
class Printable:
    """One page of a bulk print: the certificate and what it says about the member."""

    certificate: Certificate
    registration: Registration


def issue_for_offering(offering: Offering, now: datetime | None = None) -> list[Printable]:
    """Every valid certificate of the offering, issued or brought up to date first, in a
    fixed number of queries whatever the number of attendees (by member name)."""
    now = now or utcnow()
    registrations = list(
        db.session.scalars(
            sa.select(Registration)
            .join(Registration.user)
            .where(
                Registration.offering_id == offering.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .options(
                joinedload(Registration.user).options(
                    joinedload(User.job_family),
                    joinedload(User.affiliate),
                    lazyload(User.role_grants),
                )
            )
            .order_by(User.full_name, Registration.id)
        )
    )
    ids = [r.id for r in registrations]
    hours = credited_hours(ids)
    current = {c.registration_id: c for c in db.session.scalars(_current_query(ids))}
    printables = []
    for registration in registrations:
        certificate = _keep_in_step(
            registration, hours.get(registration.id), current.get(registration.id), now
        )
        if certificate is not None and certificate.revoked_at is None:
            printables.append(Printable(certificate, registration))
    db.session.flush()
    return printables


# ---------------------------------------------------------------------------- mentoring


def _current_mentoring_query(pairing_ids: list[int]) -> sa.Select[tuple[Certificate]]:
    return sa.select(Certificate).where(
        Certificate.mentoring_pairing_id.in_(pairing_ids), Certificate.replaced_by_id.is_(None)
    )


def issue_mentoring_certificate(
    pairing: MentoringPairing, role: MentoringRole, hours: Decimal, now: datetime
) -> Certificate | None:
    """The certificate of a completed pairing for its mentor or mentee, with the hours that
    person logged; None when they logged none. Flushes, never commits (the completion does)."""
    if hours <= 0:
        return None
    holder = pairing.mentor if role == MentoringRole.MENTOR else pairing.mentee
    certificate = Certificate(
        mentoring_pairing_id=pairing.id,
        mentoring_role=role,
        code=new_code(),
        member_name=holder.full_name,
        hours=hours,
        issued_at=now,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def mentoring_certificates(pairing_ids: list[int]) -> dict[tuple[int, MentoringRole], Certificate]:
    """The current certificates of these pairings by (pairing, role), in one query."""
    if not pairing_ids:
        return {}
    return {
        (c.mentoring_pairing_id, c.mentoring_role): c  # type: ignore[misc]
        for c in db.session.scalars(
            _current_mentoring_query(pairing_ids).options(
                joinedload(Certificate.revoked_by).options(lazyload(User.role_grants))
            )
        )
    }


def mentoring_certificate_to_download(
    pairing: MentoringPairing, role: MentoringRole, now: datetime | None = None
) -> Certificate | None:
    """The holder's current certificate of the pairing, reissued first if their name has
    changed since; None if there is none, or it was revoked."""
    current = db.session.scalar(
        _current_mentoring_query([pairing.id]).where(Certificate.mentoring_role == role)
    )
    if current is None or current.revoked_at is not None:
        return None
    holder = pairing.mentor if role == MentoringRole.MENTOR else pairing.mentee
    if current.member_name != holder.full_name and holder.closed_at is None:
        current = _reissue(current, holder.full_name, current.hours, now or utcnow())
        try:
            db.session.commit()
        except IntegrityError:
            # Reissued by a parallel request (two downloads at once): use that one.
            db.session.rollback()
            return db.session.scalar(
                _current_mentoring_query([pairing.id]).where(Certificate.mentoring_role == role)
            )
    return current


# ---------------------------------------------------------------------------- verification


def find_certificate(code_text: str) -> Certificate | None:
    code = normalise_code(code_text)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(
        sa.select(Certificate)
        .where(Certificate.code == code)
        .options(
            joinedload(Certificate.replaced_by),
            joinedload(Certificate.mentoring_pairing).joinedload(MentoringPairing.request),
            joinedload(Certificate.microcredential_attempt).joinedload(Attempt.microcredential),
        )
    )


def find_transcript_code(code_text: str) -> TranscriptCode | None:
    code = normalise_code(code_text)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(sa.select(TranscriptCode).where(TranscriptCode.code == code))


def latest_certificate(certificate: Certificate) -> Certificate:
    """Follow reissues to the certificate that replaced this one last."""
    seen = {certificate.id}
    while certificate.replaced_by is not None and certificate.replaced_by.id not in seen:
        certificate = certificate.replaced_by
        seen.add(certificate.id)
    return certificate


@dataclass(frozen=True)
class RevokeResult:
    certificate: Certificate
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def revoke(
    certificate: Certificate, by: User, reason: str, now: datetime | None = None
) -> RevokeResult:
    """An admin revokes a certificate with a reason; who and when are recorded, and the
    verification page then says revoked and when."""
    reason = " ".join(reason.split())
    if not reason:
        return RevokeResult(certificate, _("Give a reason for revoking the certificate."))
    if len(reason) > REASON_MAX:
        return RevokeResult(certificate, _("Keep the reason under %(n)d characters.", n=REASON_MAX))
    if certificate.revoked_at is not None:
        return RevokeResult(certificate, _("This certificate is already revoked."))
    by_id = by.id  # read first: loading `by` may flush, and a revocation needs its reason
    certificate.revoked_reason = reason
    certificate.revoked_at = now or utcnow()
    certificate.revoked_by_id = by_id
    db.session.commit()
    return RevokeResult(certificate)


CERTIFICATES_PAGE_SIZE = 25


def offering_certificates(
    offering: Offering, search: str = "", at: PageRequest | None = None
) -> Page[Certificate]:
    """One page of the offering's current certificates, by member name, for the staff
    page; `search` narrows by the member's name or the certificate's code."""
    query = (
        sa.select(Certificate)
        .join(Certificate.registration)
        .where(Registration.offering_id == offering.id, Certificate.replaced_by_id.is_(None))
        .options(joinedload(Certificate.revoked_by).options(lazyload(User.role_grants)))
    )
    if search.strip():
        pattern = contains(search)
        code = contains(search.replace("-", "").replace(" ", ""))
        query = query.where(
            sa.or_(
                sa.func.lower(Certificate.member_name).like(pattern, escape="\\"),
                sa.func.lower(Certificate.code).like(code, escape="\\"),
            )
        )
    order = (Certificate.member_name, Certificate.id)
    return paginate(query, *order, size=CERTIFICATES_PAGE_SIZE, at=at, seek=True)


# A bulk print of 2,000 pages takes about a minute; one still unfinished after this long was
# lost with its worker (or never reached the queue) and must not block printing for good.
PRINT_JOB_ABANDONED_AFTER = timedelta(minutes=30)


def request_print_job(
    offering: Offering, by: User, now: datetime | None = None
) -> tuple[CertificatePrintJob, bool]:
    """The offering's queued or running print job, or a new one: (job, created).
    The partial unique index makes a second concurrent request find the first's job; a
    job left unfinished for half an hour is marked failed and replaced."""
    now = now or utcnow()
    active = _active_job(offering.id)
    if active is not None and active.created_at > now - PRINT_JOB_ABANDONED_AFTER:
        return active, False
    if active is not None:
        active.status = PrintJobStatus.FAILED
        active.error = "Abandoned: not finished within 30 minutes; printed again."
        active.finished_at = now
        db.session.flush()
    job = CertificatePrintJob(offering_id=offering.id, requested_by_id=by.id, created_at=now)
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        active = _active_job(offering.id)
        if active is None:  # finished in between: vanishingly rare; ask again
            return request_print_job(offering, by, now)
        return active, False
    return job, True


def _active_job(offering_id: int) -> CertificatePrintJob | None:
    return db.session.scalar(
        sa.select(CertificatePrintJob).where(
            CertificatePrintJob.offering_id == offering_id,
            CertificatePrintJob.status.in_(ACTIVE_PRINT_STATUSES),
        )
    )


def latest_print_job(offering_id: int) -> CertificatePrintJob | None:
    return db.session.scalar(
        sa.select(CertificatePrintJob)
        .where(CertificatePrintJob.offering_id == offering_id)
        .order_by(CertificatePrintJob.id.desc())
        .limit(1)
    )
