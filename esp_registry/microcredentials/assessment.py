"""Pre-check and assessment of micro-credential submissions (PRODUCT §14): "staff pre-check
completeness; two assessors score blind to each other, a lead assessor settles
disagreement; all Met awards it, otherwise it returns with feedback and the member revises
and resubmits as often as needed."

Every decision is one conditional UPDATE on the row's status, so of two people acting at
once one wins and the other is told; the audit row and the e-mails go in the same
transaction. The pure rules (what the scores decide, who sees whose) are in rules.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from esp_registry.accounts.models import Role, RoleGrant, User
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.microcredentials import events, rules
from esp_registry.microcredentials.award import AttemptChanged, award
from esp_registry.microcredentials.models import (
    MAX_FEEDBACK,
    Assessment,
    AssessorRole,
    Attempt,
    AttemptStatus,
    Component,
    Criterion,
    Microcredential,
    MicrocredentialAction,
    Score,
    Submission,
    SubmissionStatus,
)
from esp_registry.notifications.outbox import public_url, queue_email
from esp_registry.results import Result, done, refused

FIRST_PAIR = (AssessorRole.FIRST, AssessorRole.SECOND)


def member_page_url(attempt: Attempt) -> str:
    """The member's page of this attempt, for e-mails (also from the worker)."""
    return public_url("microcredentials.attempt", attempt_id=attempt.id)


# ---------------------------------------------------------------------------- who assesses


def open_assessments_count() -> sa.ScalarSelect[int]:
    """Per person (correlated with User): the assessments assigned to them and not done."""
    return (
        sa.select(sa.func.count(Assessment.id))
        .join(Submission, Submission.id == Assessment.submission_id)
        .where(
            Assessment.assessor_id == User.id,
            Assessment.completed_at.is_(None),
            Submission.status.in_((SubmissionStatus.ASSESSING, SubmissionStatus.LEAD)),
        )
        .correlate(User)
        .scalar_subquery()
    )


def active_assessors(exclude: Iterable[int]) -> sa.ColumnElement[bool]:
    """People who may be assigned: they hold Role.ASSESSOR, are neither deactivated nor
    closed, and are none of `exclude` (the member, the assessors already on it)."""
    holds_role = sa.exists().where(RoleGrant.user_id == User.id, RoleGrant.role == Role.ASSESSOR)
    return sa.and_(
        holds_role,
        User.deactivated_at.is_(None),
        User.closed_at.is_(None),
        User.id.not_in(list(exclude) or [-1]),
    )


