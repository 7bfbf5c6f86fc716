from __future__ import annotations

from decimal import Decimal

from esp_registry.certificates.rules import (
    CODE_ALPHABET,
    CODE_LENGTH,
    display_code,
    new_code,
    normalise_code,
)


def test_codes_are_random_long_and_from_the_unambiguous_alphabet():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("ILOU") & set(CODE_ALPHABET)


def test_codes_read_back_as_typed():
    code = "7KQ2M9XD0A1BC3EF"
    assert display_code(code) == "7KQ2-M9XD-0A1B-C3EF"
    assert normalise_code(" 7kq2-m9xd-oa1b-c3ef ") == code  # o read as 0
    assert normalise_code("7KQ2 M9XD 0AlB C3EF") == code  # l read as 1


def test_hours_are_shown_without_noise(app):
    from esp_registry.web import hours

    with app.test_request_context():
        assert hours(Decimal("6.00")) == "6"
        assert hours(Decimal("2.50")) == "2.5"
        assert hours(Decimal("1.25")) == "1.25"
