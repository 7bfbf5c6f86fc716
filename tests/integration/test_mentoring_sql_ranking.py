"""Suggestions ranked by the database are the suggestions matching.rank_mentors gives in
Python (same job family, then local, then affiliate, then lightest load, then name), on a
generated world of mentors of every kind: busy, full, paused, without a certificate, with
locals typed in any case and spacing, and names that tie but for case."""

from __future__ import annotations

import random

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.mentoring import queries, rules
from esp_registry.mentoring.matching import rank_mentors
from esp_registry.mentoring.models import MentoringRequest, MentorProfile
from tests import factories
from tests.integration.mentoring_world import mentee, mentor, the_admin

NAMES = ["ana", "Ana", "ana b", "Ana-B", "anab", "Bea", "bea", "Carl", "Zoe", "zoe Z"]
LOCALS = ["Local 12", "local 12", "  LOCAL   12 ", "Riverside", "riverside ", "", "Local 7"]
STATES = ["OH", "TX", "CA"]
FAMILIES = ["paraeducators", "food-services", "transportation-services"]


def generated_world(seed: int = 13) -> list[MentoringRequest]:
    draw = random.Random(seed)
    profiles = []
    for i in range(36):
        profiles.append(
            mentor(
                f"gen-mentor{i}@example.org",
                name=draw.choice(NAMES),
                state=draw.choice(STATES),
                job_family=draw.choice(FAMILIES),
                local=draw.choice(LOCALS),
                capacity=draw.randint(1, 4),
            )
        )
    # Loads: some mentors get mentees (a few up to their capacity).
    staff = the_admin()
    filler = 0
    for profile in profiles:
        for _ in range(draw.choice([0, 0, 1, 2, profile.capacity])):
            if rules.active_pairings_count(profile.id) >= profile.capacity:
                break
            request = mentee(f"gen-filler{filler}@example.org", name=f"Filler {filler}")
            filler += 1
            assert rules.confirm_match(request, profile, staff).ok
    # Paused and withdrawn mentors, and one without a valid certificate.
    assert rules.pause(profiles[0]).ok
    assert rules.withdraw_as_mentor(profiles[1]).ok
    uncertified = factories.person("gen-uncertified@example.org", name="Ana")
    db.session.add(
        MentorProfile(
            user_id=uncertified.id,
            job_family_id=factories.family("paraeducators").id,
            affiliate_id=factories.affiliate("OH").id,
            local_name="Local 12",
            capacity=3,
        )
    )
    db.session.commit()
    requests = [
        mentee(
            f"gen-mentee{i}@example.org",
            name=f"Seeker {i}",
            state=draw.choice(STATES),
            job_family=draw.choice(FAMILIES),
            local=draw.choice(LOCALS),
        )
        for i in range(8)
    ]
    # A mentor asking for a mentor of their own is never suggested to themself.
    mentor_user = db.session.get(User, profiles[5].user_id)
    requests.append(
        rules.ask_for_mentor(
            mentor_user,
            rules.RequestDetails(
                job_family_id=profiles[5].job_family_id,
                affiliate_id=profiles[5].affiliate_id,
                local_name=profiles[5].local_name,
                started_job_on=requests[0].started_job_on,
                help_with="A second view.",
            ),
        ).subject
    )
    return requests


def as_compared(suggestions) -> list[tuple[int, bool, bool, bool, int]]:  # type: ignore[no-untyped-def]
    return [
        (
            s.candidate.profile_id,
            s.same_job_family,
            s.same_local,
            s.same_affiliate,
            s.candidate.active_pairings,
        )
        for s in suggestions
    ]


def test_sql_ranking_equals_the_python_ranking(ctx):
    requests = generated_world()
    pool = queries.mentor_pool().candidates
    everyone = queries.ranked_for([r.id for r in requests], limit=1000)
    best = queries.ranked_for([r.id for r in requests], limit=queries.SUGGESTIONS_SHOWN)
    ties = 0
    for request in requests:
        in_python = rank_mentors(queries.seeker_of(request), pool)
        assert as_compared(everyone[request.id].suggestions) == as_compared(in_python), request
        assert everyone[request.id].available == len(in_python)
        assert as_compared(best[request.id].suggestions) == as_compared(
            in_python[: queries.SUGGESTIONS_SHOWN]
        )
        keys = [
            (s.same_job_family, s.same_local, s.same_affiliate, s.candidate.load) for s in in_python
        ]
        ties += len(keys) - len(set(keys))
    # The world is one where the name and id tie-breaks decide something.
    assert ties > 5
    # Same local is told apart from same affiliate, and the mentor-mentee is left out.
    assert any(s.same_local for r in everyone.values() for s in r.suggestions)
    assert any(
        s.same_affiliate and not s.same_local for r in everyone.values() for s in r.suggestions
    )
    own = everyone[requests[-1].id].suggestions
    assert requests[-1].user_id not in {s.candidate.user_id for s in own}


def test_local_key_follows_the_local_name(ctx):
    profile = mentor("key@example.org", local="  Riverside   ESP ")
    assert profile.local_key == "riverside esp"
    profile.local_name = ""
    db.session.commit()
    stored = db.session.scalar(
        sa.select(MentorProfile.local_key).where(MentorProfile.id == profile.id)
    )
    assert stored == ""
