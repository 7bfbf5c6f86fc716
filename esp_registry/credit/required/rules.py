"""Where a member stands on each training their job family requires (PRODUCT §13), as
plain functions of dates and hours: tests call them with a fixed `today`.

- Completion with expiry: a certificate of the program is valid for `valid_months` from
  the training's end (the last day included); then it has expired and the training is
  overdue. Due soon: at most 60 days left. Never done: due now.
- Hours per year: the program's credited hours in the calendar year, out of the target,
  due by 31 December.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

DUE_SOON_DAYS = 60
REMINDER_DAYS = (60, 14)  # e-mails this many days before a due date


class Standing(enum.StrEnum):
    MET = "met"
    DUE_SOON = "due_soon"
    IN_PROGRESS = "in_progress"  # hours-based, short, more than 60 days left
    OVERDUE = "overdue"
    NEVER_DONE = "never_done"


@dataclass(frozen=True)
class Status:
    standing: Standing
    due_on: date  # valid until / due by / expired on / today (never done)
    completed_on: date | None = None  # expiry-based: the last completed training's end
    hours: Decimal | None = None  # hours-based: credited so far this year
    target: Decimal | None = None

    @property
    def needs_action(self) -> bool:
        return self.standing is not Standing.MET


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); the month's last day when it is shorter
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(completed_on: date, months: int) -> date:
    """The last day a certificate of a training that ended on `completed_on` is valid."""
    return add_months(completed_on, months)


def earliest_valid_end(today: date, months: int) -> date:
    """The first training end date whose certificate is still valid `today`: a training
    that ended on or after it counts (the database compares with this date)."""
    day = add_months(today, -months)
    while valid_until(day - timedelta(days=1), months) >= today:
        day -= timedelta(days=1)
    while valid_until(day, months) < today:
        day += timedelta(days=1)
    return day


def expiry_status(completed_on: date | None, months: int, today: date) -> Status:
    """Met until the certificate's last valid day, due soon in its last 60 days, overdue
    from the day after; never done is due now."""
    if completed_on is None:
        return Status(Standing.NEVER_DONE, today)
    until = valid_until(completed_on, months)
    if until < today:
        return Status(Standing.OVERDUE, until, completed_on)
    if (until - today).days <= DUE_SOON_DAYS:
        return Status(Standing.DUE_SOON, until, completed_on)
    return Status(Standing.MET, until, completed_on)


def year_end(today: date) -> date:
    return date(today.year, 12, 31)


def hours_status(hours: Decimal, target: Decimal, today: date) -> Status:
    """Met once this year's credited hours reach the target (until 31 December); short,
    it is due soon in the year's last 60 days and in progress before."""
    due = year_end(today)
    if hours >= target:
        return Status(Standing.MET, due, hours=hours, target=target)
    standing = Standing.DUE_SOON if (due - today).days <= DUE_SOON_DAYS else Standing.IN_PROGRESS
    return Status(standing, due, hours=hours, target=target)


def reminder_threshold(due_on: date, today: date) -> int | None:
    """Which reminder is due today: 14 days or fewer before the due date, the 14-day one;
    15 to 60 days, the 60-day one; otherwise none (past due, or far off)."""
    days = (due_on - today).days
    if days < 0:
        return None
    for threshold in sorted(REMINDER_DAYS):
        if days <= threshold:
            return threshold
    return None
