"""What the LFT pages show, each built in one place and loaded up front (no query per row)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.lft.models import (
    DECISIONS,
    NATIONAL,
    LftApplication,
    LftCycle,
    LftEvent,
    LftScore,
    LftStatus,
)
from esp_registry.paging import Page, PageRequest, contains, paginate
from esp_registry.reference.models import Affiliate

ROW_OPTIONS = (
    joinedload(LftApplication.user),
    joinedload(LftApplication.affiliate),
    joinedload(LftApplication.job_family),
)


def cycles() -> list[LftCycle]:
    return list(db.session.scalars(sa.select(LftCycle).order_by(LftCycle.year.desc())))


def current_cycle(now: datetime) -> LftCycle | None:
    """The cycle open now, else the latest one."""
    open_now = db.session.scalar(
        sa.select(LftCycle).where(LftCycle.opens_at <= now, LftCycle.closes_at > now)
    )
    return open_now or db.session.scalar(sa.select(LftCycle).order_by(LftCycle.year.desc()))


def my_applications(user: User) -> list[LftApplication]:
    return list(
        db.session.scalars(
            sa.select(LftApplication)
            .where(LftApplication.user_id == user.id)
            .options(joinedload(LftApplication.cycle))
            .order_by(LftApplication.created_at.desc())
        )
    )


def shown_status(application: LftApplication) -> LftStatus:
    """What the applicant sees: national decisions stay "endorsed" until released."""
    if application.status in DECISIONS and not application.cycle.decision_released:
        return LftStatus.ENDORSED
    return application.status


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    status: LftStatus
    comment: str


def applicant_history(application: LftApplication) -> list[HistoryLine]:
    """The applicant's own status history: no internal comments, and no pending national
    decision before its release (only the released one)."""
    released_at = application.cycle.released_at
    lines = []
    for event in application.events:
        national = event.to_status in DECISIONS or event.from_status in DECISIONS
        if national and (released_at is None or event.at < released_at):
            continue
        if event.from_status == event.to_status and event.to_status not in DECISIONS:
            continue
        lines.append(
            HistoryLine(event.at, event.to_status, "" if event.internal else event.comment)
        )
    return lines


def staff_trail(application: LftApplication) -> list[LftEvent]:
    return list(
        db.session.scalars(
            sa.select(LftEvent)
            .where(LftEvent.application_id == application.id)
            .options(joinedload(LftEvent.actor))
            .order_by(LftEvent.at, LftEvent.id)
        )
    )


# ---------------------------------------------------------------------------- affiliate


QUEUE_PAGE_SIZE = 25
REVIEW_PAGE_SIZE = 25


@dataclass
class Queue:
    applications: Page[LftApplication]
    counts: dict[str, int] = field(default_factory=dict)
    remaining_cap: int | None = None


def _scoped(query: sa.Select, scope: set[int] | None) -> sa.Select:  # type: ignore[type-arg]
    if scope is None:
        return query
    return query.where(LftApplication.affiliate_id.in_(scope or {-1}))


def _searched(query: sa.Select, search: str) -> sa.Select:  # type: ignore[type-arg]
    """Applications whose applicant's name or e-mail, or whose affiliate's name or code,
    contains `search` (any case)."""
    search = search.strip()
    if not search:
        return query
    pattern = contains(search)
    columns = (User.full_name, User.email, Affiliate.name, Affiliate.code)
    return (
        query.join(LftApplication.user)
        .join(LftApplication.affiliate)
        .where(sa.or_(*(sa.func.lower(c).like(pattern, escape="\\") for c in columns)))
    )


def affiliate_queue(
    cycle: LftCycle,
    scope: set[int] | None,
    *,
    search: str = "",
    page: int = 1,
    at: PageRequest | None = None,
) -> Queue:
    """Submitted applications (and what became of them) from the approver's affiliate(s),
    waiting ones first, one page at a time (those matching `search`), with counts per
    state and the endorsements left under the cap: four queries whatever the numbers."""
    waiting_first = sa.case((LftApplication.status == LftStatus.SUBMITTED, 0), else_=1)
    query = _scoped(
        sa.select(LftApplication)
        .where(LftApplication.cycle_id == cycle.id, LftApplication.status != LftStatus.DRAFT)
        .options(*ROW_OPTIONS),
        scope,
    )
    applications = paginate(
        _searched(query, search),
        waiting_first,
        LftApplication.submitted_at,
        LftApplication.id,
        page=page,
        at=at,
        size=QUEUE_PAGE_SIZE,
    )
    return Queue(applications, *queue_counts(cycle, scope))


def queue_counts(cycle: LftCycle, scope: set[int] | None) -> tuple[dict[str, int], int | None]:
    rows = db.session.execute(
        _scoped(
            sa.select(LftApplication.status, sa.func.count())
            .where(LftApplication.cycle_id == cycle.id)
            .group_by(LftApplication.status),
            scope,
        )
    ).all()
    by_status = {status.value: n for status, n in rows}
    endorsed = sum(by_status.get(s.value, 0) for s in NATIONAL)
    counts = {
        "submitted": by_status.get("submitted", 0),
        "endorsed": endorsed,
        "declined": by_status.get("declined", 0),
    }
    cap = cycle.max_endorsements_per_affiliate
    remaining = None
    if cap is not None and scope is not None and len(scope) == 1:
        remaining = max(cap - endorsed, 0)
    return counts, remaining


# ---------------------------------------------------------------------------- national


def score_summary(reviewer: User | None = None, ids: list[int] | None = None) -> sa.Subquery:
    """Per application (of `ids`, or all): average score, spread (highest minus lowest
    reviewer's mean), number of reviewers, and whether `reviewer` is one of them."""
    per_reviewer = sa.select(
        LftScore.application_id.label("application_id"),
        LftScore.reviewer_id.label("reviewer_id"),
        sa.func.avg(LftScore.score).label("mean"),
    ).group_by(LftScore.application_id, LftScore.reviewer_id)
    if ids is not None:
        per_reviewer = per_reviewer.where(LftScore.application_id.in_(ids))
    per_reviewer = per_reviewer.subquery()
    reviewer_id = reviewer.id if reviewer is not None else -1
    return (
        sa.select(
            per_reviewer.c.application_id,
            sa.func.avg(per_reviewer.c.mean).label("average"),
            (sa.func.max(per_reviewer.c.mean) - sa.func.min(per_reviewer.c.mean)).label("spread"),
            sa.func.count().label("reviewers"),
            sa.func.max(sa.case((per_reviewer.c.reviewer_id == reviewer_id, 1), else_=0)).label(
                "mine"
            ),
        )
        .group_by(per_reviewer.c.application_id)
        .subquery()
    )


@dataclass(frozen=True)
class ReviewRow:
    application: LftApplication
    average: float | None
    spread: float | None
    reviewers: int
    mine: bool


SORTS = {"name", "affiliate", "average", "spread", "status"}


def national_review(
    cycle: LftCycle,
    reviewer: User,
    *,
    affiliate_id: int | None = None,
    job_family_id: int | None = None,
    sort: str = "average",
    search: str = "",
    page: int = 1,
    at: PageRequest | None = None,
) -> Page[ReviewRow]:
    """Endorsed applications with their average score and spread (highest minus lowest
    reviewer's mean), filtered by affiliate, job family and `search`, one page in the
    chosen order: three queries whatever the number of applications."""
    summary = score_summary()
    query = (
        sa.select(LftApplication)
        .outerjoin(summary, summary.c.application_id == LftApplication.id)
        .where(LftApplication.cycle_id == cycle.id, LftApplication.status.in_(NATIONAL))
        .options(*ROW_OPTIONS)
    )
    if affiliate_id:
        query = query.where(LftApplication.affiliate_id == affiliate_id)
    if job_family_id:
        query = query.where(LftApplication.job_family_id == job_family_id)
    query = _searched(query, search)
    if not search.strip():
        query = query.join(LftApplication.user)  # the name orders every sort
    order = {
        "name": (User.full_name,),
        "affiliate": (LftApplication.affiliate_id, User.full_name),
        "spread": (sa.func.coalesce(summary.c.spread, -1).desc(), User.full_name),
        "status": (LftApplication.status, LftApplication.alternate_rank, User.full_name),
    }.get(sort, (sa.func.coalesce(summary.c.average, 0).desc(), User.full_name))
    found = paginate(query, *order, LftApplication.id, page=page, at=at, size=REVIEW_PAGE_SIZE)
    return replace(found, items=_with_scores(found.items, reviewer))


def _with_scores(applications: list[LftApplication], reviewer: User) -> list[ReviewRow]:
    """The page's applications with their scores and whether `reviewer` scored them."""
    ids = [a.id for a in applications]
    summary = score_summary(reviewer, ids)
    scores = {
        row.application_id: row
        for row in (db.session.execute(sa.select(summary)).all() if ids else [])
    }
    rows = []
    for application in applications:
        score = scores.get(application.id)
        rows.append(
            ReviewRow(
                application,
                float(score.average) if score is not None else None,
                float(score.spread) if score is not None else None,
                score.reviewers if score is not None else 0,
                bool(score.mine) if score is not None else False,
            )
        )
    return rows


def scores_by_reviewer(application: LftApplication) -> dict[User, dict[int, int]]:
    """Every reviewer's scores of one application, criterion id -> score."""
    scores = db.session.scalars(
        sa.select(LftScore)
        .where(LftScore.application_id == application.id)
        .options(joinedload(LftScore.reviewer))
        .order_by(LftScore.reviewer_id)
    ).all()
    table: dict[User, dict[int, int]] = {}
    for row in scores:
        table.setdefault(row.reviewer, {})[row.criterion_id] = row.score
    return table


PAGE_OPTIONS = (
    *ROW_OPTIONS,
    joinedload(LftApplication.cycle).selectinload(LftCycle.criteria),
    selectinload(LftApplication.events),
)
