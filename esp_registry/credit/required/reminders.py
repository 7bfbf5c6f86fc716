"""Reminders before a required training is due (PRODUCT §13): 60 and 14 days before a
certificate expires, and before 31 December for members short of an hours-based target,
e-mailed through the outbox in the member's language, pointing at the next offering.

Exactly once per member, requirement, due date and threshold: the reminder row and the
e-mail are written in one transaction, and a unique constraint refuses a second row, so a
re-run, a crash after the commit, or two workers at once send nothing twice. A renewal
gives a new due date, hence new reminders. Candidates are chosen in SQL by due-date window
and read in chunks, never every member at once."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering
from esp_registry.columns import utcnow
from esp_registry.credit.required.models import (
    RenewalKind,
    RequiredTraining,
    RequiredTrainingReminder,
    required_training_job_families,
)
from esp_registry.credit.required.queries import (
    current_requirements,
    hours_in,
    last_completions,
    midnight,
    next_offerings,
    open_offerings,
    year_window,
)
from esp_registry.credit.required.rules import (
    REMINDER_DAYS,
    earliest_valid_end,
    reminder_threshold,
    valid_until,
    year_end,
)
from esp_registry.extensions import commit_keeping_loaded, db
from esp_registry.notifications.outbox import queue_email

log = logging.getLogger(__name__)

CHUNK = 500


def _members_of(requirement: RequiredTraining) -> sa.Select[tuple[int]]:
    j = required_training_job_families
    return (
        sa.select(User.id)
        .join(j, j.c.job_family_id == User.job_family_id)
        .where(
            j.c.required_training_id == requirement.id,
            User.deactivated_at.is_(None),
            User.closed_at.is_(None),
            User.email_confirmed_at.is_not(None),
        )
    )


def _expiring(requirement: RequiredTraining, today: date, now: datetime, after: int) -> list:
    """Members whose certificate expires within the next 60 days: (user id, last end)."""
    months = requirement.valid_months
    assert months is not None
    completions = last_completions(now, program_ids=[requirement.program_id])
    window_end = today + timedelta(days=max(REMINDER_DAYS) + 1)
    return list(
        db.session.execute(
            sa.select(completions.c.user_id, completions.c.last_end)
            .where(
                completions.c.program_id == requirement.program_id,
                completions.c.last_end >= midnight(earliest_valid_end(today, months)),
                completions.c.last_end < midnight(earliest_valid_end(window_end, months)),
                completions.c.user_id.in_(_members_of(requirement)),
                completions.c.user_id > after,
            )
            .order_by(completions.c.user_id)
            .limit(CHUNK)
        )
    )


def _short(requirement: RequiredTraining, today: date, now: datetime, after: int) -> list:
    """Members short of the year's hours: (user id, hours so far)."""
    start, end = year_window(today, now)
    year = hours_in(start, end, program_ids=[requirement.program_id])
    hours = sa.func.coalesce(year.c.hours, 0)
    # Everyone shares the due date: who already had today's reminder is left out in SQL,
    # so the hourly runs of December do not re-read thousands of members.
    due = year_end(today)
    reminded = sa.exists().where(
        RequiredTrainingReminder.user_id == User.id,
        RequiredTrainingReminder.required_training_id == requirement.id,
        RequiredTrainingReminder.due_on == due,
        RequiredTrainingReminder.days_before == reminder_threshold(due, today),
    )
    return list(
        db.session.execute(
            sa.select(User.id, hours)
            .outerjoin(year, year.c.user_id == User.id)
            .where(
                User.id.in_(_members_of(requirement)),
                hours < requirement.hours_per_year,
                ~reminded,
                User.id > after,
            )
            .order_by(User.id)
            .limit(CHUNK)
        )
    )


def send_due_reminders(now: datetime | None = None) -> int:
    """Write the reminders due today to the outbox; returns how many were written."""
    now = now or utcnow()
    today = now.date()
    sent = 0
    requirements = list(db.session.scalars(current_requirements().order_by(RequiredTraining.id)))
    for requirement in requirements:
        if requirement.kind == RenewalKind.HOURS:
            due = year_end(today)
            if reminder_threshold(due, today) is None:
                continue
        after = 0
        while True:
            if requirement.kind == RenewalKind.EXPIRY:
                chunk = _expiring(requirement, today, now, after)
            else:
                chunk = _short(requirement, today, now, after)
            if not chunk:
                break
            after = chunk[-1][0]
            sent += _remind_chunk(requirement, chunk, today, now)
            if len(chunk) < CHUNK:
                break
    return sent


def _remind_chunk(requirement: RequiredTraining, chunk: list, today: date, now: datetime) -> int:
    users = {
        u.id: u
        for u in db.session.scalars(sa.select(User).where(User.id.in_([row[0] for row in chunk])))
    }
    program_id, requirement_id = requirement.program_id, requirement.id
    offerings: dict[tuple[int, int], list[Offering]] = {}  # per affiliate and job family
    sent = 0
    for user_id, value in chunk:
        if requirement.kind == RenewalKind.EXPIRY:
            last_end = value if value.tzinfo else value.replace(tzinfo=now.tzinfo)
            assert requirement.valid_months is not None
            due = valid_until(last_end.date(), requirement.valid_months)
            hours = None
        else:
            due, hours = year_end(today), Decimal(value or 0)
        threshold = reminder_threshold(due, today)
        user = users.get(user_id)
        if threshold is None or user is None:
            continue
        if _already_sent(user_id, requirement_id, due, threshold):
            continue
        where = (user.affiliate_id, user.job_family_id)
        if where not in offerings:
            offerings[where] = open_offerings(*where, [program_id], now)
        offering = next_offerings(user, [program_id], now, offerings[where]).get(program_id)
        try:
            db.session.add(
                RequiredTrainingReminder(
                    user_id=user_id,
                    required_training_id=requirement_id,
                    due_on=due,
                    days_before=threshold,
                    sent_at=now,
                )
            )
            db.session.flush()  # the unique row first: a second run stops here
            queue_email(
                user,
                "required_training_reminder",
                requirement=requirement,
                due_on=due,
                days=(due - today).days,
                hours=hours,
                offering=offering,
            )
            commit_keeping_loaded()  # the users and offerings read stay usable, unread again
            sent += 1
        except IntegrityError:
            # Another run wrote this reminder first: it sent the e-mail, this one does not.
            db.session.rollback()
    return sent


def _already_sent(user_id: int, requirement_id: int, due: date, threshold: int) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count()).where(
                RequiredTrainingReminder.user_id == user_id,
                RequiredTrainingReminder.required_training_id == requirement_id,
                RequiredTrainingReminder.due_on == due,
                RequiredTrainingReminder.days_before == threshold,
            )
        )
    )
