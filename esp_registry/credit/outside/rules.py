"""Outside PD credit rules (PRODUCT §13): "a member records training taken elsewhere with
proof (PDF/photo ≤ 10 MB), optionally asks for pre-approval; their affiliate's approver
approves (may adjust hours, with a note) or declines with a reason; approved credit joins
the transcript, marked as outside training." Plain functions; the caller passes the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from esp_registry.accounts.models import User
from esp_registry.columns import utcnow
from esp_registry.credit.outside.models import (
    MAX_DESCRIPTION,
    MAX_NOTE,
    MAX_PROVIDER,
    MAX_TITLE,
    OutsideAction,
    OutsideKind,
    OutsideStatus,
    OutsideTraining,
    OutsideTrainingEvent,
)
from esp_registry.extensions import db
from esp_registry.files import checks, storage
from esp_registry.notifications.outbox import queue_email
from esp_registry.results import Result, done, refused
from esp_registry.text import one_line

HOURS_PER_DAY = 24
MAX_HOURS = Decimal("999")  # a claim past this is a typing slip (the column holds 9999.99)


@dataclass(frozen=True)
class Details:
    """What the member says about the training."""

    provider: str
    title: str
    description: str
    starts_on: date
    ends_on: date
    hours: Decimal


def days_of(starts_on: date, ends_on: date) -> int:
    return (ends_on - starts_on).days + 1


def max_hours(starts_on: date, ends_on: date) -> Decimal:
    """At most 24 contact hours for each day of the training's date range."""
    return Decimal(HOURS_PER_DAY * max(days_of(starts_on, ends_on), 1))


def hours_problem(hours: Decimal | None, starts_on: date, ends_on: date) -> str:
    if hours is None or not hours > 0:
        return _("Enter the contact hours, more than 0.")
    most = min(max_hours(starts_on, ends_on), MAX_HOURS)
    if hours > most:
        return _("Enter at most %(max)s hours: 24 for each day of the dates given.", max=most)
    if hours != hours.quantize(Decimal("0.01")):
        return _("Enter the hours with at most two decimals, e.g. 1.25.")
    return ""


def detail_problems(details: Details, kind: OutsideKind, today: date) -> dict[str, str]:
    """Field errors of a request: the end is not before the start; a completed training
    has ended (not in the future); hours more than 0 and at most 24 a day."""
    problems: dict[str, str] = {}
    if not details.provider:
        problems["provider"] = _("Enter who gave the training.")
    elif len(details.provider) > MAX_PROVIDER:
        problems["provider"] = _("Enter %(max)d characters or fewer.", max=MAX_PROVIDER)
    if not details.title:
        problems["title"] = _("Enter the training's title.")
    elif len(details.title) > MAX_TITLE:
        problems["title"] = _("Enter %(max)d characters or fewer.", max=MAX_TITLE)
    if len(details.description) > MAX_DESCRIPTION:
        problems["summary"] = _("Enter %(max)d characters or fewer.", max=MAX_DESCRIPTION)
    if details.ends_on < details.starts_on:
        problems["ends_on"] = _("The end date must be on or after the start date.")
        return problems
    if kind == OutsideKind.COMPLETED and details.ends_on > today:
        problems["ends_on"] = _(
            "A training you completed cannot end in the future. To ask before you attend, "
            "ask for pre-approval."
        )
    message = hours_problem(details.hours, details.starts_on, details.ends_on)
    if message:
        problems["hours"] = message
    return problems


@dataclass(frozen=True)
class Recorded:
    """The answer to a new request: the stored request, or the field errors."""

    result: Result
    errors: dict[str, str]


def _invalid(errors: dict[str, str]) -> Recorded:
    return Recorded(refused(next(iter(errors.values()))), errors)


