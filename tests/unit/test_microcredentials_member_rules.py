"""The window and coach rules the member's pages rely on (PRODUCT §14), and how typed
evidence is tidied before it is kept."""

from __future__ import annotations

from datetime import date

from esp_registry.microcredentials import rules
from esp_registry.microcredentials.earning import clean_text


def test_six_months_to_submit_and_the_days_left():
    assert rules.window_ends_on(date(2027, 1, 15)) == date(2027, 7, 15)
    assert rules.window_ends_on(date(2026, 8, 31)) == date(2027, 2, 28)
    end = date(2027, 7, 15)
    assert rules.days_left(end, date(2027, 6, 6)) == 40
    assert rules.days_left(end, end) == 1 and rules.window_open(end, end)
    assert rules.days_left(end, date(2027, 7, 16)) == 0
    assert not rules.window_open(end, date(2027, 7, 16))


def test_a_coach_after_the_third_return():
    assert [rules.coach_offered(n) for n in range(5)] == [False, False, False, True, True]


def test_typed_evidence_is_tidied():
    assert clean_text("one\r\ntwo\rthree\x00  \n") == "one\ntwo\nthree"
    assert clean_text("  indented stays") == "  indented stays"
