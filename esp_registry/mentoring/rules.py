"""Supporting Our Own mentoring rules of PRODUCT §8, as plain functions tests call directly.

A change to a mentor's load runs under that mentor profile's lock (and the request's), a
change to a pairing under the pairing's lock, a logged activity also under its author's
lock (their day spans pairings): each in one transaction with the e-mails it causes.
Expected refusals ("full", "not eligible") are results with a message, not exceptions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from esp_registry.accounts.models import User
from esp_registry.attendance.models import Attendance, AttendanceStatus
from esp_registry.catalog.models import Offering, OfferingStatus
from esp_registry.catalog.models import Session as TrainingSession
from esp_registry.certificates import rules as certificate_rules
from esp_registry.certificates.models import Certificate
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.mentoring.models import (
    MAX_CAPACITY,
    ActivityType,
    MentoringLog,
    MentoringPairing,
    MentoringRequest,
    MentoringRole,
    MentorProfile,
    MentorStatus,
    PairingStatus,
    RequestStatus,
)
from esp_registry.notifications.outbox import queue_email
from esp_registry.reference.models import Affiliate, JobFamily, Program
from esp_registry.reference_data import SUPPORTING_OUR_OWN_PROGRAM_SLUG
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.text import one_line
from esp_registry.web import hours as format_hours
from esp_registry.web import hours_count, hours_text

PAIRING_YEARS = 2
NEW_TO_THE_JOB_YEARS = 3  # who may ask for a mentor
MAX_DAY_HOURS = Decimal(24)
MAX_NOTE = 500
MAX_HELP = 2000
MAX_LOCAL = 120

ACTIVITY_NAMES = {
    ActivityType.CONVERSATION: _l("Mentoring conversation"),
    ActivityType.COACHING: _l("Coaching"),
    ActivityType.PEER_OBSERVATION: _l("Peer observation"),
    ActivityType.COLLABORATIVE_PLANNING: _l("Collaborative planning"),
    ActivityType.STUDY_GROUP: _l("Study group"),
    ActivityType.REFLECTIVE_LOG: _l("Reflective log"),
}


class Outcome(enum.StrEnum):
    SAVED = "saved"
    PAUSED = "paused"
    RESUMED = "resumed"
    WITHDRAWN = "withdrawn"
    REQUESTED = "requested"
    MATCHED = "matched"
    LOGGED = "logged"
    DELETED = "deleted"
    ENDED = "ended"
    COMPLETED = "completed"
    INVALID = "invalid"
    NOT_ELIGIBLE = "not_eligible"
    SUSPENDED = "suspended"
    UNAVAILABLE = "unavailable"
    FULL = "full"
    ALREADY = "already"
    NOT_OPEN = "not_open"
    NOT_ACTIVE = "not_active"
    NOT_ALLOWED = "not_allowed"


SUCCESSES = {
    Outcome.SAVED,
    Outcome.PAUSED,
    Outcome.RESUMED,
    Outcome.WITHDRAWN,
    Outcome.REQUESTED,
    Outcome.MATCHED,
    Outcome.LOGGED,
    Outcome.DELETED,
    Outcome.ENDED,
    Outcome.COMPLETED,
}


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    message: str
    subject: Any = None  # the profile, request, pairing or log the result is about
    # Field name -> message, shown next to the field.
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.outcome in SUCCESSES


# ---------------------------------------------------------------------------- dates


def mentoring_zone() -> ZoneInfo:
    """The one time zone whose calendar dates mentoring uses (MENTORING_TIMEZONE; UTC)."""
    return ZoneInfo(current_app.config.get("MENTORING_TIMEZONE") or "UTC")


def today(now: datetime) -> date:
    return now.astimezone(mentoring_zone()).date()


def years_after(start: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def years_before(day: date, years: int) -> date:
    return years_after(day, -years)


# ---------------------------------------------------------------------------- plumbing


def _lock(model: Any, object_id: int) -> None:
    # A no-op UPDATE takes the row's lock on PostgreSQL and the write lock on SQLite, so the
    # changes it guards (a mentor's load, a pairing's state, a person's day) run one at a time.
    db.session.execute(sa.update(model).where(model.id == object_id).values(id=model.id))


def _refuse(outcome: Outcome, message: str, subject: Any = None) -> Result:
    db.session.rollback()
    return Result(outcome, message, subject)


def _invalid(message: str, errors: dict[str, str], subject: Any = None) -> Result:
    db.session.rollback()
    return Result(Outcome.INVALID, message, subject, errors)


def _exists(model: Any, object_id: int | None) -> bool:
    return object_id is not None and db.session.get(model, object_id) is not None


# ---------------------------------------------------------------------------- eligibility


def holds_valid_soo_certificate(user_id: Any) -> sa.ColumnElement[bool]:
    """True where the member holds a valid certificate of Supporting Our Own: a confirmed
    registration for one of its offerings whose current certificate is not revoked, and
    either issued or due (credited hours: certificates are issued on first download).

    `user_id` is an id or a column, so the suggestions ask it for every mentor at once."""
    current = sa.and_(
        Certificate.registration_id == Registration.id, Certificate.replaced_by_id.is_(None)
    )
    revoked = sa.exists().where(current, Certificate.revoked_at.is_not(None))
    issued = sa.exists().where(current)
    credited = sa.exists().where(
        Attendance.registration_id == Registration.id,
        Attendance.status == AttendanceStatus.PRESENT,
        Attendance.credited_hours > 0,
    )
    return (
        sa.exists()
        .where(
            Registration.offering_id == Offering.id,
            Offering.program_id == Program.id,
            Program.slug == SUPPORTING_OUR_OWN_PROGRAM_SLUG,
            Registration.user_id == user_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            ~revoked,
            sa.or_(issued, credited),
        )
        .correlate_except(Registration, Offering, Program)
    )


def is_eligible_mentor(user_id: int) -> bool:
    return bool(db.session.scalar(sa.select(holds_valid_soo_certificate(user_id))))


def revoked_soo_certificate(user_id: int) -> Certificate | None:
    """The member's latest revoked Supporting Our Own certificate: why they are suspended."""
    return db.session.scalar(
        sa.select(Certificate)
        .join(Registration, Certificate.registration_id == Registration.id)
        .join(Offering, Registration.offering_id == Offering.id)
        .join(Program, Offering.program_id == Program.id)
        .where(
            Registration.user_id == user_id,
            Program.slug == SUPPORTING_OUR_OWN_PROGRAM_SLUG,
            Certificate.replaced_by_id.is_(None),
            Certificate.revoked_at.is_not(None),
        )
        .order_by(Certificate.revoked_at.desc())
        .limit(1)
    )