def record(
    member: User,
    details: Details,
    kind: OutsideKind,
    proof: bytes | None,
    now: datetime | None = None,
    pre_approval: OutsideTraining | None = None,
) -> Recorded:
    """A member records a completed outside training with its proof, asks for pre-approval
    (future dates allowed, proof optional), or records the completion of an approved
    pre-approval. The proof is checked by its content; a refused file or a field error
    stores nothing (no row, no file)."""
    now = now or utcnow()
    errors = detail_problems(details, kind, now.date())
    if kind == OutsideKind.COMPLETED and proof is None:
        errors.setdefault("proof", _("Attach the proof: a PDF or a photo of the certificate."))
    checked = checks.check_proof(proof) if proof is not None else None
    if checked is not None and not checked.ok:
        errors["proof"] = checked.message
    if pre_approval is not None and not (
        pre_approval.kind == OutsideKind.PRE_APPROVAL
        and pre_approval.status == OutsideStatus.APPROVED
        and pre_approval.user_id == member.id
    ):
        errors[""] = _("Only an approved pre-approval can be completed.")
    if errors:
        return _invalid(errors)
    key = storage.store(proof, checked.content_type) if proof and checked else None
    try:
        training = OutsideTraining(
            user_id=member.id,
            affiliate_id=member.affiliate_id,
            kind=kind,
            provider=details.provider,
            title=details.title,
            description=details.description,
            starts_on=details.starts_on,
            ends_on=details.ends_on,
            hours=details.hours,
            proof_key=key,
            proof_type=checked.content_type if key and checked else "",
            proof_size=len(proof) if key and proof else 0,
            pre_approval_id=pre_approval.id if pre_approval is not None else None,
            created_at=now,
        )
        db.session.add(training)
        db.session.flush()
        db.session.add(
            OutsideTrainingEvent(
                training_id=training.id,
                actor_id=member.id,
                action=OutsideAction.SUBMITTED,
                hours=details.hours,
                at=now,
            )
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        if key:
            storage.delete(key)  # no file without its row
        if pre_approval is not None and _completion_of(pre_approval.id) is not None:
            return _invalid({"": _("You already recorded the completion of this training.")})
        raise
    if kind == OutsideKind.PRE_APPROVAL:
        message = _("Your request for pre-approval is sent to your affiliate's approvers.")
    else:
        message = _("Your outside training is sent to your affiliate's approvers.")
    return Recorded(done(message, training), {})


def _completion_of(pre_approval_id: int) -> OutsideTraining | None:
    return db.session.scalar(
        sa.select(OutsideTraining).where(
            OutsideTraining.pre_approval_id == pre_approval_id,
            OutsideTraining.status != OutsideStatus.DECLINED,
        )
    )


def completion_of(pre_approval: OutsideTraining) -> OutsideTraining | None:
    """The completion recorded from this pre-approval (pending or approved), if any."""
    return _completion_of(pre_approval.id)


def decision_problems(
    training: OutsideTraining, approve: bool, hours: Decimal | None, note: str
) -> dict[str, str]:
    """A decline says why; an approval's hours are more than 0, at most 24 a day, and a
    change of the member's hours comes with a note."""
    problems: dict[str, str] = {}
    if len(note) > MAX_NOTE:
        problems["decision_note"] = _("Enter %(max)d characters or fewer.", max=MAX_NOTE)
    if not approve:
        if not note:
            problems["decision_note"] = _("Say why the request is declined.")
        return problems
    message = hours_problem(hours, training.starts_on, training.ends_on)
    if message:
        problems["hours"] = message
    elif hours != training.hours and not note:
        problems["decision_note"] = _("Say why the hours change: the member sees this note.")
    return problems


@dataclass(frozen=True)
class Decided:
    result: Result
    errors: dict[str, str]
    already: bool = False  # someone else decided first


def decide(
    training: OutsideTraining,
    by: User,
    *,
    approve: bool,
    hours: Decimal | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Decided:
    """The approver approves (the hours may be adjusted, with a note) or declines with a
    reason, once: of two approvers deciding at once, one wins and the other is told. The
    member is e-mailed in their language; who, when and what are recorded."""
    now = now or utcnow()
    note = one_line(note)
    hours = training.hours if approve and hours is None else hours
    problems = decision_problems(training, approve, hours, note)
    if problems:
        return Decided(refused(next(iter(problems.values()))), problems)
    status = OutsideStatus.APPROVED if approve else OutsideStatus.DECLINED
    # One statement decides: only a request still pending changes (one-shot, race-safe).
    changed = db.session.execute(
        sa.update(OutsideTraining)
        .where(OutsideTraining.id == training.id, OutsideTraining.status == OutsideStatus.PENDING)
        .values(
            status=status,
            decided_at=now,
            decided_by_id=by.id,
            approved_hours=hours if approve else None,
            decision_note=note,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        db.session.refresh(training)
        return Decided(refused(already_decided(training), training), {}, already=True)
    db.session.add(
        OutsideTrainingEvent(
            training_id=training.id,
            actor_id=by.id,
            action=OutsideAction.APPROVED if approve else OutsideAction.DECLINED,
            hours=hours if approve else None,
            note=note,
            at=now,
        )
    )
    db.session.flush()
    db.session.refresh(training)
    queue_email(
        training.user,
        "outside_approved" if approve else "outside_declined",
        training=training,
    )
    db.session.commit()
    if approve:
        return Decided(done(_("Approved. The member is told by e-mail."), training), {})
    message = _("Declined. The member is told by e-mail, with your reason.")
    return Decided(done(message, training), {})


def already_decided(training: OutsideTraining) -> str:
    who = training.decided_by.full_name if training.decided_by else _("someone else")
    when = format_date(training.decided_at, "long") if training.decided_at else ""
    if training.status == OutsideStatus.APPROVED:
        return _("%(name)s already approved this request on %(date)s.", name=who, date=when)
    return _("%(name)s already declined this request on %(date)s.", name=who, date=when)
