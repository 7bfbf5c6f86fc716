"""Demo credit units: national CEUs, Massachusetts PDPs (hours and micro-credentials) and
Texas training points with a yearly cap — added once, through the same rules (so the
unit pages show who set them up). cook@ (Massachusetts) completed the 6-hour mentor
training of the demo and was awarded two 15-hour micro-credentials this year
(microcredentials/demo.py), so her transcript shows 36 hours, 3.6 CEU and 46 PDPs (36 from
the hours, 10 from the two micro-credentials)."""

from __future__ import annotations

from decimal import Decimal

from esp_registry.accounts.models import User
from esp_registry.credit.units import rules
from esp_registry.credit.units.models import CreditUnit, Rounding
from esp_registry.demo_builders import expect_ok, find_by
from esp_registry.reference.models import Affiliate


def _rule(
    hours: str | None,
    rounding: Rounding,
    cap: str | None = None,
    microcredentials: int | None = None,
    units: str | None = None,
) -> dict[str, object]:
    return {
        "hours_per_unit": Decimal(hours) if hours else None,
        "rounding": rounding,
        "yearly_cap": Decimal(cap) if cap else None,
        "microcredentials_per_block": microcredentials,
        "units_per_block": Decimal(units) if units else None,
    }


def _unit(admin: User | None, code: str, name: str, name_es: str, description: str) -> CreditUnit:
    result = rules.add_unit(admin, code=code, name=name, name_es=name_es, description=description)
    expect_ok(result)
    return result.subject


def seed_units_demo() -> None:
    """The three units of the demo and their rules (once: a second run adds nothing)."""
    if find_by(CreditUnit, code="CEU") is not None:
        return
    admin = find_by(User, email="admin@example.org")
    ceu = _unit(
        admin,
        "CEU",
        "Continuing Education Units",
        "Unidades de Educación Continua",
        "The national standard: 10 contact hours of organised training earn 1 CEU.",
    )
    expect_ok(rules.add_rule(admin, ceu, None, _rule("10", Rounding.DOWN_TENTH)))
    pdp = _unit(
        admin,
        "PDP",
        "Professional Development Points",
        "Puntos de Desarrollo Profesional",
        "Massachusetts license renewal: 1 PDP per contact hour; "
        "2 related micro-credentials earn 10 PDPs.",
    )
    massachusetts = find_by(Affiliate, code="MA")
    expect_ok(
        rules.add_rule(
            admin,
            pdp,
            massachusetts,
            _rule("1", Rounding.DOWN_WHOLE, microcredentials=2, units="10"),
        )
    )
    points = _unit(
        admin,
        "TP",
        "Training points",
        "Puntos de capacitación",
        "The Texas contract's training points: 1 point per 3 contact hours, at most 20 a year.",
    )
    texas = find_by(Affiliate, code="TX")
    expect_ok(rules.add_rule(admin, points, texas, _rule("3", Rounding.DOWN_WHOLE, cap="20")))