def soo_program() -> Program | None:
    return db.session.scalar(
        sa.select(Program).where(Program.slug == SUPPORTING_OUR_OWN_PROGRAM_SLUG)
    )


def next_soo_offering(now: datetime) -> Offering | None:
    """The next published Supporting Our Own training: where a member earns eligibility."""
    first_start = (
        sa.select(sa.func.min(TrainingSession.starts_at))
        .where(TrainingSession.offering_id == Offering.id)
        .scalar_subquery()
    )
    return db.session.scalar(
        sa.select(Offering)
        .join(Offering.program)
        .where(
            Program.slug == SUPPORTING_OUR_OWN_PROGRAM_SLUG,
            Offering.status == OfferingStatus.PUBLISHED,
            first_start > now,
        )
        .order_by(first_start, Offering.id)
        .limit(1)
    )


@dataclass(frozen=True)
class Eligibility:
    """Whether a member may mentor now, and if not, why (for the page to say)."""

    eligible: bool
    revoked: Certificate | None = None  # their certificate was revoked: suspended
    next_offering: Offering | None = None  # where to earn the certificate


def mentor_eligibility(user: User, now: datetime | None = None) -> Eligibility:
    if is_eligible_mentor(user.id):
        return Eligibility(True)
    return Eligibility(False, revoked_soo_certificate(user.id), next_soo_offering(now or utcnow()))


def shown_mentor_status(profile: MentorProfile, eligible: bool) -> str:
    """What the profile says: active, paused or withdrawn as chosen, or "suspended" when an
    active or paused mentor no longer holds a valid certificate (derived when read)."""
    if profile.status != MentorStatus.WITHDRAWN and not eligible:
        return "suspended"
    return profile.status.value


def _issue_due_soo_certificates(user: User, now: datetime) -> None:
    """Issue the member's due Supporting Our Own certificates, so staff see (and could
    revoke) the certificate the mentor's eligibility rests on."""
    due = db.session.scalars(
        sa.select(Registration)
        .join(Registration.offering)
        .join(Offering.program)
        .where(
            Registration.user_id == user.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Program.slug == SUPPORTING_OUR_OWN_PROGRAM_SLUG,
            ~sa.exists().where(
                Certificate.registration_id == Registration.id,
                Certificate.replaced_by_id.is_(None),
            ),
        )
    ).all()
    for registration in due:
        certificate_rules.issue_certificate(registration, now)


