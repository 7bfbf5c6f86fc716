"""The demo world's mentoring: eligible and ineligible mentors, open requests in Ohio and
Texas, an active pairing both sides log; a second seeding adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.mentoring import rules
from esp_registry.mentoring.models import (
    MentoringLog,
    MentoringPairing,
    MentoringRequest,
    MentorProfile,
)
from esp_registry.seeding import DEMO_PASSWORD, seed_demo

MENTORING_TABLES = (MentorProfile, MentoringRequest, MentoringPairing, MentoringLog)


def person(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in MENTORING_TABLES
    )


def test_demo_has_every_kind_of_mentor_and_is_idempotent(ctx):
    seed_demo()
    shown = {}
    for email in (
        "mentor@example.org",
        "cafeteria.mentor@example.org",
        "suspended.mentor@example.org",
    ):
        user = person(email)
        profile = rules.profile_of(user)
        shown[email] = rules.shown_mentor_status(profile, rules.is_eligible_mentor(user.id))
    assert shown == {
        "mentor@example.org": "active",
        "cafeteria.mentor@example.org": "active",
        "suspended.mentor@example.org": "suspended",
    }
    assert rules.revoked_soo_certificate(person("suspended.mentor@example.org").id) is not None
    # member@ may volunteer (fall training); custodian@ registered for it but did not attend.
    assert rules.is_eligible_mentor(person("member@example.org").id)
    assert rules.profile_of(person("member@example.org")) is None
    custodian = rules.mentor_eligibility(person("custodian@example.org"))
    assert not custodian.eligible and custodian.next_offering is not None

    linda = rules.profile_of(person("mentor@example.org"))
    assert (rules.active_pairings_count(linda.id), linda.capacity) == (1, 2)
    pairing = db.session.scalar(sa.select(MentoringPairing))
    assert pairing.mentee.email == "newhire@example.org" and pairing.is_active
    by_role = rules.totals(pairing).by_role
    assert all(hours > 0 for hours in by_role.values()), by_role

    open_requests = db.session.execute(
        sa.select(MentoringRequest).where(MentoringRequest.status == "open")
    ).scalars()
    assert sorted(r.affiliate.code for r in open_requests) == ["OH", "OH", "OH", "TX"]

    before = counts()
    seed_demo()
    db.session.expire_all()
    assert counts() == before


def test_demo_queues_and_the_ineligible_member(ctx, client, actions):
    seed_demo()
    actions.sign_in("approver.oh@example.org", DEMO_PASSWORD)
    queue = client.get("/mentoring/requests").get_data(as_text=True)
    assert "Aisha Coleman" in queue and "Tyler Reed" in queue and "Megan Walsh" in queue
    assert "Daniel Kim" not in queue and "Gary Fleming" not in queue
    assert "Linda Harper mentoring Kevin Brooks" in queue
    actions.sign_out()

    actions.sign_in("admin@example.org", DEMO_PASSWORD)
    assert "Daniel Kim" in client.get("/mentoring/requests").get_data(as_text=True)
    actions.sign_out()

    actions.sign_in("custodian@example.org", DEMO_PASSWORD)
    page = client.get("/mentoring/mentor").get_data(as_text=True)
    assert "Why you cannot volunteer yet" in page
    assert "Supporting Our Own: ESP Mentoring (next cohort, online)" in page
