"""The queries that feed the member's micro-credential pages, one place per page, each
loading what its template shows up front: a fixed number of queries whatever the rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.microcredentials.models import (
    Assessment,
    AssessorRole,
    Attempt,
    AttemptStatus,
    Component,
    Microcredential,
    Stack,
    Submission,
    SubmissionStatus,
    SubmittedEvidence,
)
from esp_registry.paging import Page, PageRequest, paginate
from esp_registry.reference.models import JobFamily

PAGE_SIZE = 20

CATALOG_OPTIONS = (
    joinedload(Microcredential.job_family),
    joinedload(Microcredential.stack),
)
DETAIL_OPTIONS = (
    *CATALOG_OPTIONS,
    selectinload(Microcredential.components).selectinload(Component.criteria),
)


def catalog(family: JobFamily | None, at: PageRequest) -> Page[Microcredential]:
    """Active micro-credentials by name; for one job family, its own and those open to all."""
    query = (
        sa.select(Microcredential).where(Microcredential.active.is_(True)).options(*CATALOG_OPTIONS)
    )
    if family is not None:
        query = query.where(
            sa.or_(
                Microcredential.job_family_id == family.id,
                Microcredential.job_family_id.is_(None),
            )
        )
    return paginate(query, Microcredential.name, Microcredential.id, size=PAGE_SIZE, at=at)


def stack_members(stack: Stack) -> list[Microcredential]:
    """A stack's active micro-credentials in their order (a stack holds a handful)."""
    return list(
        db.session.scalars(
            sa.select(Microcredential)
            .where(Microcredential.stack_id == stack.id, Microcredential.active.is_(True))
            .order_by(Microcredential.stack_position)
            .options(*CATALOG_OPTIONS)
        )
    )


def progress(member: User | None, ids: list[int]) -> dict[int, AttemptStatus]:
    """The member's standing on each of these micro-credentials: awarded if ever awarded,
    else the open attempt's status; missing when not started."""
    if member is None or not getattr(member, "is_authenticated", False) or not ids:
        return {}
    found: dict[int, AttemptStatus] = {}
    rows = db.session.execute(
        sa.select(Attempt.microcredential_id, Attempt.status).where(
            Attempt.user_id == member.id,
            Attempt.microcredential_id.in_(ids),
            Attempt.status.in_(
                [AttemptStatus.AWARDED, AttemptStatus.DRAFTING, AttemptStatus.SUBMITTED]
            ),
        )
    )
    for mc_id, status in rows:
        if found.get(mc_id) != AttemptStatus.AWARDED:
            found[mc_id] = status
    return found


def my_attempts(member: User, at: PageRequest) -> Page[Attempt]:
    """Every attempt of the member, open ones first, newest first, with its versions."""
    open_first = sa.case(
        (Attempt.status.in_([AttemptStatus.DRAFTING, AttemptStatus.SUBMITTED]), 0), else_=1
    )
    return paginate(
        sa.select(Attempt)
        .where(Attempt.user_id == member.id)
        .options(
            joinedload(Attempt.microcredential),
            selectinload(Attempt.submissions),
        ),
        open_first,
        Attempt.started_at.desc(),
        Attempt.id.desc(),
        size=PAGE_SIZE,
        at=at,
    )


ATTEMPT_OPTIONS = (
    joinedload(Attempt.microcredential).options(
        selectinload(Microcredential.components).selectinload(Component.criteria),
        joinedload(Microcredential.stack),
    ),
    selectinload(Attempt.submissions),
)


@dataclass
class CriterionFeedback:
    """How a returned version fared on one criterion, without saying which assessor said
    what: Met only when every deciding assessor said so; their feedback, unattributed."""

    met: bool
    feedback: list[str] = field(default_factory=list)


@dataclass
class Feedback:
    """What the member reads of a decided version."""

    criteria: dict[int, CriterionFeedback] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)


def deciding(assessments: list[Assessment]) -> list[Assessment]:
    """The assessments whose scores decided: the lead's when there is one (the first two
    disagreed), else the first two (they agreed)."""
    done = [a for a in assessments if a.completed_at is not None]
    lead = [a for a in done if a.role == AssessorRole.LEAD]
    if lead:
        return lead
    return [a for a in done if a.role in (AssessorRole.FIRST, AssessorRole.SECOND)]


def feedback_of(submission: Submission) -> Feedback:
    """The feedback of a decided version (Not yet, or Met); nothing of a pending one."""
    if submission.status not in (SubmissionStatus.NOT_YET, SubmissionStatus.MET):
        return Feedback()
    assessments = list(
        db.session.scalars(
            sa.select(Assessment)
            .where(Assessment.submission_id == submission.id)
            .options(selectinload(Assessment.scores))
        )
    )
    result = Feedback()
    for assessment in deciding(assessments):
        if assessment.comment.strip():
            result.comments.append(assessment.comment)
        for score in assessment.scores:
            line = result.criteria.setdefault(score.criterion_id, CriterionFeedback(met=True))
            line.met = line.met and score.met
            if score.feedback.strip() and score.feedback not in line.feedback:
                line.feedback.append(score.feedback)
    return result


def submitted_evidence(submission: Submission) -> dict[int, SubmittedEvidence]:
    return {
        e.component_id: e
        for e in db.session.scalars(
            sa.select(SubmittedEvidence).where(SubmittedEvidence.submission_id == submission.id)
        )
    }
