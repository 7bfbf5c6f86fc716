"""A member's transcript: every completed training with credited hours, totals per year,
as a page and as a PDF with its own verification code (PRODUCT §7).

The code stays the same while the transcript does: each code keeps a fingerprint of what
the transcript said, and a PDF of the same content gets the same code again."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from esp_registry.accounts.models import User
from esp_registry.attendance.rules import credited_hours
from esp_registry.catalog.models import Offering
from esp_registry.certificates.etags import pdf_etag
from esp_registry.certificates.models import Certificate, TranscriptCode
from esp_registry.certificates.render import html_to_pdf, qr_data_uri
from esp_registry.certificates.rules import display_code, may_download_certificate, new_code
from esp_registry.columns import utcnow
from esp_registry.credit.evaluations.rules import evaluation_states, owed
from esp_registry.credit.outside.models import OutsideTraining
from esp_registry.credit.outside.queries import approved_for_transcript
from esp_registry.credit.units.rules import CreditLine, add_credit_units
from esp_registry.extensions import commit_keeping_loaded, db
from esp_registry.mentoring.models import MentoringPairing, MentoringRequest, MentoringRole
from esp_registry.mentoring.rules import today
from esp_registry.microcredentials.award import awarded_certificates, awarded_on
from esp_registry.registrations.models import Registration, RegistrationStatus


@dataclass(frozen=True)
class Entry:
    """A completed training (its offering), or a completed mentoring pairing (its
    certificate, which knows the pairing and the member's role in it)."""

    offering: Offering | None
    hours: Decimal
    mentoring: Certificate | None = None
    outside: OutsideTraining | None = None  # approved outside training (PRODUCT §13)
    microcredential: Certificate | None = None  # an awarded micro-credential (PRODUCT §14)

    @property
    def when(self) -> datetime:
        if self.microcredential is not None:
            attempt = self.microcredential.microcredential_attempt
            assert attempt is not None and attempt.awarded_at is not None
            return attempt.awarded_at
        if self.outside is not None:
            return datetime.combine(self.outside.starts_on, datetime.min.time(), UTC)
        if self.mentoring is not None:
            pairing = self.mentoring.mentoring_pairing
            assert pairing is not None
            return pairing.closed_at or self.mentoring.issued_at
        assert self.offering is not None
        return self.offering.starts_at or datetime.min.replace(tzinfo=UTC)

    @property
    def awarded(self) -> date:
        """A micro-credential's day of award (its calendar date, see microcredentials.award)."""
        return awarded_on(self.when)

    @property
    def year(self) -> int:
        if self.microcredential is not None:
            return awarded_on(self.when).year
        if self.outside is not None:
            return self.outside.ends_on.year  # credit is earned when the training ends
        if self.mentoring is not None:
            return today(self.when).year
        assert self.offering is not None
        start = self.offering.starts_at
        return start.astimezone(ZoneInfo(self.offering.timezone)).year if start else 0


@dataclass
class Year:
    year: int
    entries: list[Entry] = field(default_factory=list)
    total: Decimal = Decimal(0)
    units: list[CreditLine] = field(default_factory=list)  # credit units from `total`


@dataclass(frozen=True)
class Transcript:
    member: User
    years: list[Year]
    total: Decimal
    units: list[CreditLine] = field(default_factory=list)  # each unit's total of the years

    @property
    def trainings(self) -> int:
        return sum(len(y.entries) for y in self.years)


def _mentoring_entries(member: User) -> list[Entry]:
    """Completed mentoring pairings, as mentor or mentee, with the member's valid (current,
    not revoked) certificate: the hours they logged, counted in the year it completed."""
    holder = sa.case(
        (Certificate.mentoring_role == MentoringRole.MENTOR, MentoringPairing.mentor_id),
        else_=MentoringPairing.mentee_id,
    )
    certificates = db.session.scalars(
        sa.select(Certificate)
        .join(Certificate.mentoring_pairing)
        .where(
            holder == member.id,
            Certificate.replaced_by_id.is_(None),
            Certificate.revoked_at.is_(None),
        )
        .options(
            contains_eager(Certificate.mentoring_pairing).options(
                joinedload(MentoringPairing.request).joinedload(MentoringRequest.affiliate),
                joinedload(MentoringPairing.mentor).options(lazyload(User.role_grants)),
                joinedload(MentoringPairing.mentee).options(lazyload(User.role_grants)),
            )
        )
    ).unique()
    return [Entry(None, c.hours, c) for c in certificates]


def _order(entry: Entry) -> tuple[datetime, int, int]:
    if entry.microcredential is not None:
        return (entry.when, 3, entry.microcredential.id)
    if entry.outside is not None:
        return (entry.when, 2, entry.outside.id)
    if entry.mentoring is not None:
        return (entry.when, 1, 0)
    return (entry.when, 0, entry.offering.id if entry.offering else 0)


def transcript_for(member: User, now: datetime | None = None) -> Transcript:
    """Completed trainings (confirmed, hours credited, certificate earned: the training
    has ended, the evaluation answered if required), completed mentoring pairings (with a
    valid certificate), approved outside training and awarded micro-credentials (with a
    valid certificate, their credit hours), newest year first, oldest first within a
    year; a fixed number of queries whatever the number of trainings."""
    registrations = list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.user_id == member.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .options(
                joinedload(Registration.offering).options(
                    joinedload(Offering.program),
                    joinedload(Offering.host_affiliate),
                    selectinload(Offering.sessions),
                )
            )
        ).unique()
    )
    ids = [r.id for r in registrations]
    hours = credited_hours(ids)
    waiting = owed(evaluation_states(ids))
    now = now or utcnow()
    entries = [
        Entry(r.offering, hours[r.id])
        for r in registrations
        if may_download_certificate(
            r, hours.get(r.id), now, evaluation_owed=r.id in waiting
        ).allowed
    ]
    entries += _mentoring_entries(member)
    entries += [Entry(None, t.credited_hours, outside=t) for t in approved_for_transcript(member)]
    entries += [Entry(None, c.hours, microcredential=c) for c in awarded_certificates(member.id)]
    entries.sort(key=_order)
    by_year: dict[int, Year] = {}
    for entry in entries:
        year_number = entry.year
        year = by_year.setdefault(year_number, Year(year_number))
        year.entries.append(entry)
        year.total += entry.hours
    years = sorted(by_year.values(), key=lambda y: y.year, reverse=True)
    # Credit units (PRODUCT §13), from each year's total as built above; one query.
    awarded = Counter(e.year for e in entries if e.microcredential is not None)
    units = add_credit_units(member, years, awarded)
    return Transcript(member, years, sum((y.total for y in years), Decimal(0)), units)


