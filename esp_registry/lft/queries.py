"""What the LFT pages show, each built in one place and loaded up front (no query per row)."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
class Queue:
    applications: list[LftApplication]
    counts: dict[str, int] = field(default_factory=dict)
    remaining_cap: int | None = None


def _scoped(query: sa.Select, scope: set[int] | None) -> sa.Select:  # type: ignore[type-arg]
    if scope is None:
        return query
    return query.where(LftApplication.affiliate_id.in_(scope or {-1}))


def affiliate_queue(cycle: LftCycle, scope: set[int] | None) -> Queue:
    """Submitted applications (and what became of them) from the approver's affiliate(s),
    waiting ones first, with counts per state and the endorsements left under the cap."""
    waiting_first = sa.case((LftApplication.status == LftStatus.SUBMITTED, 0), else_=1)
    applications = list(
        db.session.scalars(
            _scoped(
                sa.select(LftApplication)
                .where(
                    LftApplication.cycle_id == cycle.id,
                    LftApplication.status != LftStatus.DRAFT,
                )
                .options(*ROW_OPTIONS)
                .order_by(waiting_first, LftApplication.submitted_at, LftApplication.id),
                scope,
            )
        ).unique()
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


def score_summary(reviewer: User | None = None) -> sa.Subquery:
    """Per application: average score, spread (highest minus lowest reviewer's mean),
    number of reviewers, and whether `reviewer` is one of them."""
    per_reviewer = (
        sa.select(
            LftScore.application_id.label("application_id"),
            LftScore.reviewer_id.label("reviewer_id"),
            sa.func.avg(LftScore.score).label("mean"),
        )
        .group_by(LftScore.application_id, LftScore.reviewer_id)
        .subquery()
    )
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
) -> list[ReviewRow]:
    """Endorsed applications with their average score and spread (highest minus lowest
    reviewer's mean), filtered by affiliate and job family: one query for the page."""
    summary = score_summary(reviewer)
    query = (
        sa.select(LftApplication, summary.c.average, summary.c.spread, summary.c.reviewers)
        .add_columns(summary.c.mine)
        .outerjoin(summary, summary.c.application_id == LftApplication.id)
        .join(LftApplication.user)
        .where(LftApplication.cycle_id == cycle.id, LftApplication.status.in_(NATIONAL))
        .options(*ROW_OPTIONS)
    )
    if affiliate_id:
        query = query.where(LftApplication.affiliate_id == affiliate_id)
    if job_family_id:
        query = query.where(LftApplication.job_family_id == job_family_id)
    order = {
        "name": (User.full_name,),
        "affiliate": (LftApplication.affiliate_id, User.full_name),
        "spread": (sa.func.coalesce(summary.c.spread, -1).desc(), User.full_name),
        "status": (LftApplication.status, LftApplication.alternate_rank, User.full_name),
    }.get(sort, (sa.func.coalesce(summary.c.average, 0).desc(), User.full_name))
    rows = db.session.execute(query.order_by(*order, LftApplication.id)).unique().all()
    return [
        ReviewRow(
            application,
            float(average) if average is not None else None,
            float(spread) if spread is not None else None,
            reviewers or 0,
            bool(mine),
        )
        for application, average, spread, reviewers, mine in rows
    ]


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
