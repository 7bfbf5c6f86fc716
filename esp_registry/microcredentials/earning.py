"""Earning a micro-credential, the member's side (PRODUCT §14): "A member has six months
from starting one to submit evidence (text and uploads, autosaved) ... otherwise it returns
with feedback and the member revises and resubmits as often as needed (versions kept;
after the third try a coach is offered)."

Plain functions on the database; the caller passes the clock. Each state change writes its
audit row (events.record) and e-mails the member in their language, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from esp_registry.accounts.models import Role, RoleGrant, User
from esp_registry.extensions import db
from esp_registry.files import checks, storage
from esp_registry.microcredentials import events, rules
from esp_registry.microcredentials.models import (
    MAX_EVIDENCE,
    PENDING_SUBMISSION_STATUSES,
    Attempt,
    AttemptStatus,
    Component,
    Evidence,
    Microcredential,
    MicrocredentialAction,
    Submission,
    SubmissionStatus,
    SubmittedEvidence,
)
from esp_registry.microcredentials.wording import in_language
from esp_registry.notifications.outbox import queue_email
from esp_registry.results import ALLOWED, Decision, Result, done, not_now, refused
from esp_registry.web import translated

MAX_FILE_NAME = 200
MAX_REVISION = 2_000_000_000  # an int column; a revision past this is no page of ours


def today_of(now: datetime) -> date:
    """The calendar day windows are counted in (UTC, as they are stored)."""
    return now.date()


# ---------------------------------------------------------------------------- start


def previous_in_stack(microcredential: Microcredential) -> Microcredential | None:
    """In an in-order stack, the micro-credential that must be awarded before this one."""
    stack = microcredential.stack
    if stack is None or not stack.in_order or microcredential.stack_position is None:
        return None
    return db.session.scalar(
        sa.select(Microcredential)
        .where(
            Microcredential.stack_id == stack.id,
            Microcredential.stack_position < microcredential.stack_position,
        )
        .order_by(Microcredential.stack_position.desc())
        .limit(1)
    )


def awarded_ids(member: User, ids: list[int]) -> set[int]:
    """Which of these micro-credentials the member has been awarded."""
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Attempt.microcredential_id).where(
                Attempt.user_id == member.id,
                Attempt.microcredential_id.in_(ids),
                Attempt.status == AttemptStatus.AWARDED,
            )
        )
    )


def open_attempt(member: User, microcredential: Microcredential) -> Attempt | None:
    return db.session.scalar(
        sa.select(Attempt).where(
            Attempt.user_id == member.id,
            Attempt.microcredential_id == microcredential.id,
            Attempt.status.in_([AttemptStatus.DRAFTING, AttemptStatus.SUBMITTED]),
        )
    )


def may_start(member: User, microcredential: Microcredential) -> Decision:
    """A member may start an active micro-credential they are not already working on and
    were not awarded; in a stack taken in order, only once the one before is awarded."""
    if not microcredential.active:
        return not_now(_("This micro-credential is no longer offered."), "inactive")
    if open_attempt(member, microcredential) is not None:
        return not_now(_("You are already working on this micro-credential."), "open")
    if microcredential.id in awarded_ids(member, [microcredential.id]):
        return not_now(_("You have already earned this micro-credential."), "awarded")
    before = previous_in_stack(microcredential)
    if before is not None and before.id not in awarded_ids(member, [before.id]):
        return not_now(
            _(
                "This stack is taken in order: earn “%(name)s” first.",
                name=translated(before),
            ),
            "order",
        )
    return ALLOWED


def start(member: User, microcredential: Microcredential, now: datetime) -> Result:
    """Start an attempt: the member has until rules.window_ends_on(today) to submit."""
    decision = may_start(member, microcredential)
    if not decision.allowed:
        return refused(decision.reason)
    attempt = Attempt(
        user_id=member.id,
        microcredential_id=microcredential.id,
        status=AttemptStatus.DRAFTING,
        started_at=now,
        window_ends_on=rules.window_ends_on(today_of(now)),
    )
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError:
        # Two starts at once (two tabs, a double tap): the unique index lets one through.
        db.session.rollback()
        return refused(_("You are already working on this micro-credential."))
    events.record(attempt, MicrocredentialAction.STARTED, member, now)
    db.session.refresh(attempt)
    queue_email(member, "mc_started", attempt=attempt)
    db.session.commit()
    return done(
        _("You started. Submit your evidence by %(date)s.", date=long_date(attempt.window_ends_on)),
        attempt,
    )


def long_date(day: date) -> str:
    return format_date(day, "long")


# ---------------------------------------------------------------------------- evidence


def may_work_on(attempt: Attempt, now: datetime) -> Decision:
    """Evidence is written while drafting (first time, or revising after a return) and
    while the window is open."""
    if attempt.status == AttemptStatus.SUBMITTED:
        return not_now(
            _("Your evidence is submitted: you can change it if it comes back to you."),
            "submitted",
        )
    if attempt.status != AttemptStatus.DRAFTING:
        return not_now(_("This attempt is closed."), "closed")
    if not rules.window_open(attempt.window_ends_on, today_of(now)):
        return not_now(
            _(
                "The window to submit ended on %(date)s.",
                date=long_date(attempt.window_ends_on),
            ),
            "window",
        )
    return ALLOWED


def clean_text(text: str) -> str:
    """Line breaks as one character, no NUL (PostgreSQL stores none), trailing space gone."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").rstrip()


