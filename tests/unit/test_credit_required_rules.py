"""Where a member stands on a required training, as plain functions of fixed dates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from esp_registry.credit.required.rules import (
    Standing,
    add_months,
    earliest_valid_end,
    expiry_status,
    hours_status,
    reminder_threshold,
    valid_until,
)


def test_months_are_added_calendar_wise_clamped_to_month_ends():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)  # leap year
    assert add_months(date(2024, 2, 29), 36) == date(2027, 2, 28)
    assert add_months(date(2024, 2, 29), 48) == date(2028, 2, 29)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2027, 1, 15), -1) == date(2026, 12, 15)


def test_a_certificate_is_valid_through_its_last_day_then_overdue():
    done = date(2024, 2, 29)
    last = valid_until(done, 36)
    assert last == date(2027, 2, 28)
    assert expiry_status(done, 36, last).standing is Standing.DUE_SOON
    overdue = expiry_status(done, 36, last + timedelta(days=1))
    assert overdue.standing is Standing.OVERDUE and overdue.due_on == last
    assert expiry_status(done, 36, date(2026, 1, 1)).standing is Standing.MET


def test_due_soon_is_the_last_sixty_days():
    done = date(2025, 6, 30)  # valid until 2026-06-30
    assert expiry_status(done, 12, date(2026, 5, 1)).standing is Standing.DUE_SOON  # 60 days
    assert expiry_status(done, 12, date(2026, 4, 30)).standing is Standing.MET  # 61 days


def test_never_done_is_due_now():
    status = expiry_status(None, 36, date(2026, 12, 7))
    assert status.standing is Standing.NEVER_DONE and status.due_on == date(2026, 12, 7)


def test_hours_per_year_count_towards_31_december():
    target = Decimal(10)
    assert hours_status(Decimal(4), target, date(2026, 3, 1)).standing is Standing.IN_PROGRESS
    soon = hours_status(Decimal(4), target, date(2026, 11, 1))  # 60 days left
    assert soon.standing is Standing.DUE_SOON and soon.due_on == date(2026, 12, 31)
    assert hours_status(Decimal(4), target, date(2026, 10, 31)).standing is Standing.IN_PROGRESS
    met = hours_status(Decimal("10.00"), target, date(2026, 12, 31))
    assert met.standing is Standing.MET and not met.needs_action
    assert hours_status(Decimal(0), target, date(2028, 12, 31)).hours == 0


def test_reminder_thresholds():
    due = date(2027, 1, 16)
    assert reminder_threshold(due, due - timedelta(days=61)) is None
    assert reminder_threshold(due, due - timedelta(days=60)) == 60
    assert reminder_threshold(due, due - timedelta(days=15)) == 60
    assert reminder_threshold(due, due - timedelta(days=14)) == 14
    assert reminder_threshold(due, due) == 14
    assert reminder_threshold(due, due + timedelta(days=1)) is None


@given(
    today=st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 1, 1)),
    months=st.integers(min_value=1, max_value=120),
    back=st.integers(min_value=0, max_value=4000),
)
def test_the_cutoff_the_database_uses_agrees_with_the_rule(today, months, back):
    """A training that ended on or after earliest_valid_end is exactly one still valid."""
    ended = today - timedelta(days=back)
    still_valid = valid_until(ended, months) >= today
    assert still_valid == (ended >= earliest_valid_end(today, months))
