"""The ranking of mentors for a request (PRODUCT §8) on a fixed data set: plain data, no
database."""

from __future__ import annotations

from esp_registry.mentoring.matching import (
    Candidate,
    Seeker,
    may_be_suggested,
    rank_mentors,
    same_local,
)

PARA, FOOD = 1, 2
OH, TX = 10, 20

SEEKER = Seeker(user_id=100, job_family_id=PARA, affiliate_id=OH, local_name="Columbus EA")


def candidate(profile_id: int, name: str, **changes: object) -> Candidate:
    values: dict[str, object] = {
        "profile_id": profile_id,
        "user_id": profile_id + 1000,
        "name": name,
        "job_family_id": PARA,
        "affiliate_id": OH,
        "local_name": "Columbus EA",
        "capacity": 3,
        "active_pairings": 0,
    }
    values.update(changes)
    return Candidate(**values)  # type: ignore[arg-type]


FIXED = [
    candidate(1, "Ana Other-family Same-local", job_family_id=FOOD),
    candidate(2, "Ben Same-family Other-state", affiliate_id=TX, local_name="Columbus EA"),
    candidate(3, "Cy Same-family Same-state Other-local", local_name="Dayton EA"),
    candidate(4, "Di Same-family Same-local Busy", active_pairings=2),  # load 2/3
    candidate(5, "Ed Same-family Same-local Free", active_pairings=1, capacity=5),  # load 1/5
    candidate(6, "Flo Same-family Same-local Free"),  # load 0
    candidate(7, "Gus Same-family Same-local Full", active_pairings=3),  # at capacity
    candidate(8, "Hal Paused", available=False),
    candidate(9, "Ivy Suspended", eligible=False),
    candidate(10, "The Mentee Themself", user_id=SEEKER.user_id),
    candidate(11, "Jo Other-family Other-state", job_family_id=FOOD, affiliate_id=TX),
    candidate(12, "Ali Same-family Same-local Free"),  # load 0, name before Flo
    candidate(13, "Kim Other-family Same-state Other-local", job_family_id=FOOD, local_name=""),
]


def names(suggestions) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.candidate.name for s in suggestions]


def test_ranking_on_a_fixed_data_set():
    assert names(rank_mentors(SEEKER, FIXED)) == [
        # Same job family and same local, lightest load first, then by name.
        "Ali Same-family Same-local Free",
        "Flo Same-family Same-local Free",
        "Ed Same-family Same-local Free",
        "Di Same-family Same-local Busy",
        # Same job family, same affiliate, another local.
        "Cy Same-family Same-state Other-local",
        # Same job family, another affiliate (a local of the same name elsewhere is not ours).
        "Ben Same-family Other-state",
        # Another job family: same local, then same affiliate, then elsewhere.
        "Ana Other-family Same-local",
        "Kim Other-family Same-state Other-local",
        "Jo Other-family Other-state",
    ]


def test_never_at_capacity_paused_suspended_or_the_mentee_themself():
    suggested = {s.candidate.profile_id for s in rank_mentors(SEEKER, FIXED)}
    assert suggested.isdisjoint({7, 8, 9, 10})
    assert not may_be_suggested(SEEKER, candidate(20, "Over", capacity=2, active_pairings=5))


def test_reasons_are_given_for_each_suggestion():
    first, *_rest = rank_mentors(SEEKER, FIXED)
    assert (first.same_job_family, first.same_local, first.same_affiliate) == (True, True, True)
    ben = next(s for s in rank_mentors(SEEKER, FIXED) if s.candidate.profile_id == 2)
    assert (ben.same_job_family, ben.same_local, ben.same_affiliate) == (True, False, False)


def test_limit_and_empty_input():
    assert len(rank_mentors(SEEKER, FIXED, limit=3)) == 3
    assert rank_mentors(SEEKER, []) == []


def test_job_family_outranks_local_and_local_outranks_affiliate_and_load():
    busy_same_family = candidate(1, "Zed", active_pairings=2, local_name="", affiliate_id=TX)
    free_other_family = candidate(2, "Amy", job_family_id=FOOD)
    assert names(rank_mentors(SEEKER, [free_other_family, busy_same_family])) == ["Zed", "Amy"]
    busy_same_local = candidate(3, "Yan", active_pairings=2)
    free_same_state = candidate(4, "Bea", local_name="Elsewhere")
    assert names(rank_mentors(SEEKER, [free_same_state, busy_same_local])) == ["Yan", "Bea"]


def test_same_local_ignores_case_and_spacing_but_needs_a_name_and_the_same_affiliate():
    assert same_local(OH, "Columbus  EA", OH, "columbus ea")
    assert not same_local(OH, "", OH, "")
    assert not same_local(OH, "Columbus EA", TX, "Columbus EA")