def _component_of(attempt: Attempt, component_id: int) -> Component | None:
    component = db.session.get(Component, component_id)
    if component is None or component.microcredential_id != attempt.microcredential_id:
        return None
    return component


@dataclass(frozen=True)
class Saved:
    """The answer to an autosave: saved (with the new revision), or refused; `stale` when
    another tab or device saved newer text since this one loaded it."""

    result: Result
    revision: int = 0
    stale: bool = False
    saved_at: datetime | None = None


def draft_of(attempt_id: int, component_id: int) -> Evidence | None:
    return db.session.scalar(
        sa.select(Evidence).where(
            Evidence.attempt_id == attempt_id, Evidence.component_id == component_id
        )
    )


def save_evidence(
    attempt: Attempt, component_id: int, text: str, revision: int, now: datetime
) -> Saved:
    """Keep one component's text as the member typed it. `revision` is the one the page
    was loaded with: when another tab saved since, nothing is overwritten and the member is
    told (one UPDATE with the revision in its WHERE, so two saves at once cannot both win)."""
    decision = may_work_on(attempt, now)
    if not decision.allowed:
        return Saved(refused(decision.reason))
    if _component_of(attempt, component_id) is None:
        return Saved(refused(_("This part of the evidence does not exist.")))
    text = clean_text(text)
    if len(text) > MAX_EVIDENCE:
        return Saved(
            refused(
                _(
                    "This text is %(length)s characters long; at most %(max)s fit. Shorten "
                    "it, or attach a file where the component takes one.",
                    length=f"{len(text):,}",
                    max=f"{MAX_EVIDENCE:,}",
                )
            )
        )
    if not _still_drafting(attempt.id):
        return Saved(refused(_("Your evidence is already submitted.")))
    draft = draft_of(attempt.id, component_id)
    if draft is None:
        if revision != 0:
            return _stale(attempt.id, component_id)
        db.session.add(
            Evidence(
                attempt_id=attempt.id,
                component_id=component_id,
                text=text,
                revision=1,
                updated_at=now,
            )
        )
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # another tab created it a moment ago
            return _stale(attempt.id, component_id)
        return Saved(done(_("Saved")), 1, saved_at=now)
    if draft.text == text and draft.revision == revision:
        return Saved(done(_("Saved")), revision, saved_at=draft.updated_at)
    changed = db.session.execute(
        sa.update(Evidence)
        .where(Evidence.id == draft.id, Evidence.revision == revision)
        .values(text=text, revision=revision + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        return _stale(attempt.id, component_id)
    db.session.commit()
    return Saved(done(_("Saved")), revision + 1, saved_at=now)


def _still_drafting(attempt_id: int) -> bool:
    """Re-read (and lock, on PostgreSQL) the attempt's status in this transaction: a save or
    an attachment racing a submit from another tab waits for it and is then refused, so a
    submitted version never points at a file replaced (and deleted) a moment later."""
    status = db.session.execute(
        sa.select(Attempt.status).where(Attempt.id == attempt_id).with_for_update()
    ).scalar_one_or_none()
    return status == AttemptStatus.DRAFTING


def _stale(attempt_id: int, component_id: int) -> Saved:
    draft = draft_of(attempt_id, component_id)
    return Saved(
        refused(
            _(
                "Not saved: this text was changed in another tab or device since you opened "
                "this page. Reload the page to see the newest text (what you typed here is "
                "kept in this browser and offered back)."
            )
        ),
        draft.revision if draft else 0,
        stale=True,
    )


def _file_in_use(key: str) -> bool:
    """Whether a submitted version still shows this stored file."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SubmittedEvidence)
            .where(SubmittedEvidence.file_key == key)
        )
        or 0
    ) > 0


def _file_name(name: str) -> str:
    name = " ".join(name.replace("\x00", "").split())
    return name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:MAX_FILE_NAME]


def attach_file(
    attempt: Attempt, component_id: int, data: bytes, file_name: str, now: datetime
) -> Result:
    """Attach a file (a PDF, or a JPEG/PNG photo, at most 10 MB, judged by its content) to
    a component that takes one; it replaces the one attached before. A refused file stores
    nothing."""
    decision = may_work_on(attempt, now)
    if not decision.allowed:
        return refused(decision.reason)
    component = _component_of(attempt, component_id)
    if component is None or not component.accepts_file:
        return refused(_("This part of the evidence takes no file."))
    checked = checks.check_proof(data)
    if not checked.ok:
        return refused(checked.message)
    if not _still_drafting(attempt.id):
        return refused(_("Your evidence is already submitted."))
    key = storage.store(data, checked.content_type)
    draft = draft_of(attempt.id, component_id)
    old_key = draft.file_key if draft is not None else None
    try:
        if draft is None:
            draft = Evidence(attempt_id=attempt.id, component_id=component_id, text="")
            db.session.add(draft)
        draft.file_key = key
        draft.file_type = checked.content_type
        draft.file_size = len(data)
        draft.file_name = (
            _file_name(file_name) or f"file.{storage.EXTENSIONS[checked.content_type]}"
        )
        draft.updated_at = now
        db.session.commit()
    except Exception:
        db.session.rollback()
        storage.delete(key)  # no file without its row
        raise
    if old_key and not _file_in_use(old_key):
        storage.delete(old_key)
    return done(_("The file is attached."), draft)


# ---------------------------------------------------------------------------- submit


def missing_components(attempt: Attempt, drafts: dict[int, Evidence]) -> list[Component]:
    """The components with neither text nor a file."""
    return [
        component
        for component in attempt.microcredential.components
        if not (
            (drafts.get(component.id) and drafts[component.id].text.strip())
            or (drafts.get(component.id) and drafts[component.id].file_key)
        )
    ]


def drafts_by_component(attempt: Attempt) -> dict[int, Evidence]:
    return {
        e.component_id: e
        for e in db.session.scalars(sa.select(Evidence).where(Evidence.attempt_id == attempt.id))
    }


def submit(attempt: Attempt, member: User, now: datetime) -> Result:
    """Send the evidence for assessment: only while the window is open, and only when every
    component has text or a file. The drafts are copied into a new version (SubmittedEvidence,
    never edited again); the drafts stay for a revision if it comes back."""
    decision = may_work_on(attempt, now)
    if not decision.allowed:
        return refused(decision.reason)
    drafts = drafts_by_component(attempt)
    missing = missing_components(attempt, drafts)
    if missing:
        names = ", ".join(in_language(c, "title") for c in missing)
        return refused(
            _("Add text or a file to every part first. Missing: %(parts)s.", parts=names)
        )
    # One statement moves it on: of two submits at once (two tabs), one wins.
    changed = db.session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.DRAFTING)
        .values(status=AttemptStatus.SUBMITTED, submissions_count=Attempt.submissions_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        return refused(_("Your evidence is already submitted."))
    db.session.refresh(attempt)
    number = attempt.submissions_count  # counted in the UPDATE that won
    submission = Submission(
        attempt_id=attempt.id, number=number, status=SubmissionStatus.PRECHECK, submitted_at=now
    )
    for component in attempt.microcredential.components:
        draft = drafts.get(component.id)
        submission.evidence.append(
            SubmittedEvidence(
                component_id=component.id,
                text=draft.text if draft else "",
                file_key=draft.file_key if draft else None,
                file_type=draft.file_type if draft else "",
                file_size=draft.file_size if draft else 0,
                file_name=draft.file_name if draft else "",
            )
        )
    db.session.add(submission)
    db.session.flush()
    events.record(attempt, MicrocredentialAction.SUBMITTED, member, now, submission=submission)
    db.session.refresh(attempt)
    queue_email(member, "mc_submitted", attempt=attempt, submission=submission)
    db.session.commit()
    return done(
        _("Submitted. Staff check that it is complete, then two assessors score it."), submission
    )


# ---------------------------------------------------------------------------- withdraw, coach


def withdraw(attempt: Attempt, member: User, now: datetime) -> Result:
    """The member stops: the attempt is withdrawn and a pending version closed."""
    changed = db.session.execute(
        sa.update(Attempt)
        .where(
            Attempt.id == attempt.id,
            Attempt.status.in_([AttemptStatus.DRAFTING, AttemptStatus.SUBMITTED]),
        )
        .values(status=AttemptStatus.WITHDRAWN, closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        return refused(_("This attempt is already closed."))
    db.session.execute(
        sa.update(Submission)
        .where(
            Submission.attempt_id == attempt.id,
            Submission.status.in_(PENDING_SUBMISSION_STATUSES),
        )
        .values(status=SubmissionStatus.CLOSED, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    events.record(attempt, MicrocredentialAction.WITHDRAWN, member, now)
    db.session.refresh(attempt)
    queue_email(member, "mc_withdrawn", attempt=attempt)
    db.session.commit()
    return done(_("You withdrew. You may start this micro-credential again later."), attempt)


def returned_count(attempt: Attempt) -> int:
    """How many versions came back with feedback (Not yet)."""
    return sum(1 for s in attempt.submissions if s.status == SubmissionStatus.NOT_YET)


def may_request_coach(attempt: Attempt) -> Decision:
    if not attempt.is_open:
        return not_now(_("This attempt is closed."), "closed")
    if attempt.coach_requested_at is not None:
        return not_now(_("You asked for a coach already: staff will contact you."), "asked")
    if not rules.coach_offered(returned_count(attempt)):
        return not_now(_("A coach is offered after the third version comes back."), "early")
    return ALLOWED


def national_admins() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == Role.NATIONAL_ADMIN)
            .order_by(User.id)
            .distinct()
        )
    )


def request_coach(attempt: Attempt, member: User, now: datetime) -> Result:
    """After the third return, the member asks to talk with a coach: national admins are
    e-mailed, the member gets a confirmation."""
    decision = may_request_coach(attempt)
    if not decision.allowed:
        return refused(decision.reason)
    changed = db.session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.coach_requested_at.is_(None))
        .values(coach_requested_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        return refused(_("You asked for a coach already: staff will contact you."))
    events.record(attempt, MicrocredentialAction.COACH_REQUESTED, member, now)
    db.session.refresh(attempt)
    for admin in national_admins():
        queue_email(
            admin,
            "mc_coach_request",
            attempt=attempt,
            member=member,
            returned=returned_count(attempt),
        )
    queue_email(member, "mc_coach_requested", attempt=attempt)
    db.session.commit()
    return done(_("Your request is sent: staff will contact you to set up a conversation."))