# ---------------------------------------------------------------------------- mentors


@dataclass
class MentorDetails:
    """What a mentor says about themself; the form hands these over already trimmed."""

    job_family_id: int | None
    affiliate_id: int | None
    local_name: str = ""
    capacity: int | None = 1
    note: str = ""


def mentor_problems(details: MentorDetails) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not _exists(JobFamily, details.job_family_id):
        problems["job_family_id"] = _("Choose your job family.")
    if not _exists(Affiliate, details.affiliate_id):
        problems["affiliate_id"] = _("Choose your state affiliate.")
    if len(details.local_name) > MAX_LOCAL:
        problems["local_name"] = _("Keep it to %(n)d characters.", n=MAX_LOCAL)
    if details.capacity is None or not 1 <= details.capacity <= MAX_CAPACITY:
        problems["capacity"] = _("Choose 1 to %(n)d mentees at once.", n=MAX_CAPACITY)
    if len(details.note) > MAX_NOTE:
        problems["note"] = _("Keep the note to %(n)d characters.", n=MAX_NOTE)
    return problems


def profile_of(user: User) -> MentorProfile | None:
    return db.session.scalar(sa.select(MentorProfile).where(MentorProfile.user_id == user.id))


def volunteer(user: User, details: MentorDetails, now: datetime | None = None) -> Result:
    """A member holding a valid Supporting Our Own certificate volunteers as a mentor, or
    updates their profile: job family, affiliate, local, how many mentees at once, a note.
    Volunteering again after withdrawing makes the profile active again."""
    now = now or utcnow()
    problems = mentor_problems(details)
    if problems:
        return _invalid(_("Please correct the marked fields."), problems)
    _issue_due_soo_certificates(user, now)
    if not is_eligible_mentor(user.id):
        return _refuse(
            Outcome.NOT_ELIGIBLE,
            _(
                "Mentors hold a valid certificate of the Supporting Our Own training: "
                "complete it first."
            ),
        )
    for attempt in range(2):
        profile = profile_of(user)
        created = profile is None
        if profile is None:
            profile = MentorProfile(user_id=user.id, created_at=now)
            db.session.add(profile)
        profile.job_family_id = details.job_family_id  # type: ignore[assignment]
        profile.affiliate_id = details.affiliate_id  # type: ignore[assignment]
        profile.local_name = details.local_name
        profile.capacity = details.capacity  # type: ignore[assignment]
        profile.note = details.note
        if created or profile.status == MentorStatus.WITHDRAWN:
            profile.status = MentorStatus.ACTIVE
        profile.updated_at = now
        try:
            db.session.commit()
        except IntegrityError:
            # A double click created the profile in parallel: update that one instead.
            db.session.rollback()
            if attempt:
                raise
            continue
        message = (
            _("Thank you for volunteering! Staff can now match you with a mentee.")
            if created
            else _("Your mentor profile is saved.")
        )
        return Result(Outcome.SAVED, message, profile)
    raise AssertionError("unreachable")


def _set_mentor_status(
    profile: MentorProfile, to: MentorStatus, outcome: Outcome, message: str, now: datetime
) -> Result:
    _lock(MentorProfile, profile.id)
    db.session.refresh(profile)
    if profile.status == to:
        return _refuse(outcome, message, profile)
    profile.status = to
    profile.updated_at = now
    db.session.commit()
    return Result(outcome, message, profile)


def pause(profile: MentorProfile, now: datetime | None = None) -> Result:
    """A mentor takes no new mentees for a while; their current pairings go on."""
    return _set_mentor_status(
        profile,
        MentorStatus.PAUSED,
        Outcome.PAUSED,
        _("Paused: you will not be matched with new mentees until you resume."),
        now or utcnow(),
    )


def resume(profile: MentorProfile, now: datetime | None = None) -> Result:
    """A paused or withdrawn mentor takes new mentees again (if still eligible)."""
    if not is_eligible_mentor(profile.user_id):
        return _refuse(
            Outcome.SUSPENDED,
            _("Your Supporting Our Own certificate is no longer valid: you cannot take mentees."),
            profile,
        )
    return _set_mentor_status(
        profile,
        MentorStatus.ACTIVE,
        Outcome.RESUMED,
        _("Welcome back: staff can match you with new mentees again."),
        now or utcnow(),
    )


