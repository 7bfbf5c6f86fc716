"""The conversion itself, as plain functions of Decimals (no database, no floats): how many
units a year's contact hours and micro-credentials earn under one rule (PRODUCT §13).

- From hours: hours ÷ hours-per-unit, then rounded as the rule says (e.g. 10 contact hours
  = 1 CEU, rounded down to 0.1).
- From micro-credentials: whole blocks only (Massachusetts: 2 related micro-credentials =
  10 PDPs, so 3 give 10).
- The two are added, then the rule's yearly cap, if any, applies to the sum.
- A member's state's rule replaces the national one; a unit with no rule for them earns
  nothing and shows no line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from esp_registry.credit.units.models import Rounding

ZERO = Decimal(0)
# (step, rounding mode) of each rounding a rule may use.
STEPS = {
    Rounding.DOWN_TENTH: (Decimal("0.1"), ROUND_DOWN),
    Rounding.NEAREST_TENTH: (Decimal("0.1"), ROUND_HALF_UP),
    Rounding.DOWN_WHOLE: (Decimal(1), ROUND_DOWN),
    Rounding.NEAREST_WHOLE: (Decimal(1), ROUND_HALF_UP),
}


@dataclass(frozen=True)
class Conversion:
    """One rule, as plain values: what `units_earned` needs and the transcript says."""

    unit_id: int
    affiliate_id: int | None  # None: the national rule
    hours_per_unit: Decimal | None = None
    rounding: Rounding = Rounding.DOWN_TENTH
    yearly_cap: Decimal | None = None
    microcredentials_per_block: int | None = None
    units_per_block: Decimal | None = None


def rounded(value: Decimal, rounding: Rounding) -> Decimal:
    step, mode = STEPS[rounding]
    return value.quantize(step, rounding=mode)


def units_from_hours(hours: Decimal, rule: Conversion) -> Decimal:
    """Contact hours ÷ hours per unit, rounded as the rule says; 0 if it converts no hours."""
    if not rule.hours_per_unit or hours <= 0:
        return ZERO
    return rounded(hours / rule.hours_per_unit, rule.rounding)


def units_from_microcredentials(count: int, rule: Conversion) -> Decimal:
    """Whole blocks of micro-credentials only: with "2 = 10", 3 give 10 and 4 give 20."""
    per_block, units = rule.microcredentials_per_block, rule.units_per_block
    if not per_block or units is None or count <= 0:
        return ZERO
    return (count // per_block) * units


def units_earned(hours: Decimal, microcredentials: int, rule: Conversion) -> Decimal:
    """A year's units under one rule: from hours plus from micro-credentials, at most the
    yearly cap."""
    total = units_from_hours(hours, rule) + units_from_microcredentials(microcredentials, rule)
    if rule.yearly_cap is not None:
        total = min(total, rule.yearly_cap)
    return total


def rules_for_state(rules: Iterable[Conversion], affiliate_id: int | None) -> list[Conversion]:
    """The rule of each unit that applies in this state: the state's own, else the national
    one; a unit with neither is left out (no rule, no line). In the order given."""
    national: dict[int, Conversion] = {}
    own: dict[int, Conversion] = {}
    order: list[int] = []
    for rule in rules:
        if rule.unit_id not in order:
            order.append(rule.unit_id)
        if rule.affiliate_id is None:
            national[rule.unit_id] = rule
        elif affiliate_id is not None and rule.affiliate_id == affiliate_id:
            own[rule.unit_id] = rule
    chosen = (own.get(unit) or national.get(unit) for unit in order)
    return [rule for rule in chosen if rule is not None]
