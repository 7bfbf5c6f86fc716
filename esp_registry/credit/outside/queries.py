"""The queries that feed the outside-training pages, one place per page, each loading what
its template shows up front: a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload

from esp_registry.accounts.models import User
from esp_registry.credit.outside.models import (
    OutsideKind,
    OutsideStatus,
    OutsideTraining,
    OutsideTrainingEvent,
)
from esp_registry.extensions import db
from esp_registry.paging import Page, PageRequest, contains, paginate

PAGE_SIZE = 25
PERSON = (lazyload(User.role_grants),)

ROW_OPTIONS = (
    joinedload(OutsideTraining.user).options(*PERSON),
    joinedload(OutsideTraining.affiliate),
)
PAGE_OPTIONS = (
    *ROW_OPTIONS,
    joinedload(OutsideTraining.decided_by).options(*PERSON),
    joinedload(OutsideTraining.pre_approval),
)


@dataclass
class MemberPage:
    rows: Page[OutsideTraining]
    # Approved pre-approvals whose completion is already recorded (pending or approved).
    completed: set[int] = field(default_factory=set)


def member_requests(member: User, at: PageRequest) -> MemberPage:
    """A member's requests, newest first, with which pre-approvals are completed."""
    rows = paginate(
        sa.select(OutsideTraining).where(OutsideTraining.user_id == member.id),
        OutsideTraining.created_at.desc(),
        OutsideTraining.id.desc(),
        size=PAGE_SIZE,
        at=at,
        seek=True,
    )
    approved = [
        t.id
        for t in rows.items
        if t.kind == OutsideKind.PRE_APPROVAL and t.status == OutsideStatus.APPROVED
    ]
    completed: set[int] = set()
    if approved:
        completed = set(
            db.session.scalars(
                sa.select(OutsideTraining.pre_approval_id).where(
                    OutsideTraining.pre_approval_id.in_(approved),
                    OutsideTraining.status != OutsideStatus.DECLINED,
                )
            )
        )
    return MemberPage(rows, completed)


def queue(
    scope: set[int] | None, status: OutsideStatus, search: str, at: PageRequest
) -> Page[OutsideTraining]:
    """Requests of these affiliates' members in this status, oldest first (decided ones
    newest first), whose member's name or e-mail, title or provider contains `search`."""
    query = (
        sa.select(OutsideTraining)
        .join(User, User.id == OutsideTraining.user_id)
        .where(OutsideTraining.status == status)
        .options(*ROW_OPTIONS)
    )
    if scope is not None:
        query = query.where(OutsideTraining.affiliate_id.in_(scope or {-1}))
    if search.strip():
        pattern = contains(search)
        columns = (User.full_name, User.email, OutsideTraining.title, OutsideTraining.provider)
        query = query.where(sa.or_(*(sa.func.lower(c).like(pattern, escape="\\") for c in columns)))
    if status == OutsideStatus.PENDING:
        order = (OutsideTraining.created_at, OutsideTraining.id)
    else:
        order = (OutsideTraining.decided_at.desc(), OutsideTraining.id.desc())
    return paginate(query, *order, size=PAGE_SIZE, at=at)


def events_of(training: OutsideTraining) -> list[OutsideTrainingEvent]:
    """A request's audit trail, oldest first (a handful: submitted, then one decision)."""
    return list(
        db.session.scalars(
            sa.select(OutsideTrainingEvent)
            .where(OutsideTrainingEvent.training_id == training.id)
            .options(joinedload(OutsideTrainingEvent.actor).options(*PERSON))
            .order_by(OutsideTrainingEvent.at, OutsideTrainingEvent.id)
            .limit(50)
        )
    )


def approved_for_transcript(member: User) -> list[OutsideTraining]:
    """Approved completed outside training of a member (one query), for the transcript."""
    return list(
        db.session.scalars(
            sa.select(OutsideTraining)
            .where(
                OutsideTraining.user_id == member.id,
                OutsideTraining.kind == OutsideKind.COMPLETED,
                OutsideTraining.status == OutsideStatus.APPROVED,
            )
            .options(joinedload(OutsideTraining.affiliate))
        )
    )