def withdraw_as_mentor(profile: MentorProfile, now: datetime | None = None) -> Result:
    """A mentor stops volunteering; current pairings go on until they end."""
    return _set_mentor_status(
        profile,
        MentorStatus.WITHDRAWN,
        Outcome.WITHDRAWN,
        _("You no longer volunteer as a mentor. Your current pairings go on."),
        now or utcnow(),
    )


# ---------------------------------------------------------------------------- requests


@dataclass
class RequestDetails:
    """What a member new to the job asks for; the form hands these over already trimmed."""

    job_family_id: int | None
    affiliate_id: int | None
    local_name: str = ""
    started_job_on: date | None = None
    help_with: str = ""


def request_problems(details: RequestDetails, on: date) -> dict[str, str]:
    """Every field's problem; `on` is today's date in the mentoring time zone."""
    problems: dict[str, str] = {}
    if not _exists(JobFamily, details.job_family_id):
        problems["job_family_id"] = _("Choose your job family.")
    if not _exists(Affiliate, details.affiliate_id):
        problems["affiliate_id"] = _("Choose your state affiliate.")
    if len(details.local_name) > MAX_LOCAL:
        problems["local_name"] = _("Keep it to %(n)d characters.", n=MAX_LOCAL)
    started = details.started_job_on
    if started is None:
        problems["started_job_on"] = _("Enter the date you started in this job.")
    elif started > on:
        problems["started_job_on"] = _("The date you started cannot be in the future.")
    elif started < years_before(on, NEW_TO_THE_JOB_YEARS):
        problems["started_job_on"] = _(
            "Mentoring is for ESPs up to %(n)d years in the job: you started more than "
            "%(n)d years ago.",
            n=NEW_TO_THE_JOB_YEARS,
        )
    if not details.help_with:
        problems["help_with"] = _("Say what you would like help with.")
    elif len(details.help_with) > MAX_HELP:
        problems["help_with"] = _("Keep it to %(n)d characters.", n=MAX_HELP)
    return problems


def open_request_of(user: User) -> MentoringRequest | None:
    return db.session.scalar(
        sa.select(MentoringRequest).where(
            MentoringRequest.user_id == user.id, MentoringRequest.status == RequestStatus.OPEN
        )
    )


def active_pairing_as_mentee(user: User) -> MentoringPairing | None:
    return db.session.scalar(
        sa.select(MentoringPairing).where(
            MentoringPairing.mentee_id == user.id,
            MentoringPairing.status == PairingStatus.ACTIVE,
        )
    )


def ask_for_mentor(user: User, details: RequestDetails, now: datetime | None = None) -> Result:
    """A member up to three years in the job asks for a mentor: job family, affiliate,
    local, the date they started and what they want help with. One open request at a
    time, and none while they have a mentor."""
    now = now or utcnow()
    problems = request_problems(details, today(now))
    if problems:
        return _invalid(_("Please correct the marked fields."), problems)
    if active_pairing_as_mentee(user) is not None:
        return _refuse(Outcome.ALREADY, _("You already have a mentor."))
    existing = open_request_of(user)
    if existing is not None:
        return _refuse(Outcome.ALREADY, _("You already asked for a mentor."), existing)
    request = MentoringRequest(
        user_id=user.id,
        job_family_id=details.job_family_id,
        affiliate_id=details.affiliate_id,
        local_name=details.local_name,
        started_job_on=details.started_job_on,
        help_with=details.help_with,
        status=RequestStatus.OPEN,
        created_at=now,
    )
    db.session.add(request)
    try:
        db.session.commit()
    except IntegrityError:
        # A double click: the partial unique index kept one open request.
        db.session.rollback()
        return Result(Outcome.ALREADY, _("You already asked for a mentor."), open_request_of(user))
    return Result(
        Outcome.REQUESTED,
        _("Your request is in. Your state affiliate will match you with a mentor."),
        request,
    )


def withdraw_request(request: MentoringRequest, now: datetime | None = None) -> Result:
    """The member withdraws their open request."""
    now = now or utcnow()
    _lock(MentoringRequest, request.id)
    db.session.refresh(request)
    if request.status != RequestStatus.OPEN:
        return _refuse(Outcome.NOT_OPEN, _("This request is no longer open."), request)
    request.status = RequestStatus.WITHDRAWN
    request.closed_at = now
    db.session.commit()
    return Result(Outcome.WITHDRAWN, _("Your request is withdrawn."), request)