def _content_lines(transcript: Transcript) -> list[str]:
    """What the transcript says (the PDF's content, not its code or issue date), one line
    per fact, in the order the PDF shows them."""
    member = transcript.member
    affiliate = member.affiliate.name if member.affiliate else ""
    job_family = member.job_family.name if member.job_family else ""
    lines = [f"member|{member.id}|{member.full_name}|{affiliate}|{job_family}"]
    for year in transcript.years:
        lines.append(f"year|{year.year}|{year.total}")
        lines += [line.fingerprint for line in year.units]
        for entry in year.entries:
            if entry.microcredential is not None:
                certificate = entry.microcredential
                attempt = certificate.microcredential_attempt
                assert attempt is not None
                mc = attempt.microcredential
                lines.append(
                    f"microcredential|{certificate.id}|{certificate.code}|{mc.name}|{mc.name_es}"
                    f"|{attempt.awarded_at}|{entry.hours}"
                )
            elif entry.outside is not None:
                outside = entry.outside
                lines.append(
                    f"outside|{outside.id}|{outside.title}|{outside.provider}"
                    f"|{outside.affiliate.name}|{outside.decided_at}|{outside.starts_on}"
                    f"|{outside.ends_on}|{entry.hours}"
                )
            elif entry.mentoring is not None:
                certificate = entry.mentoring
                pairing = certificate.mentoring_pairing
                assert pairing is not None
                lines.append(
                    f"mentoring|{certificate.id}|{certificate.mentoring_role}"
                    f"|{pairing.mentor.full_name}|{pairing.mentee.full_name}"
                    f"|{pairing.request.affiliate.name}|{pairing.starts_on}|{pairing.closed_at}"
                    f"|{entry.hours}"
                )
            else:
                offering = entry.offering
                assert offering is not None
                lines.append(
                    f"training|{offering.id}|{offering.title}|{offering.program.name}"
                    f"|{offering.host_name}|{offering.timezone}|{offering.starts_at}"
                    f"|{offering.ends_at}|{len(offering.sessions)}|{entry.hours}"
                )
    lines.append(f"total|{transcript.trainings}|{transcript.total}")
    lines += [line.fingerprint for line in transcript.units]
    return lines


def transcript_fingerprint(transcript: Transcript) -> str:
    """A hash of the transcript's content: it changes with a new or revoked (mentoring)
    certificate, a reissue, changed hours, a new name; not with the day it is printed."""
    return hashlib.sha256("\n".join(_content_lines(transcript)).encode()).hexdigest()


def _code_with(member_id: int, fingerprint: str) -> TranscriptCode | None:
    return db.session.scalar(
        sa.select(TranscriptCode).where(
            TranscriptCode.user_id == member_id, TranscriptCode.fingerprint == fingerprint
        )
    )


def issue_code(transcript: Transcript, now: datetime | None = None) -> TranscriptCode:
    """The transcript's verification code: the one already issued for the same content,
    else a new one recording the totals it shows (its verification page keeps saying what
    it verified when the transcript changes later)."""
    fingerprint = transcript_fingerprint(transcript)
    existing = _code_with(transcript.member.id, fingerprint)
    if existing is not None:
        return existing
    code = TranscriptCode(
        user_id=transcript.member.id,
        code=new_code(),
        member_name=transcript.member.full_name,
        trainings=transcript.trainings,
        total_hours=transcript.total,
        fingerprint=fingerprint,
        issued_at=now or utcnow(),
    )
    db.session.add(code)
    try:
        commit_keeping_loaded()  # the transcript just read is printed next
    except IntegrityError:
        # Issued by a parallel request (two downloads at once): use that one.
        db.session.rollback()
        existing = _code_with(transcript.member.id, fingerprint)
        if existing is None:
            raise
        return existing
    return code


def transcript_html(transcript: Transcript, code: TranscriptCode) -> str:
    url = current_app.config["PUBLIC_BASE_URL"] + url_for("certificates.verify", code=code.code)
    return render_template(
        "certificates/transcript_pdf.html",
        transcript=transcript,
        member=transcript.member,
        issued_at=code.issued_at,
        code=display_code(code.code),
        url=url,
        qr=qr_data_uri(url),
    )


TEMPLATES = ("certificates/transcript_pdf.html", "_macros.html")


def transcript_etag(transcript: Transcript) -> str:
    """A transcript's PDF is fixed by its content (the fingerprint names its one code, and
    the code its issue date): a repeat download needs no code lookup and no rendering."""
    return pdf_etag(TEMPLATES, (transcript_fingerprint(transcript),))


def transcript_pdf(transcript: Transcript) -> tuple[bytes, TranscriptCode]:
    code = issue_code(transcript)
    html = transcript_html(transcript, code)
    db.session.commit()  # end the read transaction before the slow rendering
    return html_to_pdf(html, current_app.static_folder), code