def available_assessors(exclude: Iterable[int], count: int) -> list[User]:
    """Up to `count` active assessors, none of `exclude`, fewest open assessments first,
    ties by id: one query."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(active_assessors(exclude))
            .order_by(open_assessments_count(), User.id)
            .limit(count)
        )
    )


def is_assessor(user: User) -> bool:
    return user.has_role(Role.ASSESSOR) and user.deactivated_at is None and user.closed_at is None


def _assign(submission: Submission, assessor: User, role: AssessorRole, now: datetime) -> None:
    assessment = Assessment(
        submission_id=submission.id, assessor_id=assessor.id, role=role, assigned_at=now
    )
    db.session.add(assessment)
    db.session.flush()
    queue_email(assessor, "mc_assessment_assigned", assessment=assessment, submission=submission)


# ---------------------------------------------------------------------------- pre-check


def _decided_elsewhere(submission: Submission) -> Result:
    db.session.rollback()
    db.session.refresh(submission)
    if submission.prechecked_by is None:  # closed: the member withdrew, or the window ended
        return refused(_("This submission no longer waits for a pre-check."), submission)
    who = submission.prechecked_by.full_name
    return refused(_("%(name)s already pre-checked this submission.", name=who), submission)


def return_incomplete(
    submission: Submission, by: User, note: str, now: datetime | None = None
) -> Result:
    """Pre-check: the evidence is incomplete. It goes back to the member with the note
    (required), nothing scored; the member can complete it and submit again."""
    now = now or utcnow()
    note = (note or "").strip()
    if not note:
        return refused(_("Say what is missing: the member reads this note."))
    if len(note) > MAX_FEEDBACK:
        return refused(_("Enter %(max)d characters or fewer.", max=MAX_FEEDBACK))
    lock_attempt(submission.attempt_id)
    changed = db.session.execute(
        sa.update(Submission)
        .where(Submission.id == submission.id, Submission.status == SubmissionStatus.PRECHECK)
        .values(
            status=SubmissionStatus.INCOMPLETE,
            prechecked_at=now,
            prechecked_by_id=by.id,
            precheck_note=note,
            decided_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return _decided_elsewhere(submission)
    attempt = submission.attempt
    try:
        _reopen(attempt, now)
    except AttemptChanged:
        db.session.rollback()
        return refused(_("The member withdrew, or the window ended: nothing to return."))
    events.record(
        attempt,
        MicrocredentialAction.RETURNED_INCOMPLETE,
        by,
        now,
        submission=submission,
        note=note,
    )
    db.session.flush()
    db.session.refresh(submission)
    queue_email(
        attempt.user,
        "mc_incomplete",
        attempt=attempt,
        submission=submission,
        member_url=member_page_url(attempt),
    )
    db.session.commit()
    return done(_("Returned to the member with your note."), submission)


def lock_attempt(attempt_id: int) -> None:
    """Lock the attempt's row until the transaction ends (PostgreSQL; SQLite writes one at a
    time anyway). Every change of an attempt and its submission takes the attempt first."""
    db.session.execute(sa.select(Attempt.id).where(Attempt.id == attempt_id).with_for_update())


def _reopen(attempt: Attempt, now: datetime) -> None:
    """The member drafts again (their draft evidence is still there), with at least
    rules.RESUBMIT_GRACE_DAYS left to revise: a version returned near or after the window's
    end can still be resubmitted ("as often as needed", PRODUCT §14). AttemptChanged when
    the attempt is no longer submitted (withdrawn or expired meanwhile)."""
    changed = db.session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.SUBMITTED)
        .values(
            status=AttemptStatus.DRAFTING,
            window_ends_on=rules.window_after_return(attempt.window_ends_on, now.date()),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise AttemptChanged(attempt.id)
    db.session.refresh(attempt)


def send_to_assessors(submission: Submission, by: User, now: datetime | None = None) -> Result:
    """Pre-check: complete. Two assessors are assigned (fewest open assessments first,
    never the member); with fewer than two available, nothing changes."""
    now = now or utcnow()
    attempt = submission.attempt
    chosen = available_assessors([attempt.user_id], 2)
    if len(chosen) < 2:
        return refused(
            _(
                "Two assessors are needed and fewer are available. Grant the assessor role "
                "on the People pages, then send it again."
            )
        )
    changed = db.session.execute(
        sa.update(Submission)
        .where(Submission.id == submission.id, Submission.status == SubmissionStatus.PRECHECK)
        .values(status=SubmissionStatus.ASSESSING, prechecked_at=now, prechecked_by_id=by.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        return _decided_elsewhere(submission)
    for assessor, role in zip(chosen, FIRST_PAIR, strict=True):
        _assign(submission, assessor, role, now)
    note = ", ".join(a.full_name for a in chosen)
    events.record(
        attempt, MicrocredentialAction.SENT_TO_ASSESSORS, by, now, submission=submission, note=note
    )
    db.session.commit()
    return done(
        _(
            "Sent to %(first)s and %(second)s.",
            first=chosen[0].full_name,
            second=chosen[1].full_name,
        ),
        submission,
    )


def reassign(assessment: Assessment, to: User, by: User, now: datetime | None = None) -> Result:
    """A national admin gives an unfinished assessment to another assessor (not the member,
    not one already assessing this submission). The new assessor is e-mailed."""
    now = now or utcnow()
    submission = assessment.submission
    taken = {a.assessor_id for a in submission.assessments} | {submission.attempt.user_id}
    if not is_assessor(to) or to.id in taken:
        return refused(_("Choose an assessor who is not already on this submission."))
    still_waiting = sa.select(Submission.id).where(
        Submission.id == submission.id,
        Submission.status.in_((SubmissionStatus.ASSESSING, SubmissionStatus.LEAD)),
    )
    try:
        changed = db.session.execute(
            sa.update(Assessment)
            .where(
                Assessment.id == assessment.id,
                Assessment.assessor_id == assessment.assessor_id,
                Assessment.completed_at.is_(None),
                Assessment.submission_id.in_(still_waiting),
            )
            .values(assessor_id=to.id, assigned_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    except IntegrityError:  # another admin gave `to` this submission's other assessment
        changed = 0
    if changed != 1:
        db.session.rollback()
        return refused(
            _("This assessment was finished or reassigned meanwhile, or no longer waits.")
        )
    db.session.refresh(assessment)
    events.record(
        submission.attempt,
        MicrocredentialAction.SENT_TO_LEAD
        if assessment.role == AssessorRole.LEAD
        else MicrocredentialAction.SENT_TO_ASSESSORS,
        by,
        now,
        submission=submission,
        note=f"reassigned ({assessment.role.value}): {to.full_name}",
    )
    queue_email(to, "mc_assessment_assigned", assessment=assessment, submission=submission)
    db.session.commit()
    return done(_("Reassigned to %(name)s, who is told by e-mail.", name=to.full_name), assessment)


def assign_lead(submission: Submission, by: User | None, now: datetime | None = None) -> Result:
    """A submission the first two disagree on gets a lead: a third assessor (fewest open
    first; not the member, not the first two). Used when scores disagree, and by an admin
    when no lead was available then."""
    now = now or utcnow()
    if submission.status != SubmissionStatus.LEAD:
        return refused(_("This submission does not wait for a lead assessor."))
    if any(a.role == AssessorRole.LEAD for a in submission.assessments):
        return refused(_("This submission already has a lead assessor."))
    taken = [a.assessor_id for a in submission.assessments] + [submission.attempt.user_id]
    chosen = available_assessors(taken, 1)
    if not chosen:
        return refused(
            _("No third assessor is available to lead. Grant the assessor role, then assign one.")
        )
    _assign(submission, chosen[0], AssessorRole.LEAD, now)
    events.record(
        submission.attempt,
        MicrocredentialAction.SENT_TO_LEAD,
        by,
        now,
        submission=submission,
        note=chosen[0].full_name,
    )
    return done(_("Sent to %(name)s to lead.", name=chosen[0].full_name), submission)


def assign_lead_now(submission: Submission, by: User, now: datetime | None = None) -> Result:
    """An admin assigns the lead a disagreement waits for (none was available when the
    first two finished); of two admins at once, one assigns and the other is told."""
    result = assign_lead(submission, by, now)
    if not result.ok:
        db.session.rollback()
        return result
    try:
        db.session.commit()
    except IntegrityError:  # another admin assigned one first (one lead per submission)
        db.session.rollback()
        return refused(_("This submission already has a lead assessor."))
    return result


# ---------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Given:
    """One criterion as an assessor scored it."""

    met: bool
    feedback: str = ""


def criteria_of(microcredential: Microcredential) -> list[Criterion]:
    return [c for component in microcredential.components for c in component.criteria]


def score_problems(
    criteria: list[Criterion], given: Mapping[int, Given | None], comment: str
) -> dict[int | str, str]:
    """Every criterion is scored Met or Not yet; a Not yet says why (the member reads the
    feedback); texts fit their columns. Keys: criterion id, or "comment"."""
    problems: dict[int | str, str] = {}
    for criterion in criteria:
        scored = given.get(criterion.id)
        if scored is None:
            problems[criterion.id] = _("Choose Met or Not yet.")
        elif len(scored.feedback) > MAX_FEEDBACK:
            problems[criterion.id] = _("Enter %(max)d characters or fewer.", max=MAX_FEEDBACK)
        elif not scored.met and not scored.feedback.strip():
            problems[criterion.id] = _("Say what is missing: the member reads this feedback.")
    if len(comment) > MAX_FEEDBACK:
        problems["comment"] = _("Enter %(max)d characters or fewer.", max=MAX_FEEDBACK)
    return problems


@dataclass(frozen=True)
class Scored:
    result: Result
    errors: dict[int | str, str]
    outcome: rules.Outcome | None = None


def _score_maps(submission_id: int) -> dict[AssessorRole, dict[int, bool]]:
    """The completed assessments' scores of a submission, by role (read fresh)."""
    rows = db.session.execute(
        sa.select(Assessment.role, Score.criterion_id, Score.met)
        .join(Score, Score.assessment_id == Assessment.id)
        .where(Assessment.submission_id == submission_id, Assessment.completed_at.is_not(None))
    )
    maps: dict[AssessorRole, dict[int, bool]] = {}
    for role, criterion_id, met in rows:
        maps.setdefault(AssessorRole(role), {})[criterion_id] = met
    return maps


