"""The queries that feed the pre-check and assessment pages, one place per page, each
loading what its template shows up front: a fixed number of queries whatever the rows."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.microcredentials.assessment import active_assessors, open_assessments_count
from esp_registry.microcredentials.models import (
    Assessment,
    Attempt,
    Component,
    Microcredential,
    MicrocredentialEvent,
    Score,
    Submission,
    SubmissionStatus,
    SubmittedEvidence,
)
from esp_registry.paging import Page, PageRequest, contains, paginate

PAGE_SIZE = 25
PERSON = (lazyload(User.role_grants),)
QUEUE_STATUSES = (SubmissionStatus.PRECHECK, SubmissionStatus.ASSESSING, SubmissionStatus.LEAD)

ROW_OPTIONS = (
    joinedload(Submission.attempt).options(
        joinedload(Attempt.user).options(*PERSON), joinedload(Attempt.microcredential)
    ),
)
# A submission's page: the member, the micro-credential's components and criteria, the
# frozen evidence, and every assessment with its assessor and scores.
PAGE_OPTIONS = (
    joinedload(Submission.attempt).options(
        joinedload(Attempt.user).options(*PERSON),
        joinedload(Attempt.microcredential)
        .selectinload(Microcredential.components)
        .selectinload(Component.criteria),
    ),
    joinedload(Submission.prechecked_by).options(*PERSON),
    selectinload(Submission.evidence),
    selectinload(Submission.assessments).options(
        joinedload(Assessment.assessor).options(*PERSON), selectinload(Assessment.scores)
    ),
)
ASSESSMENT_OPTIONS = (
    joinedload(Assessment.assessor).options(*PERSON),
    joinedload(Assessment.submission).options(*PAGE_OPTIONS),
)


def precheck_queue(status: SubmissionStatus, search: str, at: PageRequest) -> Page[Submission]:
    """Submissions in this status (pre-check by default), oldest first, whose member's
    name or e-mail contains `search`."""
    query = (
        sa.select(Submission)
        .join(Attempt, Attempt.id == Submission.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .where(Submission.status == status)
        .options(*ROW_OPTIONS)
    )
    if search.strip():
        pattern = contains(search)
        query = query.where(
            sa.or_(
                sa.func.lower(User.full_name).like(pattern, escape="\\"),
                sa.func.lower(User.email).like(pattern, escape="\\"),
            )
        )
    return paginate(query, Submission.submitted_at, Submission.id, size=PAGE_SIZE, at=at, seek=True)


def my_assessments(assessor: User, at: PageRequest) -> Page[Assessment]:
    """The assessments assigned to this assessor and not done, oldest assignment first
    (not those of a submission closed meanwhile: the member withdrew or the window ended)."""
    query = (
        sa.select(Assessment)
        .join(Submission, Submission.id == Assessment.submission_id)
        .where(
            Assessment.assessor_id == assessor.id,
            Assessment.completed_at.is_(None),
            Submission.status.in_((SubmissionStatus.ASSESSING, SubmissionStatus.LEAD)),
        )
        .options(joinedload(Assessment.submission).options(*ROW_OPTIONS))
    )
    return paginate(query, Assessment.assigned_at, Assessment.id, size=PAGE_SIZE, at=at, seek=True)


def evidence_by_component(submission: Submission) -> dict[int, SubmittedEvidence]:
    return {e.component_id: e for e in submission.evidence}


def scores_by_criterion(assessment: Assessment) -> dict[int, Score]:
    return {s.criterion_id: s for s in assessment.scores}


def assessor_choices(exclude: set[int], limit: int = 200) -> list[tuple[User, int]]:
    """Active assessors one could assign (not `exclude`), with their open assessments,
    fewest first: one query (a select box of at most `limit`)."""
    count = open_assessments_count()
    rows = db.session.execute(
        sa.select(User, count)
        .where(active_assessors(exclude))
        .options(*PERSON)
        .order_by(count, User.full_name, User.id)
        .limit(limit)
    )
    return [(user, n) for user, n in rows]


def events_of(submission: Submission) -> list[MicrocredentialEvent]:
    """The attempt's audit trail, oldest first (bounded)."""
    return list(
        db.session.scalars(
            sa.select(MicrocredentialEvent)
            .where(MicrocredentialEvent.attempt_id == submission.attempt_id)
            .options(joinedload(MicrocredentialEvent.actor).options(*PERSON))
            .order_by(MicrocredentialEvent.created_at, MicrocredentialEvent.id)
            .limit(100)
        )
    )
