"""The conversion of contact hours and micro-credentials into credit units (PRODUCT §13),
as plain functions: per state, rounding, caps, no rule → no line, micro-credential pairs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from esp_registry.credit.units.conversion import (
    Conversion,
    rules_for_state,
    units_earned,
    units_from_hours,
    units_from_microcredentials,
)
from esp_registry.credit.units.models import Rounding

CEU = Conversion(unit_id=1, affiliate_id=None, hours_per_unit=Decimal(10))
MA, TX, OH = 21, 43, 35
PDP_MA = Conversion(
    unit_id=2,
    affiliate_id=MA,
    hours_per_unit=Decimal(1),
    rounding=Rounding.DOWN_WHOLE,
    microcredentials_per_block=2,
    units_per_block=Decimal(10),
)
POINTS_TX = Conversion(
    unit_id=3,
    affiliate_id=TX,
    hours_per_unit=Decimal(3),
    rounding=Rounding.DOWN_WHOLE,
    yearly_cap=Decimal(20),
)


@pytest.mark.parametrize(
    ("hours", "rounding", "expected"),
    [
        ("6", Rounding.DOWN_TENTH, "0.6"),
        ("12.5", Rounding.DOWN_TENTH, "1.2"),  # 1.25 down to 0.1
        ("12.5", Rounding.NEAREST_TENTH, "1.3"),  # half up
        ("12.4", Rounding.NEAREST_TENTH, "1.2"),
        ("19.99", Rounding.DOWN_WHOLE, "1"),
        ("15", Rounding.NEAREST_WHOLE, "2"),  # 1.5 half up
        ("14.9", Rounding.NEAREST_WHOLE, "1"),
        ("0.5", Rounding.DOWN_TENTH, "0"),
        ("0", Rounding.DOWN_TENTH, "0"),
    ],
)
def test_hours_convert_with_the_rules_rounding(hours, rounding, expected):
    rule = Conversion(unit_id=1, affiliate_id=None, hours_per_unit=Decimal(10), rounding=rounding)
    assert units_from_hours(Decimal(hours), rule) == Decimal(expected)


def test_one_unit_per_hour_rounded_down_to_whole_units():
    assert units_from_hours(Decimal("6.75"), PDP_MA) == Decimal(6)


def test_results_are_decimals_not_floats():
    assert isinstance(units_earned(Decimal("7.3"), 3, PDP_MA), Decimal)
    assert isinstance(units_earned(Decimal("7.3"), 0, CEU), Decimal)


@pytest.mark.parametrize(
    ("count", "expected"), [(0, 0), (1, 0), (2, 10), (3, 10), (4, 20), (5, 20)]
)
def test_micro_credentials_count_in_whole_pairs(count, expected):
    assert units_from_microcredentials(count, PDP_MA) == Decimal(expected)


def test_a_rule_without_a_micro_credential_conversion_gives_none_for_them():
    assert units_from_microcredentials(4, CEU) == 0
    only_badges = Conversion(
        unit_id=2, affiliate_id=MA, microcredentials_per_block=2, units_per_block=Decimal(10)
    )
    assert units_from_hours(Decimal(40), only_badges) == 0
    assert units_earned(Decimal(40), 2, only_badges) == Decimal(10)


def test_hours_and_micro_credentials_are_added():
    assert units_earned(Decimal("6.5"), 3, PDP_MA) == Decimal(16)  # 6 + 10


def test_the_yearly_cap_limits_the_year():
    assert units_earned(Decimal(30), 0, POINTS_TX) == Decimal(10)
    assert units_earned(Decimal(60), 0, POINTS_TX) == Decimal(20)
    assert units_earned(Decimal(200), 0, POINTS_TX) == Decimal(20)


def test_the_cap_applies_to_hours_and_micro_credentials_together():
    capped = Conversion(
        unit_id=2,
        affiliate_id=MA,
        hours_per_unit=Decimal(1),
        rounding=Rounding.DOWN_WHOLE,
        yearly_cap=Decimal(15),
        microcredentials_per_block=2,
        units_per_block=Decimal(10),
    )
    assert units_earned(Decimal(8), 2, capped) == Decimal(15)
    zero_cap = Conversion(
        unit_id=1, affiliate_id=None, hours_per_unit=Decimal(1), yearly_cap=Decimal(0)
    )
    assert units_earned(Decimal(8), 0, zero_cap) == 0


def test_a_states_rule_replaces_the_national_one():
    ceu_ma = Conversion(unit_id=1, affiliate_id=MA, hours_per_unit=Decimal(5))
    everything = [CEU, ceu_ma, PDP_MA, POINTS_TX]
    assert rules_for_state(everything, MA) == [ceu_ma, PDP_MA]
    assert rules_for_state(everything, TX) == [CEU, POINTS_TX]


def test_no_rule_no_line():
    assert rules_for_state([CEU, PDP_MA, POINTS_TX], OH) == [CEU]
    assert rules_for_state([PDP_MA, POINTS_TX], OH) == []
    assert rules_for_state([CEU, PDP_MA], None) == [CEU]  # no state: national rules only


def test_the_same_hours_give_each_state_its_own_units():
    hours = Decimal(14)
    ma = {
        r.unit_id: units_earned(hours, 0, r) for r in rules_for_state([CEU, PDP_MA, POINTS_TX], MA)
    }
    tx = {
        r.unit_id: units_earned(hours, 0, r) for r in rules_for_state([CEU, PDP_MA, POINTS_TX], TX)
    }
    assert ma == {1: Decimal("1.4"), 2: Decimal(14)}
    assert tx == {1: Decimal("1.4"), 3: Decimal(4)}
