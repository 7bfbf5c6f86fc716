"""Micro-credential pre-check and assessment (issue 16, PRODUCT §14) through the pages, on
SQLite and PostgreSQL: the pre-check queue, two assessors chosen automatically, blind
scoring, a lead settling a disagreement, the award, the return with feedback, and what
others may not open."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from esp_registry.accounts.models import Role, RoleGrant, User
from esp_registry.certificates.models import Certificate
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.microcredentials import assessment, earning, rules
from esp_registry.microcredentials.models import (
    Assessment,
    AssessorRole,
    Attempt,
    AttemptStatus,
    Microcredential,
    MicrocredentialAction,
    MicrocredentialEvent,
    Score,
    Submission,
    SubmissionStatus,
    SubmittedEvidence,
)
from esp_registry.notifications.models import OutboxMessage
from tests import factories
from tests.conftest import Actions

# ---------------------------------------------------------------------------- test helpers
# (the member side builds start/evidence/submit; these make its rows directly)


def submitted(
    member: User,
    mc: Microcredential,
    *,
    text: str = "What I did with my students, and what I learned.",
    attempt: Attempt | None = None,
) -> Submission:
    """A submission in pre-check with evidence for every component (a new attempt, or the
    next version of `attempt`)."""
    now = utcnow()
    if attempt is None:
        attempt = Attempt(
            user_id=member.id,
            microcredential_id=mc.id,
            window_ends_on=rules.window_ends_on(now.date()),
            started_at=now,
        )
        db.session.add(attempt)
        db.session.flush()
    attempt.status = AttemptStatus.SUBMITTED
    attempt.submissions_count += 1
    submission = Submission(
        attempt_id=attempt.id, number=attempt.submissions_count, submitted_at=now
    )
    db.session.add(submission)
    db.session.flush()
    for component in mc.components:
        db.session.add(
            SubmittedEvidence(
                submission_id=submission.id,
                component_id=component.id,
                text=f"{text} ({component.title})",
            )
        )
    db.session.commit()
    return submission


def signed_in(app, email: str) -> Actions:  # type: ignore[no-untyped-def]
    actions = Actions(app.test_client())
    assert actions.sign_in(email).status_code == 302
    return actions


def mails(kind: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        )
    )


def assessments_of(submission_id: int) -> dict[AssessorRole, Assessment]:
    db.session.expire_all()
    return {
        a.role: a
        for a in db.session.scalars(
            sa.select(Assessment).where(Assessment.submission_id == submission_id)
        )
    }


def status_of(submission_id: int) -> SubmissionStatus:
    db.session.expire_all()
    return db.session.get(Submission, submission_id).status


def criteria_ids(mc: Microcredential) -> list[int]:
    db.session.expire_all()
    mc = db.session.get(Microcredential, mc.id)
    return [c.id for component in mc.components for c in component.criteria]


def score_payload(mc: Microcredential, met: bool | list[bool], comment: str = "") -> dict:
    ids = criteria_ids(mc)
    verdicts = met if isinstance(met, list) else [met] * len(ids)
    data: dict[str, str] = {"comment": comment}
    for cid, ok in zip(ids, verdicts, strict=True):
        data[f"c{cid}"] = "met" if ok else "not_yet"
        data[f"f{cid}"] = "" if ok else f"Show one more example for criterion {cid}."
    return data


def score_as(app, assessment: Assessment, met: bool | list[bool], mc: Microcredential):  # type: ignore[no-untyped-def]
    assessor = db.session.get(User, assessment.assessor_id)
    actions = signed_in(app, assessor.email)
    return actions.post(
        f"/microcredentials/assess/assessments/{assessment.id}", score_payload(mc, met)
    )


@pytest.fixture
def world(ctx):  # type: ignore[no-untyped-def]
    admin = factories.person(
        "admin@example.org", name="Ada Admin", roles=((Role.NATIONAL_ADMIN, None),)
    )
    # The member is an assessor too (lowest id): never chosen for their own submission.
    member = factories.person("pat@example.org", name="Pat Member", roles=((Role.ASSESSOR, None),))
    assessors = [
        factories.person(
            f"assessor{i}@example.org", name=f"Assessor {i}", roles=((Role.ASSESSOR, None),)
        )
        for i in range(1, 4)
    ]
    mc = factories.microcredential()
    return {"admin": admin, "member": member, "assessors": assessors, "mc": mc}


def precheck(app, submission: Submission, decision: str, note: str = "", admin=None):  # type: ignore[no-untyped-def]
    admin = admin or signed_in(app, "admin@example.org")
    return admin.post(
        f"/microcredentials/assess/submissions/{submission.id}/precheck",
        {"decision": decision, "note": note},
    )


# ---------------------------------------------------------------------------- pre-check


def test_the_precheck_queue_lists_submissions_oldest_first_and_finds_a_member(ctx, world):
    other = factories.person("olga@example.org", name="Olga Other")
    first = submitted(world["member"], world["mc"])
    second = submitted(other, world["mc"])
    admin = signed_in(ctx, "admin@example.org").client
    page = admin.get("/microcredentials/assess/precheck").get_data(as_text=True)
    assert page.index("Pat Member") < page.index("Olga Other")
    assert f"/microcredentials/assess/submissions/{first.id}" in page
    found = admin.get("/microcredentials/assess/precheck?q=olga").get_data(as_text=True)
    assert "Olga Other" in found and "Pat Member" not in found
    assert "No submission matches" in admin.get("/microcredentials/assess/precheck?q=zed").get_data(
        as_text=True
    )
    # The submission page shows the frozen evidence of each component.
    shown = admin.get(f"/microcredentials/assess/submissions/{second.id}").get_data(as_text=True)
    assert "What I did with my students" in shown and "Component 2" in shown
    assert "Complete — send to assessors" in shown
    # The Staff menu offers it to admins.
    assert "Micro-credential pre-check" in admin.get("/").get_data(as_text=True)


def test_complete_sends_to_the_two_assessors_with_fewest_open_never_the_member(ctx, world):
    a1, a2, a3 = world["assessors"]
    # Assessor 1 already has an open assessment of someone else's submission.
    other = factories.person("olga@example.org", name="Olga Other")
    busy = submitted(other, world["mc"])
    busy.status = SubmissionStatus.ASSESSING
    db.session.add(Assessment(submission_id=busy.id, assessor_id=a1.id, role=AssessorRole.FIRST))
    db.session.add(
        Assessment(
            submission_id=busy.id,
            assessor_id=a2.id,
            role=AssessorRole.SECOND,
            completed_at=utcnow(),
        )
    )
    db.session.commit()
    submission = submitted(world["member"], world["mc"])
    response = precheck(ctx, submission, "complete")
    assert response.status_code == 302
    assert status_of(submission.id) == SubmissionStatus.ASSESSING
    pair = assessments_of(submission.id)
    assert pair[AssessorRole.FIRST].assessor_id == a2.id  # 0 open, lower id
    assert pair[AssessorRole.SECOND].assessor_id == a3.id
    assert {m.to_email for m in mails("mc_assessment_assigned")} == {a2.email, a3.email}
    [message] = [m for m in mails("mc_assessment_assigned") if m.to_email == a2.email]
    assert (
        f"/microcredentials/assess/assessments/{pair[AssessorRole.FIRST].id}" in message.body_text
    )
    events = db.session.scalars(
        sa.select(MicrocredentialEvent.action).where(
            MicrocredentialEvent.submission_id == submission.id
        )
    ).all()
    assert events == [MicrocredentialAction.SENT_TO_ASSESSORS]


def test_fewer_than_two_assessors_is_refused_and_changes_nothing(ctx, world):
    for person in world["assessors"][1:]:
        person.deactivated_at = utcnow()  # deactivated assessors are not chosen
    db.session.commit()
    submission = submitted(world["member"], world["mc"])
    admin = signed_in(ctx, "admin@example.org")
    response = precheck(ctx, submission, "complete", admin=admin)
    page = admin.client.get(response.headers["Location"])
    assert "Two assessors are needed" in page.get_data(as_text=True)
    assert status_of(submission.id) == SubmissionStatus.PRECHECK
    assert assessments_of(submission.id) == {}
    assert mails("mc_assessment_assigned") == []


def test_incomplete_needs_a_note_and_returns_the_attempt_to_drafting(ctx, world):
    submission = submitted(world["member"], world["mc"])
    refused = precheck(ctx, submission, "incomplete", "  ")
    assert refused.status_code == 422
    assert "Say what is missing" in refused.get_data(as_text=True)
    assert status_of(submission.id) == SubmissionStatus.PRECHECK
    done = precheck(ctx, submission, "incomplete", "Component 2 has no lesson plan attached.")
    assert done.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Submission, submission.id)
    assert stored.status == SubmissionStatus.INCOMPLETE
    assert stored.precheck_note == "Component 2 has no lesson plan attached."
    assert stored.attempt.status == AttemptStatus.DRAFTING
    [message] = mails("mc_incomplete")
    assert message.to_email == "pat@example.org"
    assert "no lesson plan attached" in message.body_text
    assert f"http://verify.test/microcredentials/attempts/{stored.attempt_id}" in message.body_text
    # Deciding again is refused (the one conditional UPDATE already ran).
    admin = signed_in(ctx, "admin@example.org")
    again = precheck(ctx, submission, "complete", admin=admin)
    page = admin.client.get(again.headers["Location"])
    assert "Ada Admin already pre-checked this submission." in page.get_data(as_text=True)
    assert assessments_of(submission.id) == {}


def test_the_precheck_email_is_in_the_members_language(ctx, world):
    ana = factories.person("ana@example.org", name="Ana Miembro")
    ana.preferred_language = "es"
    db.session.commit()
    submission = submitted(ana, world["mc"])
    precheck(ctx, submission, "incomplete", "Falta el plan.")
    [message] = mails("mc_incomplete")
    assert "Hola, Ana Miembro" in message.body_text
    assert "Lo que falta: Falta el plan." in message.body_text


# ---------------------------------------------------------------------------- the whole flow


def sent_to_assessors(app, world) -> Submission:  # type: ignore[no-untyped-def]
    submission = submitted(world["member"], world["mc"])
    assert precheck(app, submission, "complete").status_code == 302
    return submission


def test_disagreement_goes_to_a_lead_whose_met_awards_the_certificate(ctx, world):
    mc = world["mc"]
    submission = sent_to_assessors(ctx, world)
    pair = assessments_of(submission.id)
    assert score_as(ctx, pair[AssessorRole.FIRST], True, mc).status_code == 302
    assert status_of(submission.id) == SubmissionStatus.ASSESSING
    verdicts = [True, True, True, False]
    assert score_as(ctx, pair[AssessorRole.SECOND], verdicts, mc).status_code == 302
    assert status_of(submission.id) == SubmissionStatus.LEAD
    trio = assessments_of(submission.id)
    lead = trio[AssessorRole.LEAD]
    # The third assessor leads: not the member, not the first two.
    assert lead.assessor_id == world["assessors"][2].id
    assert mails("mc_assessment_assigned")[-1].to_email == "assessor3@example.org"
    # The lead sees both first scores before scoring.
    lead_page = signed_in(ctx, "assessor3@example.org").client.get(
        f"/microcredentials/assess/assessments/{lead.id}"
    )
    text = lead_page.get_data(as_text=True)
    assert "First assessor" in text and "Second assessor" in text and "Not yet" in text
    assert score_as(ctx, lead, True, mc).status_code == 302
    assert status_of(submission.id) == SubmissionStatus.MET
    db.session.expire_all()
    attempt = db.session.get(Submission, submission.id).attempt
    assert attempt.status == AttemptStatus.AWARDED and attempt.awarded_at is not None
    certificate = db.session.scalar(
        sa.select(Certificate).where(Certificate.microcredential_attempt_id == attempt.id)
    )
    assert certificate is not None and certificate.member_name == "Pat Member"
    [awarded] = mails("mc_awarded")
    assert awarded.to_email == "pat@example.org" and "Awarded" in awarded.subject
    actions = db.session.scalars(
        sa.select(MicrocredentialEvent.action)
        .where(MicrocredentialEvent.attempt_id == attempt.id)
        .order_by(MicrocredentialEvent.id)
    ).all()
    assert actions == [
        MicrocredentialAction.SENT_TO_ASSESSORS,
        MicrocredentialAction.SCORED,
        MicrocredentialAction.SCORED,
        MicrocredentialAction.SENT_TO_LEAD,
        MicrocredentialAction.SCORED,
        MicrocredentialAction.AWARDED,
    ]


def test_both_not_yet_returns_it_with_feedback_and_the_attempt_drafts_again(ctx, world):
    mc = world["mc"]
    submission = sent_to_assessors(ctx, world)
    pair = assessments_of(submission.id)
    score_as(ctx, pair[AssessorRole.FIRST], [True, False, True, True], mc)
    score_as(ctx, pair[AssessorRole.SECOND], [False, True, True, True], mc)
    assert status_of(submission.id) == SubmissionStatus.NOT_YET
    db.session.expire_all()
    stored = db.session.get(Submission, submission.id)
    assert stored.attempt.status == AttemptStatus.DRAFTING and stored.decided_at is not None
    assert AssessorRole.LEAD not in assessments_of(submission.id)
    [returned] = mails("mc_returned")
    assert returned.to_email == "pat@example.org" and "Returned with feedback" in returned.subject
    assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 0
    # The member revises and resubmits: version 2 goes through pre-check again.
    again = submitted(world["member"], mc, attempt=stored.attempt)
    assert again.number == 2 and status_of(again.id) == SubmissionStatus.PRECHECK


def test_both_met_awards_without_a_lead(ctx, world):
    mc = world["mc"]
    submission = sent_to_assessors(ctx, world)
    pair = assessments_of(submission.id)
    email = db.session.get(User, pair[AssessorRole.FIRST].assessor_id).email
    actions = signed_in(ctx, email)
    first = actions.post(
        f"/microcredentials/assess/assessments/{pair[AssessorRole.FIRST].id}",
        score_payload(mc, True),
    )
    page = actions.client.get(first.headers["Location"])
    assert "Your scores are sent." in page.get_data(as_text=True)
    score_as(ctx, pair[AssessorRole.SECOND], True, mc)
    assert status_of(submission.id) == SubmissionStatus.MET
    assert len(mails("mc_awarded")) == 1


# ---------------------------------------------------------------------------- blinding


def test_the_first_two_see_each_others_scores_only_once_both_are_in(ctx, world):
    mc = world["mc"]
    submission = sent_to_assessors(ctx, world)
    pair = assessments_of(submission.id)
    first, second = pair[AssessorRole.FIRST], pair[AssessorRole.SECOND]
    first_email = db.session.get(User, first.assessor_id).email
    second_email = db.session.get(User, second.assessor_id).email
    score_as(ctx, first, [True, True, True, False], mc)
    # The second assessor, still scoring, sees nothing of the first's scores.
    page = (
        signed_in(ctx, second_email)
        .client.get(f"/microcredentials/assess/assessments/{second.id}")
        .get_data(as_text=True)
    )
    assert "First assessor" not in page and "Show one more example" not in page
    assert "once you both have sent yours" in page
    # The first, done, does not see the second's (not in yet) either.
    first_page = (
        signed_in(ctx, first_email)
        .client.get(f"/microcredentials/assess/assessments/{first.id}")
        .get_data(as_text=True)
    )
    assert "Second assessor" not in first_page and "final" in first_page
    score_as(ctx, second, [True, True, True, False], mc)  # agree: Not yet
    after = (
        signed_in(ctx, second_email)
        .client.get(f"/microcredentials/assess/assessments/{second.id}")
        .get_data(as_text=True)
    )
    assert "First assessor" in after
    after_first = (
        signed_in(ctx, first_email)
        .client.get(f"/microcredentials/assess/assessments/{first.id}")
        .get_data(as_text=True)
    )
    assert "Second assessor" in after_first


# ---------------------------------------------------------------------------- scoring form


def test_not_yet_needs_feedback_and_every_criterion_a_choice(ctx, world):
    mc = world["mc"]
    submission = sent_to_assessors(ctx, world)
    first = assessments_of(submission.id)[AssessorRole.FIRST]
    actions = signed_in(ctx, db.session.get(User, first.assessor_id).email)
    url = f"/microcredentials/assess/assessments/{first.id}"
    payload = score_payload(mc, [True, False, True, True])
    ids = criteria_ids(mc)
    payload[f"f{ids[1]}"] = "   "
    del payload[f"c{ids[3]}"]
    response = actions.post(url, payload)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Say what is missing: the member reads this feedback." in page
    assert "Choose Met or Not yet." in page and "There is a problem" in page
    assert db.session.scalar(sa.select(sa.func.count(Score.id))) == 0
    assert assessments_of(submission.id)[AssessorRole.FIRST].completed_at is None


def test_scoring_twice_is_refused_and_changes_nothing(ctx, world):
    mc = world["mc"]
    submission = sent_to_assessors(ctx, world)
    first = assessments_of(submission.id)[AssessorRole.FIRST]
    assert score_as(ctx, first, True, mc).status_code == 302
    actions = signed_in(ctx, db.session.get(User, first.assessor_id).email)
    again = actions.post(
        f"/microcredentials/assess/assessments/{first.id}", score_payload(mc, False)
    )
    assert again.status_code == 302
    page = actions.client.get(again.headers["Location"]).get_data(as_text=True)
    assert "already in: they are final" in page
    db.session.expire_all()
    assert set(db.session.scalars(sa.select(Score.met))) == {True}
    assert db.session.scalar(sa.select(sa.func.count(Score.id))) == len(criteria_ids(mc))


# ---------------------------------------------------------------------------- access


def test_others_get_404(ctx, world):
    mc = world["mc"]
    submission = sent_to_assessors(ctx, world)
    pair = assessments_of(submission.id)
    first = pair[AssessorRole.FIRST]
    first_email = db.session.get(User, first.assessor_id).email
    second_email = db.session.get(User, pair[AssessorRole.SECOND].assessor_id).email
    url = f"/microcredentials/assess/assessments/{first.id}"
    # Another assessor, the member (an assessor too), an admin, a plain member: 404.
    for email in (second_email, "pat@example.org", "admin@example.org", "assessor3@example.org"):
        actions = signed_in(ctx, email)
        assert actions.client.get(url).status_code == 404, email
        assert actions.post(url, score_payload(mc, True)).status_code == 404, email
    plain = factories.person("plain@example.org")
    actions = signed_in(ctx, plain.email)
    for page in (
        "/microcredentials/assess/precheck",
        "/microcredentials/assess/mine",
        f"/microcredentials/assess/submissions/{submission.id}",
    ):
        assert actions.client.get(page).status_code == 404, page
    # Assessors do not pre-check.
    assessor = signed_in(ctx, first_email)
    assert assessor.client.get("/microcredentials/assess/precheck").status_code == 404
    assert (
        assessor.post(
            f"/microcredentials/assess/submissions/{submission.id}/precheck",
            {"decision": "complete"},
        ).status_code
        == 404
    )
    assert (
        assessor.post(
            f"/microcredentials/assess/assessments/{first.id}/reassign", {"assessor_id": plain.id}
        ).status_code
        == 404
    )
    assert assessor.client.get("/microcredentials/assess/assessments/99999999").status_code == 404
    # A role taken away takes the page away.
    db.session.expire_all()
    holder = db.session.get(User, first.assessor_id)
    holder.role_grants.clear()
    db.session.commit()
    assert signed_in(ctx, first_email).client.get(url).status_code == 404
    # Signed out: to sign in.
    assert ctx.test_client().get(url).status_code == 302


def test_my_assessments_lists_only_mine_not_done(ctx, world):
    mc = world["mc"]
    submission = sent_to_assessors(ctx, world)
    first = assessments_of(submission.id)[AssessorRole.FIRST]
    email = db.session.get(User, first.assessor_id).email
    client = signed_in(ctx, email).client
    page = client.get("/microcredentials/assess/mine").get_data(as_text=True)
    assert f"/microcredentials/assess/assessments/{first.id}" in page
    assert "My assessments" in client.get("/").get_data(as_text=True)  # the menu link
    score_as(ctx, first, True, mc)
    page = signed_in(ctx, email).client.get("/microcredentials/assess/mine").get_data(as_text=True)
    assert "Nothing to assess right now." in page


def test_an_admin_reassigns_an_unfinished_assessment(ctx, world):
    mc = world["mc"]
    submission = sent_to_assessors(ctx, world)
    pair = assessments_of(submission.id)
    first, second = pair[AssessorRole.FIRST], pair[AssessorRole.SECOND]
    old_email = db.session.get(User, first.assessor_id).email
    admin = signed_in(ctx, "admin@example.org")
    page = admin.client.get(f"/microcredentials/assess/submissions/{submission.id}")
    assert "Reassign" in page.get_data(as_text=True)
    third = world["assessors"][2]
    # The member, and an assessor already on it, are not among the choices.
    for refused in (world["member"].id, second.assessor_id):
        admin.post(
            f"/microcredentials/assess/assessments/{first.id}/reassign", {"assessor_id": refused}
        )
        assert assessments_of(submission.id)[AssessorRole.FIRST].assessor_id == first.assessor_id
    response = admin.post(
        f"/microcredentials/assess/assessments/{first.id}/reassign", {"assessor_id": third.id}
    )
    assert response.status_code == 302
    assert assessments_of(submission.id)[AssessorRole.FIRST].assessor_id == third.id
    assert mails("mc_assessment_assigned")[-1].to_email == third.email
    url = f"/microcredentials/assess/assessments/{first.id}"
    assert signed_in(ctx, old_email).client.get(url).status_code == 404
    assert signed_in(ctx, third.email).client.get(url).status_code == 200
    # A finished assessment is not reassigned.
    score_as(ctx, assessments_of(submission.id)[AssessorRole.SECOND], True, mc)
    admin.post(
        f"/microcredentials/assess/assessments/{second.id}/reassign",
        {"assessor_id": first.assessor_id},
    )
    assert assessments_of(submission.id)[AssessorRole.SECOND].assessor_id == second.assessor_id


def test_a_lead_unavailable_then_is_assigned_by_an_admin_later(ctx, world):
    mc = world["mc"]
    world["assessors"][2].deactivated_at = utcnow()
    db.session.commit()
    submission = sent_to_assessors(ctx, world)
    pair = assessments_of(submission.id)
    score_as(ctx, pair[AssessorRole.FIRST], True, mc)
    score_as(ctx, pair[AssessorRole.SECOND], [False, True, True, True], mc)
    assert status_of(submission.id) == SubmissionStatus.LEAD
    assert AssessorRole.LEAD not in assessments_of(submission.id)
    admin = signed_in(ctx, "admin@example.org")
    page = admin.client.get(f"/microcredentials/assess/submissions/{submission.id}")
    assert "A lead assessor is needed" in page.get_data(as_text=True)
    factories.person("assessor4@example.org", name="Assessor 4", roles=((Role.ASSESSOR, None),))
    admin.post(f"/microcredentials/assess/submissions/{submission.id}/lead")
    lead = assessments_of(submission.id)[AssessorRole.LEAD]
    assert db.session.get(User, lead.assessor_id).email == "assessor4@example.org"


# ---------------------------------------------------------------------------- roles


def test_admins_grant_the_assessor_role_on_the_people_pages(ctx, world):
    candidate = factories.person("new@example.org", name="Nia New")
    admin = signed_in(ctx, "admin@example.org")
    page = admin.client.get(f"/people/{candidate.id}").get_data(as_text=True)
    assert re.search(r'<option value="assessor">\s*Micro-credential assessor', page)
    response = admin.post(f"/people/{candidate.id}/roles", {"role": "assessor"})
    assert response.status_code == 302
    after = admin.client.get(f"/people/{candidate.id}").get_data(as_text=True)
    assert "Micro-credential assessor" in after
    db.session.expire_all()
    assert db.session.get(User, candidate.id).has_role(Role.ASSESSOR)
    assert (
        signed_in(ctx, "new@example.org").client.get("/microcredentials/assess/mine").status_code
        == 200
    )


# ---------------------------------------------------------------------------- query counts


def test_the_queues_queries_do_not_grow_with_rows(ctx, world):
    from tests.integration.test_query_counts import queries_for

    a1 = world["assessors"][0]

    def add(n: int) -> None:
        for i in range(n):
            member = factories.person(f"m{i}.{utcnow().timestamp()}@example.org", name=f"M {i}")
            s = submitted(member, world["mc"])
            db.session.add(
                Assessment(submission_id=s.id, assessor_id=a1.id, role=AssessorRole.FIRST)
            )
        db.session.commit()

    add(2)
    admin = signed_in(ctx, "admin@example.org").client
    assessor = signed_in(ctx, a1.email).client
    few = queries_for(admin, "/microcredentials/assess/precheck")
    few_mine = queries_for(assessor, "/microcredentials/assess/mine")
    add(8)
    assert queries_for(admin, "/microcredentials/assess/precheck") == few
    assert queries_for(assessor, "/microcredentials/assess/mine") == few_mine


def test_the_submission_and_scoring_pages_queries_do_not_grow(ctx, world):
    from tests.integration.test_query_counts import queries_for

    small = sent_to_assessors(ctx, world)
    big_mc = factories.microcredential("Bigger one", components=5, criteria=4)
    big = submitted(world["member"], big_mc)
    assert precheck(ctx, big, "complete").status_code == 302
    admin = signed_in(ctx, "admin@example.org").client
    assert queries_for(admin, f"/microcredentials/assess/submissions/{small.id}") == queries_for(
        admin, f"/microcredentials/assess/submissions/{big.id}"
    )
    a_small = assessments_of(small.id)[AssessorRole.FIRST]
    a_big = assessments_of(big.id)[AssessorRole.SECOND]
    # The same assessor may not hold both; compare each page against its own with more rows.
    client_small = signed_in(ctx, db.session.get(User, a_small.assessor_id).email).client
    client_big = signed_in(ctx, db.session.get(User, a_big.assessor_id).email).client
    assert queries_for(client_small, f"/microcredentials/assess/assessments/{a_small.id}") == (
        queries_for(client_big, f"/microcredentials/assess/assessments/{a_big.id}")
    )


def test_a_page_of_more_than_a_page_is_paged(ctx, world):
    for i in range(30):
        member = factories.person(f"p{i}@example.org", name=f"Member {i:02}")
        submitted(member, world["mc"])
    admin = signed_in(ctx, "admin@example.org").client
    page = admin.get("/microcredentials/assess/precheck").get_data(as_text=True)
    assert "1\u201325 of 30" in page and "Member 00" in page and "Member 29" not in page
    more = re.search(r'href="([^"]*cursor[^"]*)"', page)
    assert more is not None
    nxt = admin.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Member 29" in nxt and "Member 00" not in nxt


def test_old_versions_still_show_after_time_passes(ctx, world):
    """A submission waiting a long time keeps its place: oldest first by submitted time."""
    newer = submitted(world["member"], world["mc"])
    old_member = factories.person("old@example.org", name="Old Timer")
    older = submitted(old_member, world["mc"])
    older.submitted_at = utcnow() - timedelta(days=40)
    db.session.commit()
    page = signed_in(ctx, "admin@example.org").client.get("/microcredentials/assess/precheck")
    text = page.get_data(as_text=True)
    assert text.index("Old Timer") < text.index("Pat Member")
    del newer


def test_an_oversized_note_or_feedback_is_refused_and_stores_nothing(ctx, world):
    mc = world["mc"]
    submission = submitted(world["member"], mc)
    too_long = precheck(ctx, submission, "incomplete", "\u3042" * 2001)
    assert too_long.status_code == 422
    assert status_of(submission.id) == SubmissionStatus.PRECHECK
    assert precheck(ctx, submission, "complete").status_code == 302
    first = assessments_of(submission.id)[AssessorRole.FIRST]
    actions = signed_in(ctx, db.session.get(User, first.assessor_id).email)
    payload = score_payload(mc, [True, False, True, True], comment="\u00e9" * 2001)
    payload[f"f{criteria_ids(mc)[1]}"] = "x" * 2001
    response = actions.post(f"/microcredentials/assess/assessments/{first.id}", payload)
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Score.id))) == 0


def test_a_submission_closed_meanwhile_no_longer_takes_scores(ctx, world):
    mc = world["mc"]
    submission = sent_to_assessors(ctx, world)
    first = assessments_of(submission.id)[AssessorRole.FIRST]
    stored = db.session.get(Submission, submission.id)
    stored.status = SubmissionStatus.CLOSED  # the member withdrew (the member side does it)
    db.session.commit()
    actions = signed_in(ctx, db.session.get(User, first.assessor_id).email)
    url = f"/microcredentials/assess/assessments/{first.id}"
    assert "no longer waits for your scores" in actions.client.get(url).get_data(as_text=True)
    response = actions.post(url, score_payload(mc, True))
    page = actions.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "no longer waits for your scores" in page
    assert db.session.scalar(sa.select(sa.func.count(Score.id))) == 0
    assert assessments_of(submission.id)[AssessorRole.FIRST].completed_at is None


def test_a_withdrawn_submission_leaves_the_queue_and_frees_the_assessor(ctx, world):
    submission = sent_to_assessors(ctx, world)
    first = assessments_of(submission.id)[AssessorRole.FIRST]
    email = db.session.get(User, first.assessor_id).email
    url = f"/microcredentials/assess/assessments/{first.id}"
    assert url in signed_in(ctx, email).client.get("/microcredentials/assess/mine").get_data(
        as_text=True
    )
    attempt = db.session.get(Submission, submission.id).attempt
    assert earning.withdraw(attempt, attempt.user, utcnow()).ok
    page = signed_in(ctx, email).client.get("/microcredentials/assess/mine").get_data(as_text=True)
    assert url not in page
    assert "Nothing to assess right now." in page
    # Nor does it count as open work when the next assessors are chosen.
    open_work = db.session.scalar(
        sa.select(assessment.open_assessments_count()).where(User.id == first.assessor_id)
    )
    assert open_work == 0


def test_the_pages_read_in_spanish(ctx, world):
    submission = sent_to_assessors(ctx, world)
    first = assessments_of(submission.id)[AssessorRole.FIRST]
    admin = signed_in(ctx, "admin@example.org").client
    page = admin.get(f"/microcredentials/assess/submissions/{submission.id}?lang=es")
    text = page.get_data(as_text=True)
    assert (
        "Con los evaluadores" in text
        and "Reasignar" in text
        and "enviada a los evaluadores" in text
    )
    queue = admin.get("/microcredentials/assess/precheck?lang=es").get_data(as_text=True)
    assert "Revisión previa de microcredenciales" in queue
    assessor = signed_in(ctx, db.session.get(User, first.assessor_id).email).client
    scoring = assessor.get(f"/microcredentials/assess/assessments/{first.id}?lang=es")
    text = scoring.get_data(as_text=True)
    assert "Cumplido" in text and "Todavía no" in text and "Enviar mis calificaciones" in text
    mine = assessor.get("/microcredentials/assess/mine?lang=es").get_data(as_text=True)
    assert "Mis evaluaciones" in mine and "Primer evaluador" in mine


def test_a_submission_closed_before_its_precheck_is_not_sent(ctx, world):
    submission = submitted(world["member"], world["mc"])
    stored = db.session.get(Submission, submission.id)
    stored.status = SubmissionStatus.CLOSED  # the member withdrew (the member side does it)
    db.session.commit()
    admin = signed_in(ctx, "admin@example.org")
    response = precheck(ctx, submission, "complete", admin=admin)
    page = admin.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This submission no longer waits for a pre-check." in page
    assert assessments_of(submission.id) == {} and mails("mc_assessment_assigned") == []


# ---------------------------------------------------------------------------- review fixes


def test_staff_pages_of_a_submission_are_not_for_its_member_nor_an_unfinished_assessor(ctx, world):
    # An admin who is a member too: never their own submission.
    own = submitted(world["admin"], world["mc"])
    admin = signed_in(ctx, "admin@example.org")
    assert admin.client.get(f"/microcredentials/assess/submissions/{own.id}").status_code == 404
    assert precheck(ctx, own, "complete", admin=admin).status_code == 404
    assert status_of(own.id) == SubmissionStatus.PRECHECK
    # An admin who is an assessor too: not while their own scores are not in (the staff
    # page names every assessor's scores, which would unblind them).
    submission = sent_to_assessors(ctx, world)
    first = assessments_of(submission.id)[AssessorRole.FIRST]
    holder = db.session.get(User, first.assessor_id)
    holder.role_grants.append(RoleGrant(role=Role.NATIONAL_ADMIN))
    db.session.commit()
    url = f"/microcredentials/assess/submissions/{submission.id}"
    assert signed_in(ctx, holder.email).client.get(url).status_code == 404
    assert score_as(ctx, first, True, world["mc"]).status_code == 302
    assert signed_in(ctx, holder.email).client.get(url).status_code == 200


def test_a_precheck_without_its_decision_decides_nothing(ctx, world):
    submission = submitted(world["member"], world["mc"])
    assert precheck(ctx, submission, "", "A note").status_code == 400
    assert precheck(ctx, submission, "maybe", "A note").status_code == 400
    assert status_of(submission.id) == SubmissionStatus.PRECHECK
    assert mails("mc_incomplete") == []


def test_no_reassigning_once_the_submission_is_closed(ctx, world):
    submission = sent_to_assessors(ctx, world)
    pair = assessments_of(submission.id)
    first = pair[AssessorRole.FIRST]
    taken = {a.assessor_id for a in pair.values()}
    spare = next(a for a in world["assessors"] if a.id not in taken)
    stored = db.session.get(Submission, submission.id)
    stored.status = SubmissionStatus.CLOSED  # the member withdrew
    db.session.commit()
    result = assessment.reassign(first, spare, world["admin"])
    assert not result.ok
    assert assessments_of(submission.id)[AssessorRole.FIRST].assessor_id == first.assessor_id
    assert all(m.to_email != spare.email for m in mails("mc_assessment_assigned"))


def test_a_version_returned_after_the_window_ended_leaves_time_to_resubmit(ctx, world):
    submission = sent_to_assessors(ctx, world)
    attempt = db.session.get(Submission, submission.id).attempt
    attempt.window_ends_on = utcnow().date() - timedelta(days=3)
    db.session.commit()
    pair = assessments_of(submission.id)
    score_as(ctx, pair[AssessorRole.FIRST], False, world["mc"])
    score_as(ctx, pair[AssessorRole.SECOND], False, world["mc"])
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.status == AttemptStatus.DRAFTING
    today = utcnow().date()
    assert attempt.window_ends_on == today + timedelta(days=rules.RESUBMIT_GRACE_DAYS)
    assert earning.may_work_on(attempt, utcnow()).allowed
