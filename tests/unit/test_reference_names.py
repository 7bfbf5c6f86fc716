"""Names built from a job family's name: a family named for its people is not followed by
"Professionals" (issue 17: "Paraeducators Professionals")."""

from __future__ import annotations

import pytest

from esp_registry.reference_data import (
    JOB_FAMILIES,
    JOB_FAMILY_NAMES_ES,
    getting_educated_name,
    getting_educated_name_es,
    names_people,
)


@pytest.mark.parametrize(
    ("family", "program"),
    [
        ("Paraeducators", "Getting Educated: Paraeducators"),
        ("Bus Drivers", "Getting Educated: Bus Drivers"),
        ("Food Services", "Getting Educated: Food Services Professionals"),
        ("Skilled Trade and Crafts", "Getting Educated: Skilled Trade and Crafts Professionals"),
        ("Custodial and Maintenance", "Getting Educated: Custodial and Maintenance Professionals"),
    ],
)
def test_getting_educated_names(family: str, program: str) -> None:
    assert getting_educated_name(family) == program


def test_spanish_getting_educated_names_follow_the_same_rule() -> None:
    assert getting_educated_name_es("Paraeducators", "Paraeducadores") == (
        "Getting Educated: Paraeducadores"
    )
    assert getting_educated_name_es("Food Services", "Servicios de Alimentación") == (
        "Getting Educated: profesionales de Servicios de Alimentación"
    )


def test_every_seeded_family_has_a_spanish_name_and_only_paraeducators_names_people() -> None:
    assert set(JOB_FAMILY_NAMES_ES) == {slug for slug, _n, _d in JOB_FAMILIES}
    assert [name for _s, name, _d in JOB_FAMILIES if names_people(name)] == ["Paraeducators"]
    assert not names_people("")
