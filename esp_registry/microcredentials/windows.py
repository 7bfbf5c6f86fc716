"""The six-month window of a micro-credential attempt (PRODUCT §14), kept by the worker:
warnings 30 and 7 days before it ends, and the expiry of attempts whose window ended
while the member was still drafting.

Exactly once: a warning's WindowWarning row (primary key: attempt, days before) and its
e-mail are written in one transaction, so a re-run or two workers at once send nothing
twice; an expiry is one conditional UPDATE (still drafting), so only one run expires it
and e-mails. Candidates are chosen in SQL by window end and read in chunks."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload

from esp_registry.accounts.models import User
from esp_registry.columns import utcnow
from esp_registry.extensions import commit_keeping_loaded, db
from esp_registry.microcredentials import events, rules
from esp_registry.microcredentials.assessment import member_page_url
from esp_registry.microcredentials.models import (
    Attempt,
    AttemptStatus,
    MicrocredentialAction,
    WindowWarning,
)
from esp_registry.notifications.outbox import queue_email

log = logging.getLogger(__name__)

CHUNK = 500
ROW_OPTIONS = (
    joinedload(Attempt.user).options(lazyload(User.role_grants)),
    joinedload(Attempt.microcredential),
)


def _warnable(today: date, after: int) -> list[Attempt]:
    """Drafting attempts whose window ends within the largest warning's reach and who
    have not had the warning due today: in id order, one chunk."""
    thresholds = sorted(rules.WARN_DAYS_BEFORE)
    due_by = today + timedelta(days=thresholds[-1])
    # The warning due today for each end date, in SQL (as rules.warning_due): the
    # smallest threshold reached. Who already had it is left out of the chunk.
    due_days = sa.case(
        *((Attempt.window_ends_on <= today + timedelta(days=d), d) for d in thresholds[:-1]),
        else_=thresholds[-1],
    )
    warned = sa.exists().where(
        WindowWarning.attempt_id == Attempt.id, WindowWarning.days_before == due_days
    )
    return list(
        db.session.scalars(
            sa.select(Attempt)
            .where(
                Attempt.status == AttemptStatus.DRAFTING,
                Attempt.window_ends_on >= today,
                Attempt.window_ends_on <= due_by,
                ~warned,
                Attempt.id > after,
            )
            .options(*ROW_OPTIONS)
            .order_by(Attempt.id)
            .limit(CHUNK)
        ).unique()
    )


def send_window_warnings(now: datetime | None = None) -> int:
    """Write the window warnings due today (30 or 7 days before the end) to the outbox,
    in each member's language; returns how many were written. Only attempts still being
    drafted are warned: a member whose evidence is submitted has nothing left to do."""
    now = now or utcnow()
    today = now.date()
    sent, after = 0, 0
    while True:
        chunk = _warnable(today, after)
        if not chunk:
            break
        after = chunk[-1].id
        already = _warnings_sent([a.id for a in chunk])
        for attempt in chunk:
            days = rules.warning_due(attempt.window_ends_on, today)
            if days is None or (attempt.id, days) in already:
                continue
            if _warn(attempt, days, today, now):
                sent += 1
        if len(chunk) < CHUNK:
            break
    return sent


def _warnings_sent(attempt_ids: list[int]) -> set[tuple[int, int]]:
    return {
        (row.attempt_id, row.days_before)
        for row in db.session.execute(
            sa.select(WindowWarning.attempt_id, WindowWarning.days_before).where(
                WindowWarning.attempt_id.in_(attempt_ids)
            )
        )
    }


def _warn(attempt: Attempt, days: int, today: date, now: datetime) -> bool:
    try:
        db.session.add(WindowWarning(attempt_id=attempt.id, days_before=days, sent_at=now))
        db.session.flush()  # the unique row first: a second run stops here
        events.record(attempt, MicrocredentialAction.WARNED, None, now, note=f"{days} days")
        queue_email(
            attempt.user,
            "mc_window_warning",
            attempt=attempt,
            days=(attempt.window_ends_on - today).days,
            member_url=member_page_url(attempt),
        )
        commit_keeping_loaded()  # the chunk's members stay loaded, not read again
        return True
    except IntegrityError:
        # Another run wrote this warning first: it sent the e-mail, this one does not.
        db.session.rollback()
        return False


def expire_ended_windows(now: datetime | None = None) -> int:
    """Attempts whose window ended while the member was still drafting expire (closed
    now), with an audit row and an e-mail; returns how many expired.

    A SUBMITTED attempt is NOT expired: the member submitted in time, and the submission
    being pre-checked or assessed is decided on its merits whatever the date."""
    now = now or utcnow()
    today = now.date()
    expired, after = 0, 0
    while True:
        chunk = list(
            db.session.scalars(
                sa.select(Attempt)
                .where(
                    Attempt.status == AttemptStatus.DRAFTING,
                    Attempt.window_ends_on < today,
                    Attempt.id > after,
                )
                .options(*ROW_OPTIONS)
                .order_by(Attempt.id)
                .limit(CHUNK)
            ).unique()
        )
        if not chunk:
            break
        after = chunk[-1].id
        for attempt in chunk:
            if _expire(attempt, now):
                expired += 1
        if len(chunk) < CHUNK:
            break
    return expired


def _expire(attempt: Attempt, now: datetime) -> bool:
    changed = db.session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.DRAFTING)
        .values(status=AttemptStatus.EXPIRED, closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()  # submitted, withdrawn or expired by another run meanwhile
        return False
    events.record(attempt, MicrocredentialAction.EXPIRED, None, now)
    queue_email(attempt.user, "mc_expired", attempt=attempt, member_url=member_page_url(attempt))
    commit_keeping_loaded()
    return True


def keep_windows(now: datetime | None = None) -> tuple[int, int]:
    """The worker's run: warnings, then expiries."""
    now = now or utcnow()
    return send_window_warnings(now), expire_ended_windows(now)
