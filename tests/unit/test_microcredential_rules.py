"""The pure rules of earning a micro-credential (PRODUCT §14)."""

from __future__ import annotations

from datetime import date

import pytest

from esp_registry.microcredentials.models import AssessorRole
from esp_registry.microcredentials.rules import (
    Outcome,
    coach_offered,
    days_left,
    may_see_other_scores,
    outcome,
    rubric_met,
    warning_due,
    window_ends_on,
    window_open,
)

CRITERIA = [1, 2, 3]
ALL_MET = {1: True, 2: True, 3: True}
ONE_NOT_YET = {1: True, 2: False, 3: True}


@pytest.mark.parametrize(
    ("started", "ends"),
    [
        (date(2026, 1, 15), date(2026, 7, 15)),
        (date(2026, 8, 31), date(2027, 2, 28)),  # February is shorter
        (date(2027, 8, 31), date(2028, 2, 29)),  # a leap year's February
        (date(2026, 12, 7), date(2027, 6, 7)),  # across the year's end
    ],
)
def test_the_window_is_six_months(started: date, ends: date) -> None:
    assert window_ends_on(started) == ends


def test_the_last_day_of_the_window_still_counts() -> None:
    ends = date(2027, 6, 7)
    assert window_open(ends, ends)
    assert not window_open(ends, date(2027, 6, 8))
    assert days_left(ends, ends) == 1
    assert days_left(ends, date(2027, 6, 8)) == 0
    assert days_left(ends, date(2027, 5, 8)) == 31


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (date(2027, 5, 7), None),  # 31 days before: nothing yet
        (date(2027, 5, 8), 30),
        (date(2027, 5, 20), 30),  # a missed run still sends the 30-day warning
        (date(2027, 5, 31), 7),
        (date(2027, 6, 7), 7),  # the last day
        (date(2027, 6, 8), None),  # ended: the expiry, not a warning
    ],
)
def test_warnings_fall_due_30_and_7_days_before(today: date, due: int | None) -> None:
    assert warning_due(date(2027, 6, 7), today) == due


def test_a_rubric_is_met_only_when_every_criterion_is() -> None:
    assert rubric_met([True, True])
    assert not rubric_met([True, False])
    assert not rubric_met([])


def test_nothing_is_decided_until_both_assessors_scored_every_criterion() -> None:
    assert outcome(CRITERIA, None, None, None) is Outcome.PENDING
    assert outcome(CRITERIA, ALL_MET, None, None) is Outcome.PENDING
    assert outcome(CRITERIA, ALL_MET, {1: True, 2: True}, None) is Outcome.PENDING


def test_agreeing_assessors_decide() -> None:
    assert outcome(CRITERIA, ALL_MET, ALL_MET, None) is Outcome.MET
    assert outcome(CRITERIA, ONE_NOT_YET, {1: False, 2: True, 3: True}, None) is Outcome.NOT_YET


def test_disagreement_goes_to_the_lead_who_settles_it() -> None:
    assert outcome(CRITERIA, ALL_MET, ONE_NOT_YET, None) is Outcome.NEEDS_LEAD
    assert outcome(CRITERIA, ALL_MET, ONE_NOT_YET, {1: True}) is Outcome.NEEDS_LEAD
    assert outcome(CRITERIA, ALL_MET, ONE_NOT_YET, ALL_MET) is Outcome.MET
    assert outcome(CRITERIA, ONE_NOT_YET, ALL_MET, ONE_NOT_YET) is Outcome.NOT_YET


def test_blind_until_both_are_in_but_the_lead_sees_both() -> None:
    assert not may_see_other_scores(AssessorRole.FIRST, others_complete=False)
    assert not may_see_other_scores(AssessorRole.SECOND, others_complete=False)
    assert may_see_other_scores(AssessorRole.FIRST, others_complete=True)
    assert may_see_other_scores(AssessorRole.LEAD, others_complete=False)


def test_a_coach_is_offered_after_the_third_return() -> None:
    assert not coach_offered(2)
    assert coach_offered(3)


def test_a_return_leaves_at_least_the_grace_period_to_resubmit() -> None:
    from esp_registry.microcredentials.rules import RESUBMIT_GRACE_DAYS, window_after_return

    assert RESUBMIT_GRACE_DAYS == 30
    far = date(2027, 6, 7)
    assert window_after_return(far, date(2027, 1, 10)) == far  # plenty left: unchanged
    assert window_after_return(far, date(2027, 6, 1)) == date(2027, 7, 1)
    assert window_after_return(far, date(2027, 6, 20)) == date(2027, 7, 20)  # after the end