# ---------------------------------------------------------------------------- matching


def active_pairings_count(profile_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            MentoringPairing.mentor_profile_id == profile_id,
            MentoringPairing.status == PairingStatus.ACTIVE,
        )
    )


def confirm_match(
    request: MentoringRequest,
    profile: MentorProfile,
    by: User,
    now: datetime | None = None,
) -> Result:
    """Staff pair an open request with a mentor who is active, holds a valid certificate
    (not suspended), is not the mentee, and has room under their capacity. The request is
    matched once. The pairing runs two years from today; both are notified."""
    now = now or utcnow()
    # Request first, then mentor: every confirmation takes them in this order (no deadlock).
    _lock(MentoringRequest, request.id)
    _lock(MentorProfile, profile.id)
    db.session.refresh(request)
    db.session.refresh(profile)
    mentor = profile.user
    if request.status != RequestStatus.OPEN:
        return _refuse(Outcome.NOT_OPEN, _("This request is no longer open."), request)
    if profile.user_id == request.user_id:
        return _refuse(Outcome.NOT_ALLOWED, _("A member cannot mentor themself."), request)
    if profile.status != MentorStatus.ACTIVE:
        return _refuse(
            Outcome.UNAVAILABLE,
            _("%(name)s is not taking new mentees now.", name=mentor.full_name),
            request,
        )
    if not is_eligible_mentor(profile.user_id):
        return _refuse(
            Outcome.SUSPENDED,
            _(
                "%(name)s's mentor profile is suspended: their Supporting Our Own "
                "certificate is no longer valid.",
                name=mentor.full_name,
            ),
            request,
        )
    if active_pairings_count(profile.id) >= profile.capacity:
        return _refuse(
            Outcome.FULL,
            ngettext(
                "%(name)s already mentors %(num)d member, as many as they offered.",
                "%(name)s already mentors %(num)d members, as many as they offered.",
                profile.capacity,
                name=mentor.full_name,
            ),
            request,
        )
    start = today(now)
    pairing = MentoringPairing(
        request_id=request.id,
        mentor_profile_id=profile.id,
        mentor_id=profile.user_id,
        mentee_id=request.user_id,
        status=PairingStatus.ACTIVE,
        starts_on=start,
        ends_on=years_after(start, PAIRING_YEARS),
        matched_by_id=by.id,
        created_at=now,
    )
    db.session.add(pairing)
    request.status = RequestStatus.MATCHED
    request.closed_at = now
    try:
        db.session.flush()
    except IntegrityError:
        # Matched by a parallel confirmation (the unique request_id held).
        return _refuse(Outcome.NOT_OPEN, _("This request is no longer open."), request)
    mentee = request.user
    queue_email(mentor, "mentoring_matched_mentor", pairing=pairing, mentee=mentee, wanted=request)
    queue_email(mentee, "mentoring_matched_mentee", pairing=pairing, mentor=mentor, profile=profile)
    db.session.commit()
    return Result(
        Outcome.MATCHED,
        _(
            "%(mentee)s is paired with %(mentor)s. Both are notified.",
            mentee=mentee.full_name,
            mentor=mentor.full_name,
        ),
        pairing,
    )


# ---------------------------------------------------------------------------- activity logs


@dataclass
class LogEntry:
    """One activity as the form hands it over (hours already a Decimal, or None)."""

    activity: str | None
    on_date: date | None
    hours: Decimal | None
    note: str = ""


def logged_on(user_id: int, day: date) -> Decimal:
    """Hours this person logged for one day, over all their pairings."""
    total = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(MentoringLog.hours), 0)).where(
            MentoringLog.user_id == user_id, MentoringLog.on_date == day
        )
    )
    return Decimal(total)


