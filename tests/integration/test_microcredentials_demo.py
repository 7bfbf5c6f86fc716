"""The micro-credentials demo (issue 16, point 5) and the starter catalog: member@ midway
with a returned submission, assessor@ with two to score, cook@ awarded two this year (her
Massachusetts PDPs count them); seeding twice adds nothing."""

from __future__ import annotations

import sqlalchemy as sa

from esp_registry.accounts.models import Role, User
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.transcript import transcript_for
from esp_registry.credit.units import rules as unit_rules
from esp_registry.extensions import db
from esp_registry.microcredentials import rules
from esp_registry.microcredentials.catalog_seed import seed_microcredential_catalog
from esp_registry.microcredentials.models import (
    Assessment,
    AssessorRole,
    Attempt,
    AttemptStatus,
    Component,
    Criterion,
    Evidence,
    Microcredential,
    MicrocredentialEvent,
    Stack,
    Submission,
    SubmissionStatus,
)
from esp_registry.seeding import seed_demo, seed_reference
from tests.conftest import Actions


def count(model: type) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_the_starter_catalog_is_seeded_once_with_the_reference_data(ctx):
    seed_reference()
    catalog = {m.slug: m for m in db.session.scalars(sa.select(Microcredential))}
    assert 8 <= len(catalog) <= 10
    families = {m.job_family.slug if m.job_family else None for m in catalog.values()}
    assert {"paraeducators", "food-services", "transportation-services", "clerical-services"} <= (
        families
    )
    for m in catalog.values():
        assert m.name_es and m.competency_es and m.key_method and m.key_method_es
        assert m.estimated_hours == 15 and m.credit_hours > 0
        assert [c.title for c in m.components] == ["Overview questions", "Artifact", "Reflection"]
        assert [c.accepts_file for c in m.components] == [False, True, False]
        assert all(2 <= len(c.criteria) <= 3 for c in m.components)
        assert all(c.text.startswith("Met:") for comp in m.components for c in comp.criteria)
    stacks = {s.slug: s for s in db.session.scalars(sa.select(Stack))}
    continuum = stacks["esp-professional-growth-continuum"]
    assert continuum.in_order and continuum.name_es
    assert [m.stack_position for m in continuum.microcredentials] == [1, 2, 3, 4]
    assert not stacks["esp-job-family-practice"].in_order
    before = {model: count(model) for model in (Stack, Microcredential, Component, Criterion)}

    # An admin's changes are kept; nothing is added twice.
    catalog["pgc-ethics"].name = "Ethics, as our state names it"
    db.session.commit()
    assert seed_microcredential_catalog() == 0
    seed_reference()
    assert {model: count(model) for model in before} == before
    db.session.expire_all()
    assert db.session.get(Microcredential, catalog["pgc-ethics"].id).name.startswith("Ethics, as")


def test_the_demo_seeds_twice_and_has_what_the_walkthrough_needs(ctx, client):
    accounts = seed_demo()
    rows = {model: count(model) for model in (Attempt, Submission, Assessment, Certificate)}
    again = seed_demo()
    assert {model: count(model) for model in rows} == rows  # idempotent
    assert [a.email for a in accounts] == [a.email for a in again]
    assert "assessor@example.org" in [a.email for a in accounts]
    assessor = user("assessor@example.org")
    assert assessor.has_role(Role.ASSESSOR)

    # member@: her first submission came back Not yet; both assessors agreed on one
    # criterion, with feedback; she is revising (her drafts are still there).
    member = user("member@example.org")
    [attempt] = db.session.scalars(sa.select(Attempt).where(Attempt.user_id == member.id))
    assert attempt.status == AttemptStatus.DRAFTING and attempt.submissions_count == 1
    [submission] = attempt.submissions
    assert submission.status == SubmissionStatus.NOT_YET
    first, second = sorted(submission.assessments, key=lambda a: a.role != AssessorRole.FIRST)
    assert first.completed_at and second.completed_at and first.assessor_id != second.assessor_id
    criteria = [c.id for comp in attempt.microcredential.components for c in comp.criteria]
    scores = [{s.criterion_id: s.met for s in a.scores} for a in (first, second)]
    assert rules.outcome(criteria, scores[0], scores[1], None) == rules.Outcome.NOT_YET
    not_yet = [s for a in (first, second) for s in a.scores if not s.met]
    assert len({s.criterion_id for s in not_yet}) == 1 and all(s.feedback for s in not_yet)
    assert count(Evidence) >= 3
    actions = {
        e.action.value
        for e in db.session.scalars(
            sa.select(MicrocredentialEvent).where(MicrocredentialEvent.attempt_id == attempt.id)
        )
    }
    assert {"started", "submitted", "sent_to_assessors", "scored", "returned"} <= actions

    # assessor@: two submissions to score, assigned to them, from other members.
    waiting = db.session.scalars(
        sa.select(Assessment)
        .join(Assessment.submission)
        .where(
            Assessment.assessor_id == assessor.id,
            Assessment.completed_at.is_(None),
            Submission.status == SubmissionStatus.ASSESSING,
        )
    ).all()
    assert len(waiting) == 2
    assert all(a.submission.attempt.user_id != assessor.id for a in waiting)

    # cook@ (Massachusetts): two awards this year, on her transcript, with their PDPs.
    cook = user("cook@example.org")
    transcript = transcript_for(cook)
    awarded = [e for y in transcript.years for e in y.entries if e.microcredential]
    assert len(awarded) == 2 and len({e.year for e in awarded}) == 1
    year = awarded[0].year
    assert unit_rules.microcredentials_earned(cook, year) == 2

    session = Actions(client)
    assert session.sign_in("cook@example.org", "esp-demo-2026").status_code == 302
    page = client.get("/transcript").get_data(as_text=True)
    assert "Micro-credential: Food Allergy Awareness and Safe Meal Service" in page
    attempt_id = awarded[0].microcredential.microcredential_attempt_id
    response = client.get(f"/microcredentials/attempts/{attempt_id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"

    # The demo walkthrough's pages: member@ reads the feedback on her attempt; assessor@
    # finds the two submissions on My assessments.
    session.sign_out()
    assert session.sign_in("member@example.org", "esp-demo-2026").status_code == 302
    page = client.get(f"/microcredentials/attempts/{attempt.id}").get_data(as_text=True)
    assert "came back: not yet" in page
    assert all(s.feedback in page for s in not_yet)
    session.sign_out()
    assert session.sign_in("assessor@example.org", "esp-demo-2026").status_code == 302
    page = client.get("/microcredentials/assess/mine").get_data(as_text=True)
    for waiting_one in waiting:
        assert f"/microcredentials/assess/assessments/{waiting_one.id}" in page
