"""What the assessment side relies on in the pure rules (PRODUCT §14): what scores decide,
who sees whose scores, and the window's warnings; no database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from esp_registry.microcredentials import rules
from esp_registry.microcredentials.assessment import Given, visible_assessments
from esp_registry.microcredentials.models import AssessorRole
from esp_registry.microcredentials.rules import Outcome, outcome

CRITERIA = [1, 2, 3]
ALL_MET = {1: True, 2: True, 3: True}
ONE_NOT = {1: True, 2: False, 3: True}
OTHER_NOT = {1: False, 2: True, 3: True}


@pytest.mark.parametrize(
    ("first", "second", "lead", "expected"),
    [
        (None, None, None, Outcome.PENDING),
        (ALL_MET, None, None, Outcome.PENDING),
        ({1: True, 2: True}, ALL_MET, None, Outcome.PENDING),  # first incomplete
        (ALL_MET, ALL_MET, None, Outcome.MET),
        (ONE_NOT, OTHER_NOT, None, Outcome.NOT_YET),  # both not (on different criteria)
        (ALL_MET, ONE_NOT, None, Outcome.NEEDS_LEAD),
        (ONE_NOT, ALL_MET, None, Outcome.NEEDS_LEAD),
        (ALL_MET, ONE_NOT, {1: True}, Outcome.NEEDS_LEAD),  # lead incomplete
        (ALL_MET, ONE_NOT, ALL_MET, Outcome.MET),
        (ALL_MET, ONE_NOT, OTHER_NOT, Outcome.NOT_YET),
        # A lead's scores do not count when the first two agree.
        (ALL_MET, ALL_MET, ONE_NOT, Outcome.MET),
        # Scores of criteria not in the rubric (a stale form) change nothing.
        ({**ALL_MET, 99: False}, ALL_MET, None, Outcome.MET),
    ],
)
def test_outcome(first, second, lead, expected):  # type: ignore[no-untyped-def]
    assert outcome(CRITERIA, first, second, lead) == expected


def test_an_empty_rubric_is_never_met():
    assert rules.rubric_met([]) is False
    assert outcome([], {}, {}, None) == Outcome.NOT_YET


def test_blinding_rule():
    assert rules.may_see_other_scores(AssessorRole.LEAD, others_complete=False)
    assert not rules.may_see_other_scores(AssessorRole.FIRST, others_complete=False)
    assert not rules.may_see_other_scores(AssessorRole.SECOND, others_complete=False)
    assert rules.may_see_other_scores(AssessorRole.SECOND, others_complete=True)


DONE = datetime(2026, 5, 1, tzinfo=UTC)


def assessment(id_: int, role: AssessorRole, done: bool) -> SimpleNamespace:
    return SimpleNamespace(id=id_, role=role, completed_at=DONE if done else None)


def submission_of(*assessments: SimpleNamespace) -> SimpleNamespace:
    return SimpleNamespace(assessments=list(assessments))


def test_the_first_two_see_nothing_until_both_are_in():
    first = assessment(1, AssessorRole.FIRST, True)
    second = assessment(2, AssessorRole.SECOND, False)
    s = submission_of(first, second)
    assert visible_assessments(s, first) == []  # done, the other not yet
    assert visible_assessments(s, second) == []  # the other done, not yet themselves
    second.completed_at = DONE
    assert visible_assessments(s, first) == [second]
    assert visible_assessments(s, second) == [first]


def test_the_lead_sees_the_first_two_and_they_do_not_see_the_lead():
    first = assessment(1, AssessorRole.FIRST, True)
    second = assessment(2, AssessorRole.SECOND, True)
    lead = assessment(3, AssessorRole.LEAD, False)
    s = submission_of(first, second, lead)
    assert visible_assessments(s, lead) == [first, second]
    assert lead not in visible_assessments(s, first)
    lead.completed_at = DONE
    assert lead not in visible_assessments(s, second)


def test_given_keeps_the_feedback():
    assert Given(False, "More").feedback == "More" and Given(True).feedback == ""


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (date(2026, 11, 30), None),  # 31 days before
        (date(2026, 12, 1), 30),
        (date(2026, 12, 23), 30),
        (date(2026, 12, 24), 7),
        (date(2026, 12, 31), 7),  # the last day
        (date(2027, 1, 1), None),  # ended
    ],
)
def test_warning_due(today: date, due: int | None):
    assert rules.warning_due(date(2026, 12, 31), today) == due