def log_problems(pairing: MentoringPairing, entry: LogEntry, on: date) -> dict[str, str]:
    """The entry's own problems (not the day's total); `on` is today's date."""
    problems: dict[str, str] = {}
    if entry.activity not in ActivityType._value2member_map_:
        problems["activity"] = _("Choose the kind of activity.")
    day = entry.on_date
    if day is None:
        problems["on_date"] = _("Enter the date of the activity.")
    elif day > on:
        problems["on_date"] = _("The date cannot be in the future.")
    elif day < pairing.starts_on:
        problems["on_date"] = _(
            "The pairing started on %(date)s: log activities from that day on.",
            date=format_date(pairing.starts_on, "long"),
        )
    elif day > pairing.ends_on:
        problems["on_date"] = _(
            "The pairing ran until %(date)s.", date=format_date(pairing.ends_on, "long")
        )
    hours = entry.hours
    if hours is None or not hours.is_finite():
        problems["hours"] = _("Enter the hours, e.g. 1.5.")
    elif hours <= 0:
        problems["hours"] = _("Enter more than 0 hours.")
    elif hours > MAX_DAY_HOURS:
        problems["hours"] = _("A day has 24 hours: enter 24 or fewer.")
    elif hours != hours.quantize(Decimal("0.01")):
        problems["hours"] = _("Use at most two decimals, e.g. 1.25.")
    if len(entry.note) > MAX_NOTE:
        problems["note"] = _("Keep the note to %(n)d characters.", n=MAX_NOTE)
    return problems


def log_activity(
    pairing: MentoringPairing, user: User, entry: LogEntry, now: datetime | None = None
) -> Result:
    """The mentor or the mentee logs an activity of an active pairing: its kind, date, hours
    and a short note. Hours above 0; the date not in the future nor before the pairing
    started; and no more than 24 hours logged by one person for one day, counting what
    they logged that day before (in any pairing)."""
    now = now or utcnow()
    _lock(MentoringPairing, pairing.id)
    _lock(User, user.id)  # the person's day spans their pairings
    db.session.refresh(pairing)
    role = pairing.role_of(user.id)
    if role is None:
        return _refuse(Outcome.NOT_ALLOWED, _("Only the mentor and the mentee log activities."))
    if not pairing.is_active:
        return _refuse(Outcome.NOT_ACTIVE, _("This pairing is over: no more activities."))
    problems = log_problems(pairing, entry, today(now))
    if not problems:
        assert entry.on_date is not None and entry.hours is not None
        before = logged_on(user.id, entry.on_date)
        if before + entry.hours > MAX_DAY_HOURS:
            problems["hours"] = _(
                "You already logged %(before)s on %(date)s: at most 24 hours a day "
                "(%(left)s left).",
                before=hours_text(before),
                date=format_date(entry.on_date, "long"),
                left=hours_text(max(MAX_DAY_HOURS - before, Decimal(0))),
            )
    if problems:
        return _invalid(_("Nothing was logged: please correct the marked fields."), problems)
    log = MentoringLog(
        pairing_id=pairing.id,
        user_id=user.id,
        activity=ActivityType(entry.activity),
        on_date=entry.on_date,
        hours=entry.hours,
        note=entry.note,
        created_at=now,
    )
    db.session.add(log)
    db.session.commit()
    return Result(
        Outcome.LOGGED,
        ngettext(
            "Logged: %(activity)s, %(hours)s hour.",
            "Logged: %(activity)s, %(hours)s hours.",
            hours_count(log.hours),
            activity=ACTIVITY_NAMES[log.activity],
            hours=format_hours(log.hours),
        ),
        log,
    )


def delete_log(log: MentoringLog, user: User) -> Result:
    """Whoever logged an activity may take it back while the pairing is active."""
    pairing_id = log.pairing_id
    _lock(MentoringPairing, pairing_id)
    pairing = db.session.get(MentoringPairing, pairing_id, populate_existing=True)
    if log.user_id != user.id:
        return _refuse(Outcome.NOT_ALLOWED, _("Only whoever logged an activity removes it."))
    if pairing is None or not pairing.is_active:
        return _refuse(Outcome.NOT_ACTIVE, _("This pairing is over: its log is final."))
    db.session.delete(log)
    db.session.commit()
    return Result(Outcome.DELETED, _("The activity is removed."), pairing)


@dataclass(frozen=True)
class Totals:
    """Logged hours of a pairing: per activity type and role, per role, and overall."""

    by_type: dict[ActivityType, dict[MentoringRole, Decimal]]
    by_role: dict[MentoringRole, Decimal]
    total: Decimal

    def of(self, activity: ActivityType, role: MentoringRole) -> Decimal:
        return self.by_type[activity][role]


