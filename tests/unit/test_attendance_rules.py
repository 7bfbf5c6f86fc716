"""Attendance rules that need no database: hours input, check-in tokens and window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from esp_registry.attendance import rules
from esp_registry.catalog.models import Session

START = datetime(2027, 3, 9, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", "0.00"), ("2.5", "2.50"), ("2,25", "2.25"), (" 6 ", "6.00"), ("0.75", "0.75")],
)
def test_hours_in_quarter_steps_up_to_contact_hours(raw: str, expected: str) -> None:
    assert rules.parse_hours(raw, Decimal("6.00")) == Decimal(expected)


@pytest.mark.parametrize(
    "raw", ["", " ", "abc", "-0.25", "6.25", "1.1", "NaN", "inf", "1e0", "9" * 9, "½"]
)
def test_bad_hours_are_explained(raw: str) -> None:
    message = rules.parse_hours(raw, Decimal("6.00"))
    assert isinstance(message, str) and "from 0 to 6 in steps of 0.25" in message


def a_session(session_id: int, start: datetime = START) -> Session:
    return Session(id=session_id, starts_at=start, ends_at=start + timedelta(hours=6))


def test_token_names_its_session_and_window_and_cannot_be_forged() -> None:
    token = rules.check_in_token(a_session(7), "secret")
    code = rules.read_check_in_token(token, "secret")
    assert code is not None and code.session_id == 7
    opens, closes = rules.check_in_window(a_session(7))
    assert (code.opens, code.closes) == (int(opens.timestamp()), int(closes.timestamp()))
    assert rules.read_check_in_token(token, "other secret") is None
    assert rules.read_check_in_token(token[:-1], "secret") is None
    assert rules.read_check_in_token("", "secret") is None
    assert rules.read_check_in_token("a" * 1000, "secret") is None
    assert rules.check_in_token(a_session(8), "secret") != token
    # Another run (another day) of the same session gets another code.
    tomorrow = a_session(7, START + timedelta(days=1))
    assert rules.check_in_token(tomorrow, "secret") != token


def test_other_signed_payloads_are_not_check_in_tokens() -> None:
    from itsdangerous import URLSafeSerializer

    window = {"opens": 1, "closes": 2}
    other_salt = URLSafeSerializer("secret", salt="something-else").dumps({"session": 7, **window})
    assert rules.read_check_in_token(other_salt, "secret") is None
    signed = URLSafeSerializer("secret", salt=rules.CHECK_IN_SALT)
    assert rules.read_check_in_token(signed.dumps({"session": "7", **window}), "secret") is None
    assert rules.read_check_in_token(signed.dumps({"session": 7}), "secret") is None
    assert rules.read_check_in_token(signed.dumps([7, 1, 2]), "secret") is None


@pytest.mark.parametrize(
    ("offset", "open_"),
    [
        (timedelta(minutes=-31), False),
        (timedelta(minutes=-30), True),
        (timedelta(hours=3), True),
        (timedelta(hours=6, minutes=30), True),
        (timedelta(hours=6, minutes=31), False),
    ],
)
def test_check_in_window_is_session_plus_half_hour_each_side(
    offset: timedelta, open_: bool
) -> None:
    session = Session(starts_at=START, ends_at=START + timedelta(hours=6))
    assert rules.check_in_open(session, START + offset) is open_