def submit_scores(
    assessment: Assessment,
    by: User,
    given: Mapping[int, Given | None],
    comment: str,
    now: datetime | None = None,
) -> Scored:
    """The assessor's scores, final once sent (a second sending is refused). Then the
    scores decide (rules.outcome): a disagreement goes to a lead; all Met awards the
    micro-credential; otherwise the submission returns to the member with the feedback."""
    now = now or utcnow()
    comment = (comment or "").strip()
    submission = assessment.submission
    attempt = submission.attempt
    criteria = criteria_of(attempt.microcredential)
    errors = score_problems(criteria, given, comment)
    if errors:
        return Scored(refused(next(iter(errors.values()))), errors)
    wanted = (
        SubmissionStatus.LEAD
        if assessment.role == AssessorRole.LEAD
        else SubmissionStatus.ASSESSING
    )
    # The submission's row is locked (PostgreSQL), so of the first two assessors sending at
    # once the second reads the first's scores and decides; the attempt's row before it, in
    # the order withdrawing and expiring take them (attempt, then submission): no deadlock.
    lock_attempt(attempt.id)
    locked = db.session.execute(
        sa.select(Submission.status).where(Submission.id == submission.id).with_for_update()
    ).scalar_one()
    changed = db.session.execute(
        sa.update(Assessment)
        .where(
            Assessment.id == assessment.id,
            Assessment.assessor_id == by.id,
            Assessment.completed_at.is_(None),
        )
        .values(completed_at=now, comment=comment)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        return Scored(
            refused(_("Your scores for this submission are already in: they are final.")), {}
        )
    if locked != wanted:
        db.session.rollback()
        return Scored(refused(_("This submission no longer waits for your scores.")), {})
    for criterion in criteria:
        scored = given[criterion.id]
        assert scored is not None
        db.session.add(
            Score(
                assessment_id=assessment.id,
                criterion_id=criterion.id,
                met=scored.met,
                feedback=scored.feedback.strip(),
            )
        )
    events.record(
        attempt,
        MicrocredentialAction.SCORED,
        by,
        now,
        submission=submission,
        note=assessment.role.value,
    )
    db.session.flush()
    maps = _score_maps(submission.id)
    decided = rules.outcome(
        [c.id for c in criteria],
        maps.get(AssessorRole.FIRST),
        maps.get(AssessorRole.SECOND),
        maps.get(AssessorRole.LEAD),
    )
    try:
        message = _decide(submission, attempt, decided, by, now)
    except AttemptChanged:
        db.session.rollback()
        return Scored(refused(_("This submission no longer waits for your scores.")), {})
    db.session.commit()
    return Scored(done(message, assessment), {}, decided)


def _decide(
    submission: Submission, attempt: Attempt, decided: rules.Outcome, by: User, now: datetime
) -> str:
    """Carry out what the scores decided; the message for the assessor."""
    message = _("Your scores are sent.")
    if decided == rules.Outcome.NEEDS_LEAD:
        _set_submission(submission, SubmissionStatus.LEAD, None)
        db.session.refresh(submission)
        lead = assign_lead(submission, None, now)
        message = _("Your scores are sent. The two assessors disagree: a lead assessor decides.")
        if not lead.ok:
            current_app.logger.warning("submission %s waits for a lead assessor", submission.id)
    elif decided == rules.Outcome.MET:
        _set_submission(submission, SubmissionStatus.MET, now)
        award(attempt, now)
        events.record(attempt, MicrocredentialAction.AWARDED, by, now, submission=submission)
        db.session.flush()
        queue_email(
            attempt.user,
            "mc_awarded",
            attempt=attempt,
            submission=submission,
            member_url=member_page_url(attempt),
        )
        message = _(
            "Your scores are sent. Every criterion is met: the micro-credential is awarded."
        )
    elif decided == rules.Outcome.NOT_YET:
        _set_submission(submission, SubmissionStatus.NOT_YET, now)
        _reopen(attempt, now)
        events.record(attempt, MicrocredentialAction.RETURNED, by, now, submission=submission)
        db.session.flush()
        queue_email(
            attempt.user,
            "mc_returned",
            attempt=attempt,
            submission=submission,
            member_url=member_page_url(attempt),
        )
        message = _("Your scores are sent. The submission returns to the member with the feedback.")
    return message


def _set_submission(submission: Submission, status: SubmissionStatus, now: datetime | None) -> None:
    db.session.execute(
        sa.update(Submission)
        .where(Submission.id == submission.id)
        .values(status=status, decided_at=now)
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------------------- blinding


def visible_assessments(submission: Submission, viewer: Assessment) -> list[Assessment]:
    """The other assessments this assessor may see (rules.may_see_other_scores): the
    first two see each other's only once both are complete; the lead sees the first two."""
    pair_done = all(
        a.completed_at is not None for a in submission.assessments if a.role in FIRST_PAIR
    )
    others = [a for a in submission.assessments if a.id != viewer.id and a.role in FIRST_PAIR]
    if not rules.may_see_other_scores(viewer.role, pair_done and viewer.completed_at is not None):
        return []
    return [a for a in others if a.completed_at is not None]


def components_with_criteria() -> tuple:
    """Loader options: a micro-credential's components and their criteria, in two queries."""
    return (selectinload(Microcredential.components).selectinload(Component.criteria),)