def totals(pairing: MentoringPairing) -> Totals:
    """Running totals of a pairing's log, in one query."""
    rows = db.session.execute(
        sa.select(MentoringLog.user_id, MentoringLog.activity, sa.func.sum(MentoringLog.hours))
        .where(MentoringLog.pairing_id == pairing.id)
        .group_by(MentoringLog.user_id, MentoringLog.activity)
    ).all()
    zero = Decimal(0)
    by_type = {a: {r: zero for r in MentoringRole} for a in ActivityType}
    by_role = {r: zero for r in MentoringRole}
    for user_id, activity, hours in rows:
        role = pairing.role_of(user_id)
        if role is None:  # cannot happen: only the two log; never count a stranger's hours
            continue
        by_type[activity][role] += Decimal(hours)
        by_role[role] += Decimal(hours)
    return Totals(by_type, by_role, sum(by_role.values(), zero))


# ---------------------------------------------------------------------------- ending


def end_pairing(
    pairing: MentoringPairing, by: User, reason: str, now: datetime | None = None
) -> Result:
    """Either side, or staff, end an active pairing early, saying why; who, when and why
    are recorded and both sides are told. No certificates: the pairing did not complete."""
    now = now or utcnow()
    reason = one_line(reason)
    if not reason:
        return _invalid(_("Say why the pairing ends."), {"reason": _("Say why the pairing ends.")})
    if len(reason) > MAX_NOTE:
        message = _("Keep the reason to %(n)d characters.", n=MAX_NOTE)
        return _invalid(message, {"reason": message})
    _lock(MentoringPairing, pairing.id)
    db.session.refresh(pairing)
    if not pairing.is_active:
        return _refuse(Outcome.NOT_ACTIVE, _("This pairing is already over."), pairing)
    pairing.status = PairingStatus.ENDED
    pairing.closed_at = now
    pairing.closed_by_id = by.id
    pairing.end_reason = reason
    for person in (pairing.mentor, pairing.mentee):
        queue_email(person, "mentoring_ended", pairing=pairing, ended_by=by, reason=reason)
    db.session.commit()
    return Result(Outcome.ENDED, _("The pairing has ended."), pairing)


def _complete(pairing: MentoringPairing, by: User | None, now: datetime) -> None:
    """Mark complete and give mentor and mentee each a certificate with the hours that
    person logged (none for someone who logged nothing); both are told. The caller holds
    the pairing's lock and commits."""
    pairing.status = PairingStatus.COMPLETED
    pairing.closed_at = now
    pairing.closed_by_id = by.id if by is not None else None
    hours = totals(pairing).by_role
    for role, person in (
        (MentoringRole.MENTOR, pairing.mentor),
        (MentoringRole.MENTEE, pairing.mentee),
    ):
        certificate = certificate_rules.issue_mentoring_certificate(pairing, role, hours[role], now)
        queue_email(
            person,
            "mentoring_completed",
            pairing=pairing,
            role=role.value,
            hours=hours[role],
            certificate=certificate,
        )


def complete_pairing(pairing: MentoringPairing, by: User, now: datetime | None = None) -> Result:
    """Staff mark an active pairing complete before its two years are up."""
    now = now or utcnow()
    _lock(MentoringPairing, pairing.id)
    db.session.refresh(pairing)
    if not pairing.is_active:
        return _refuse(Outcome.NOT_ACTIVE, _("This pairing is already over."), pairing)
    _complete(pairing, by, now)
    db.session.commit()
    return Result(
        Outcome.COMPLETED,
        _("The pairing is complete; certificates are issued for the hours each side logged."),
        pairing,
    )


def complete_due_pairings(now: datetime | None = None) -> int:
    """Pairings whose two years are up complete, one transaction each. Run by the worker;
    returns how many completed."""
    now = now or utcnow()
    due_on = today(now)
    ids = db.session.scalars(
        sa.select(MentoringPairing.id)
        .where(MentoringPairing.status == PairingStatus.ACTIVE, MentoringPairing.ends_on <= due_on)
        .order_by(MentoringPairing.id)
    ).all()
    db.session.rollback()
    completed = 0
    for pairing_id in ids:
        _lock(MentoringPairing, pairing_id)
        pairing = db.session.get(MentoringPairing, pairing_id, populate_existing=True)
        if pairing is None or not pairing.is_active or pairing.ends_on > due_on:
            db.session.rollback()  # ended or completed in between
            continue
        _complete(pairing, None, now)
        db.session.commit()
        completed += 1
    return completed


def days_left(pairing: MentoringPairing, now: datetime) -> int:
    return max((pairing.ends_on - today(now)).days, 0)
