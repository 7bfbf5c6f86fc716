"""Micro-credentials, the member's side (issue 16; PRODUCT §14), through the pages on both
databases: the catalog and stacks, start (once; in order in an in-order stack), evidence
autosaved per component (a stale tab never overwrites newer text), files checked by their
content, submit (every part present, window open), the feedback of a returned version
(never who said what, never scores of a pending one), the coach, withdrawing, and nobody
but the member (and those assigned) ever opens an attempt or its files."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from esp_registry.accounts.models import Role
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.files import storage
from esp_registry.microcredentials import earning, rules
from esp_registry.microcredentials.models import (
    MAX_EVIDENCE,
    Assessment,
    AssessorRole,
    Attempt,
    AttemptStatus,
    Evidence,
    MicrocredentialAction,
    MicrocredentialEvent,
    Score,
    Submission,
    SubmissionStatus,
    SubmittedEvidence,
)
from esp_registry.notifications.models import OutboxMessage
from esp_registry.results import ALLOWED
from tests import factories
from tests import outside_files as files
from tests.conftest import Actions
from tests.integration.test_query_counts import queries_for


@pytest.fixture
def world(ctx):  # type: ignore[no-untyped-def]
    pat = factories.person("pat@example.org", name="Pat Member")
    rosa = factories.person("rosa@example.org", name="Rosa Ruiz")
    admin = factories.person(
        "admin@example.org", name="Dana Admin", roles=((Role.NATIONAL_ADMIN, None),)
    )
    first = factories.person(
        "first@example.org", name="Fiona First", roles=((Role.ASSESSOR, None),)
    )
    second = factories.person(
        "second@example.org", name="Sam Second", roles=((Role.ASSESSOR, None),)
    )
    mc = factories.microcredential("Behaviour Plans", files=True)
    return {"pat": pat, "rosa": rosa, "admin": admin, "first": first, "second": second, "mc": mc}


def as_(client, email: str) -> Actions:  # type: ignore[no-untyped-def]
    actions = Actions(client)
    actions.sign_out()
    assert actions.sign_in(email).status_code == 302
    return actions


def token(client, url: str) -> str:  # type: ignore[no-untyped-def]
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'"X-CSRFToken": "([^"]+)"', page
    )
    assert found
    return found.group(1)


def start(client, mc_id: int):  # type: ignore[no-untyped-def]
    url = f"/microcredentials/{mc_id}"
    return client.post(f"{url}/start", data={"csrf_token": token(client, url)})


def the_attempt() -> Attempt:
    db.session.expire_all()
    return db.session.scalars(sa.select(Attempt)).one()


def components(mc) -> list[int]:  # type: ignore[no-untyped-def]
    return [c.id for c in mc.components]


def save(client, attempt_id: int, component_id: int, text: str, revision: int, htmx=True):  # type: ignore[no-untyped-def]
    page = f"/microcredentials/attempts/{attempt_id}"
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        f"{page}/components/{component_id}",
        data={
            "csrf_token": token(client, page),
            "text": text,
            "revision": str(revision),
        },
        headers=headers,
    )


def attach(client, attempt_id: int, component_id: int, data: bytes, name="plan.pdf"):  # type: ignore[no-untyped-def]
    page = f"/microcredentials/attempts/{attempt_id}"
    return client.post(
        f"{page}/components/{component_id}/file",
        data={"csrf_token": token(client, page), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def post(client, attempt_id: int, action: str):  # type: ignore[no-untyped-def]
    page = f"/microcredentials/attempts/{attempt_id}"
    return client.post(f"{page}/{action}", data={"csrf_token": token(client, page)})


def draft(attempt_id: int, component_id: int) -> Evidence | None:
    db.session.expire_all()
    return earning.draft_of(attempt_id, component_id)


def mails(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)))


def started(client, world) -> Attempt:  # type: ignore[no-untyped-def]
    as_(client, "pat@example.org")
    assert start(client, world["mc"].id).status_code == 302
    return the_attempt()


def filled(client, world) -> Attempt:  # type: ignore[no-untyped-def]
    attempt = started(client, world)
    one, two = components(world["mc"])
    assert (
        save(client, attempt.id, one, "I wrote a behaviour plan with the team.", 0).status_code
        == 200
    )
    assert attach(client, attempt.id, two, files.pdf()).status_code == 302
    return the_attempt()


# ---------------------------------------------------------------------------- catalog


def test_catalog_by_family_and_the_detail_page(client, world):
    factories.microcredential(
        "Safe Bus Loading", job_family="transportation-services", components=1
    )
    factories.microcredential("Welcoming Every Family", job_family=None, components=1)
    page = client.get("/microcredentials/").get_data(as_text=True)
    assert "Behaviour Plans" in page and "Safe Bus Loading" in page
    page = client.get("/microcredentials/?family=paraeducators").get_data(as_text=True)
    assert "Behaviour Plans" in page and "Welcoming Every Family" in page
    assert "Safe Bus Loading" not in page
    detail = client.get(f"/microcredentials/{world['mc'].id}").get_data(as_text=True)
    assert "Component 1" in detail and "Criterion 2.2" in detail
    assert "Sign in to start" in detail and "Start</button>" not in detail
    as_(client, "pat@example.org")
    detail = client.get(f"/microcredentials/{world['mc'].id}").get_data(as_text=True)
    ends = rules.window_ends_on(utcnow().date())
    assert "You will have until" in detail and str(ends.year) in detail
    assert "Start</button>" in detail
    assert client.get("/microcredentials/999999").status_code == 404


def test_spanish_texts_when_written(client, world):
    mc = world["mc"]
    mc.name_es = "Planes de conducta"
    mc.components[0].title_es = "Componente uno"
    db.session.commit()
    page = client.get(f"/microcredentials/{mc.id}?lang=es").get_data(as_text=True)
    assert "Planes de conducta" in page and "Componente uno" in page
    assert "Component 2" in page  # no Spanish text: the English one


# ---------------------------------------------------------------------------- start


def test_start_records_emails_and_refuses_a_second(client, world):
    attempt = started(client, world)
    assert attempt.status == AttemptStatus.DRAFTING
    assert attempt.window_ends_on == rules.window_ends_on(utcnow().date())
    assert [e.action for e in db.session.scalars(sa.select(MicrocredentialEvent))] == [
        MicrocredentialAction.STARTED
    ]
    (mail,) = mails("mc_started")
    assert "Behaviour Plans" in mail.subject and f"/microcredentials/attempts/{attempt.id}" in (
        mail.body_text
    )
    response = start(client, world["mc"].id)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "already working on" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 1


def test_two_starts_at_once_one_wins_with_a_friendly_answer(ctx, world, monkeypatch):
    # Both pass the check before either inserts: the unique index refuses the second.
    monkeypatch.setattr(earning, "may_start", lambda member, mc: ALLOWED)
    now = utcnow()
    assert earning.start(world["pat"], world["mc"], now).ok
    second = earning.start(world["pat"], world["mc"], now)
    assert not second.ok and "already working" in second.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 1


def test_awarded_once(ctx, world):
    now = utcnow()
    attempt = earning.start(world["pat"], world["mc"], now).subject
    attempt.status, attempt.awarded_at = AttemptStatus.AWARDED, now
    db.session.commit()
    decision = earning.may_start(world["pat"], world["mc"])
    assert not decision.allowed and decision.code == "awarded"


def test_an_in_order_stack_is_taken_in_order(client, world):
    stack = factories.stack("Growth Continuum", in_order=True)
    one = factories.microcredential("Step One", stack=stack, stack_position=1, components=1)
    two = factories.microcredential("Step Two", stack=stack, stack_position=2, components=1)
    as_(client, "pat@example.org")
    page = client.get(f"/microcredentials/{two.id}").get_data(as_text=True)
    assert "earn “Step One” first" in page and "Start</button>" not in page
    response = start(client, two.id)
    assert "earn “Step One” first" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 0
    stack_page = client.get(f"/microcredentials/stacks/{stack.id}").get_data(as_text=True)
    assert "0 of 2 awarded" in stack_page and "Not started" in stack_page
    # Step one awarded: step two may start, and the stack shows the progress.
    attempt = earning.start(world["pat"], one, utcnow()).subject
    attempt.status, attempt.awarded_at = AttemptStatus.AWARDED, utcnow()
    db.session.commit()
    assert start(client, two.id).status_code == 302
    stack_page = client.get(f"/microcredentials/stacks/{stack.id}").get_data(as_text=True)
    assert "1 of 2 awarded" in stack_page and "In progress" in stack_page


# ---------------------------------------------------------------------------- evidence


def test_autosave_and_a_stale_tab_never_overwrites(client, world):
    attempt = started(client, world)
    one = components(world["mc"])[0]
    response = save(client, attempt.id, one, "First words.", 0)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-state="saved"' in body and "Saved" in body
    assert f'id="revision-{one}"' in body and 'value="1"' in body
    assert 'id="missing-parts" hx-swap-oob="true"' in body and "Missing" not in body
    assert "Still missing: Component 2." in body
    assert draft(attempt.id, one).text == "First words." and draft(attempt.id, one).revision == 1
    assert save(client, attempt.id, one, "More words.", 1).status_code == 200
    # Another tab still holds revision 1: refused, newer text kept.
    body = save(client, attempt.id, one, "Old tab's words.", 1).get_data(as_text=True)
    assert 'data-state="stale"' in body and "another tab" in body
    assert draft(attempt.id, one).text == "More words." and draft(attempt.id, one).revision == 2
    # A tab that loaded before the first save (revision 0) is refused too.
    assert 'data-state="stale"' in save(client, attempt.id, one, "x", 0).get_data(as_text=True)
    page = client.get(f"/microcredentials/attempts/{attempt.id}").get_data(as_text=True)
    assert "More words." in page and 'value="2"' in page
    # Autosave as the page asks for it, the browser's copy, and the script from this site.
    assert 'hx-trigger="input changed delay:1s, blur"' in page
    assert f'data-draft-key="mc-evidence:{attempt.id}:{one}"' in page
    assert '<script src="/static/evidence.js" defer></script>' in page
    assert f'id="status-{one}" role="status" aria-live="polite"' in page


def test_plain_save_without_javascript(client, world):
    attempt = started(client, world)
    one = components(world["mc"])[0]
    response = save(client, attempt.id, one, "Typed\r\nwith no script.", 0, htmx=False)
    assert response.status_code == 302 and f"#component-{one}" in response.headers["Location"]
    assert draft(attempt.id, one).text == "Typed\nwith no script."
    stale = save(client, attempt.id, one, "old", 0, htmx=False)
    assert stale.status_code == 409 and "another tab" in stale.get_data(as_text=True)


def test_oversized_text_is_refused_with_a_message(client, world):
    attempt = started(client, world)
    one = components(world["mc"])[0]
    body = save(client, attempt.id, one, "é" * (MAX_EVIDENCE + 1), 0).get_data(as_text=True)
    assert 'data-state="error"' in body and "20000" in body.replace(",", "")
    assert draft(attempt.id, one) is None
    # Straight to the rule (past the form): refused too, on both databases.
    saved = earning.save_evidence(the_attempt(), one, "x" * (MAX_EVIDENCE + 1), 0, utcnow())
    assert not saved.result.ok and "at most" in saved.result.message
    assert draft(attempt.id, one) is None
    assert earning.save_evidence(the_attempt(), one, "x" * MAX_EVIDENCE, 0, utcnow()).result.ok
    assert len(draft(attempt.id, one).text) == MAX_EVIDENCE


def test_a_component_of_another_microcredential_is_refused(client, world):
    other = factories.microcredential("Other", components=1)
    attempt = started(client, world)
    body = save(client, attempt.id, other.components[0].id, "x", 0).get_data(as_text=True)
    assert "does not exist" in body
    assert draft(attempt.id, other.components[0].id) is None


def test_files_checked_by_content_and_served_to_the_right_people(client, world):
    attempt = started(client, world)
    one, two = components(world["mc"])
    response = attach(client, attempt.id, two, b"MZ\x90\x00 not a pdf", "plan.pdf")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "not a PDF" in page and draft(attempt.id, two) is None
    response = attach(client, attempt.id, two, files.pdf_with_javascript())
    assert "JavaScript" in client.get(response.headers["Location"]).get_data(as_text=True)
    # A component that takes no file.
    attach(client, attempt.id, one, files.pdf())
    assert draft(attempt.id, one) is None
    attach(client, attempt.id, two, files.image("PNG"), "../../etc/photo.png")
    evidence = draft(attempt.id, two)
    assert evidence.file_type == "image/png" and evidence.file_name == "photo.png"
    first_key = evidence.file_key
    url = f"/microcredentials/drafts/{evidence.id}/file"
    served = client.get(url)
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    # A new file replaces the old one, which is deleted (no version holds it).
    attach(client, attempt.id, two, files.pdf())
    assert draft(attempt.id, two).file_type == "application/pdf"
    assert not storage.exists(first_key)
    as_(client, "rosa@example.org")
    assert client.get(url).status_code == 404
    as_(client, "first@example.org")
    assert client.get(url).status_code == 404
    as_(client, "admin@example.org")
    assert client.get(url).status_code == 200


def test_another_members_attempt_is_404_everywhere(client, world):
    attempt = filled(client, world)
    one = components(world["mc"])[0]
    assert post(client, attempt.id, "submit").status_code == 302
    submitted = db.session.scalars(sa.select(SubmittedEvidence)).all()
    as_(client, "rosa@example.org")
    base = f"/microcredentials/attempts/{attempt.id}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/versions/1").status_code == 404
    assert client.get(f"{base}/withdraw").status_code == 404
    token_ = token(client, "/microcredentials/mine")
    for path in ("submit", "withdraw", "coach", f"components/{one}"):
        response = client.post(f"{base}/{path}", data={"csrf_token": token_})
        assert response.status_code == 404, path
    for evidence in submitted:
        assert client.get(f"/microcredentials/evidence/{evidence.id}/file").status_code == 404
    assert "Behaviour Plans" not in client.get("/microcredentials/mine").get_data(as_text=True)
    db.session.expire_all()
    assert the_attempt().status == AttemptStatus.SUBMITTED


# ---------------------------------------------------------------------------- submit


def test_submit_names_what_is_missing(client, world):
    attempt = started(client, world)
    one = components(world["mc"])[0]
    save(client, attempt.id, one, "Only the first part.", 0)
    response = post(client, attempt.id, "submit")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Missing: Component 2" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0
    # Blank text counts as missing.
    save(client, attempt.id, components(world["mc"])[1], "   \n ", 0)
    assert not earning.submit(the_attempt(), world["pat"], utcnow()).ok


def test_submit_freezes_a_version_and_locks_the_drafts(client, world):
    attempt = filled(client, world)
    one, two = components(world["mc"])
    response = post(client, attempt.id, "submit")
    assert response.status_code == 302
    attempt = the_attempt()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.submissions_count == 1
    (submission,) = attempt.submissions
    assert submission.number == 1 and submission.status == SubmissionStatus.PRECHECK
    frozen = {e.component_id: e for e in submission.evidence}
    assert frozen[one].text == "I wrote a behaviour plan with the team."
    assert frozen[two].file_key == draft(attempt.id, two).file_key
    assert [m.kind for m in mails("mc_submitted")] == ["mc_submitted"]
    actions = [e.action for e in db.session.scalars(sa.select(MicrocredentialEvent))]
    assert MicrocredentialAction.SUBMITTED in actions
    # While it is assessed, nothing changes; a second submit is refused.
    body = save(client, attempt.id, one, "changed", 1).get_data(as_text=True)
    assert "Your evidence is submitted" in body
    assert draft(attempt.id, one).text == "I wrote a behaviour plan with the team."
    assert not earning.submit(the_attempt(), world["pat"], utcnow()).ok
    page = client.get(f"/microcredentials/attempts/{attempt.id}").get_data(as_text=True)
    assert "Waiting for the completeness check" in page and "Version 1" in page
    assert "hx-post" not in page
    # The frozen file is served to the member, to an assessor assigned, and to admins.
    url = f"/microcredentials/evidence/{frozen[two].id}/file"
    assert client.get(url).status_code == 200
    as_(client, "first@example.org")
    assert client.get(url).status_code == 404
    db.session.add(
        Assessment(
            submission_id=submission.id, assessor_id=world["first"].id, role=AssessorRole.FIRST
        )
    )
    db.session.commit()
    assert client.get(url).status_code == 200
    as_(client, "admin@example.org")
    assert client.get(url).status_code == 200


def test_window_closed(client, world):
    attempt = filled(client, world)
    attempt.window_ends_on = utcnow().date() - timedelta(days=1)
    db.session.commit()
    one = components(world["mc"])[0]
    body = save(client, attempt.id, one, "late words", 1).get_data(as_text=True)
    assert "window to submit ended" in body
    response = post(client, attempt.id, "submit")
    assert "window to submit ended" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert the_attempt().status == AttemptStatus.DRAFTING
    # The last day itself is still open.
    attempt = the_attempt()
    attempt.window_ends_on = utcnow().date()
    db.session.commit()
    assert earning.submit(the_attempt(), world["pat"], utcnow()).ok


# ---------------------------------------------------------------------------- returned


def return_version(world, attempt: Attempt, *, agree: bool = True) -> Submission:  # type: ignore[no-untyped-def]
    """What the assessor side does: two scorings (and a lead when they disagree), Not yet."""
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    submission = attempt.submissions[-1]
    criteria = [c for comp in attempt.microcredential.components for c in comp.criteria]
    now = utcnow()
    lead = (
        factories.person(
            f"lead{submission.id}@example.org", name="Lee Lead", roles=((Role.ASSESSOR, None),)
        )
        if not agree
        else None
    )
    for role, who, met_first in (
        (AssessorRole.FIRST, world["first"], False),
        (AssessorRole.SECOND, world["second"], not agree),
    ):
        assessment = Assessment(
            submission_id=submission.id,
            assessor_id=who.id,
            role=role,
            completed_at=now,
            comment=f"Comment from {who.full_name}",
        )
        for index, criterion in enumerate(criteria):
            met = True if index else met_first
            if not agree and role == AssessorRole.SECOND:
                met = True
            assessment.scores.append(
                Score(
                    criterion_id=criterion.id, met=met, feedback=f"Feedback {who.full_name} {index}"
                )
            )
        db.session.add(assessment)
    if lead is not None:
        assessment = Assessment(
            submission_id=submission.id,
            assessor_id=lead.id,
            role=AssessorRole.LEAD,
            completed_at=now,
        )
        for index, criterion in enumerate(criteria):
            assessment.scores.append(
                Score(criterion_id=criterion.id, met=bool(index), feedback=f"Lead says {index}")
            )
        db.session.add(assessment)
    submission.status = SubmissionStatus.NOT_YET
    submission.decided_at = now
    attempt.status = AttemptStatus.DRAFTING
    db.session.commit()
    return submission


def test_a_returned_version_shows_feedback_without_names_and_is_resubmitted(client, world):
    attempt = filled(client, world)
    post(client, attempt.id, "submit")
    # Scores of a version still being assessed are never shown.
    submission = the_attempt().submissions[0]
    submission.status = SubmissionStatus.ASSESSING
    db.session.add(
        Assessment(
            submission_id=submission.id,
            assessor_id=world["first"].id,
            role=AssessorRole.FIRST,
            completed_at=utcnow(),
            comment="Early secret comment",
        )
    )
    db.session.commit()
    page = client.get(f"/microcredentials/attempts/{attempt.id}").get_data(as_text=True)
    assert "Early secret comment" not in page and "With the assessors" in page
    db.session.execute(sa.delete(Assessment))
    db.session.commit()
    return_version(world, attempt)
    page = client.get(f"/microcredentials/attempts/{attempt.id}").get_data(as_text=True)
    assert "came back: not yet" in page and "Not yet" in page
    assert "Feedback Fiona First 0" in page and "Feedback Sam Second 0" in page
    assert "Comment from Fiona First" in page
    # Names appear only inside the feedback texts this test wrote, never as attribution.
    assert page.count("Fiona First") == page.count("Feedback Fiona First") + page.count(
        "Comment from Fiona First"
    )
    assert "hx-post" in page  # editable again
    one = components(world["mc"])[0]
    assert save(client, attempt.id, one, "Revised text.", 1).status_code == 200
    assert post(client, attempt.id, "submit").status_code == 302
    attempt = the_attempt()
    assert attempt.submissions_count == 2 and attempt.submissions[1].number == 2
    version_one = client.get(f"/microcredentials/attempts/{attempt.id}/versions/1")
    text = version_one.get_data(as_text=True)
    assert "I wrote a behaviour plan with the team." in text and "Revised text." not in text
    assert "Not yet" in text
    assert "Revised text." in client.get(
        f"/microcredentials/attempts/{attempt.id}/versions/2"
    ).get_data(as_text=True)


def test_when_they_disagreed_only_the_lead_decides_what_is_shown(client, world):
    attempt = filled(client, world)
    post(client, attempt.id, "submit")
    return_version(world, attempt, agree=False)
    page = client.get(f"/microcredentials/attempts/{attempt.id}").get_data(as_text=True)
    assert "Lead says 0" in page
    assert "Feedback Fiona First" not in page and "Feedback Sam Second" not in page
    assert "Lee Lead" not in page


def test_incomplete_version_shows_the_note(client, world):
    attempt = filled(client, world)
    post(client, attempt.id, "submit")
    attempt = the_attempt()
    submission = attempt.submissions[0]
    submission.status = SubmissionStatus.INCOMPLETE
    submission.precheck_note = "The reflection is missing its second half."
    attempt.status = AttemptStatus.DRAFTING
    db.session.commit()
    page = client.get(f"/microcredentials/attempts/{attempt.id}").get_data(as_text=True)
    assert "not complete" in page and "missing its second half" in page


def test_coach_after_the_third_return(client, world):
    attempt = filled(client, world)
    for _round in range(3):
        assert post(client, attempt.id, "submit").status_code == 302
        page = client.get(f"/microcredentials/attempts/{attempt.id}").get_data(as_text=True)
        assert "Ask for a coach" not in page
        db.session.execute(sa.delete(Assessment))
        db.session.commit()
        return_version(world, attempt)
    page = client.get(f"/microcredentials/attempts/{attempt.id}").get_data(as_text=True)
    assert "Ask for a coach" in page
    assert post(client, attempt.id, "coach").status_code == 302
    attempt = the_attempt()
    assert attempt.coach_requested_at is not None
    assert [m.to_email for m in mails("mc_coach_request")] == ["admin@example.org"]
    assert [m.to_email for m in mails("mc_coach_requested")] == ["pat@example.org"]
    page = client.get(f"/microcredentials/attempts/{attempt.id}").get_data(as_text=True)
    assert "You asked for a coach" in page and "Ask for a coach" not in page
    assert not earning.request_coach(the_attempt(), world["pat"], utcnow()).ok
    assert len(mails("mc_coach_request")) == 1


def test_coach_refused_before_the_third_return(ctx, world):
    attempt = earning.start(world["pat"], world["mc"], utcnow()).subject
    result = earning.request_coach(attempt, world["pat"], utcnow())
    assert not result.ok and attempt.coach_requested_at is None


# ---------------------------------------------------------------------------- withdraw, mine


def test_withdraw_after_a_confirmation(client, world):
    attempt = filled(client, world)
    post(client, attempt.id, "submit")
    page = client.get(f"/microcredentials/attempts/{attempt.id}/withdraw").get_data(as_text=True)
    assert "Withdraw from" in page and "Keep working on it" in page
    assert the_attempt().status == AttemptStatus.SUBMITTED  # the GET changed nothing
    assert post(client, attempt.id, "withdraw").status_code == 302
    attempt = the_attempt()
    assert attempt.status == AttemptStatus.WITHDRAWN and attempt.closed_at is not None
    assert attempt.submissions[0].status == SubmissionStatus.CLOSED
    assert [m.kind for m in mails("mc_withdrawn")] == ["mc_withdrawn"]
    page = client.get(f"/microcredentials/attempts/{attempt.id}").get_data(as_text=True)
    assert "Withdrawn" in page and "Submit my evidence" not in page
    # Started again: a new attempt with a new window.
    assert start(client, world["mc"].id).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)) == 2


def test_my_page_says_the_window_everywhere(client, world):
    attempt = started(client, world)
    attempt.window_ends_on = utcnow().date() + timedelta(days=39)
    db.session.commit()
    page = client.get("/microcredentials/mine").get_data(as_text=True)
    assert "Behaviour Plans" in page and "Writing evidence" in page
    assert "40 days left" in page and "Submit by" in page
    page = client.get(f"/microcredentials/attempts/{attempt.id}").get_data(as_text=True)
    assert "40 days left" in page
    assert "Micro-credentials</a>" in page  # the menu link


def test_in_spanish_pages_and_e_mail(client, world):
    rosa = world["rosa"]
    rosa.preferred_language = "es"
    world["mc"].name_es = "Planes de conducta"
    db.session.commit()
    as_(client, "rosa@example.org")
    page = client.get("/microcredentials/?lang=es").get_data(as_text=True)
    assert "Microcredenciales" in page and "Todas las familias" in page
    assert start(client, world["mc"].id).status_code == 302
    (mail,) = mails("mc_started")
    assert mail.subject == "Comenzó una microcredencial: Planes de conducta"
    page = client.get(f"/microcredentials/attempts/{the_attempt().id}?lang=es").get_data(
        as_text=True
    )
    assert "Envíe a más tardar el" in page and "días" in page and "Su evidencia para:" in page


# ---------------------------------------------------------------------------- query counts


def test_catalog_and_my_page_queries_do_not_grow_with_rows(client, world):
    stack = factories.stack("Continuum")
    for i in range(2):
        factories.microcredential(f"Few {i}", components=1, stack=stack, stack_position=i + 1)
    as_(client, "pat@example.org")
    earning.start(world["pat"], world["mc"], utcnow())
    few_catalog = queries_for(client, "/microcredentials/?family=paraeducators")
    few_mine = queries_for(client, "/microcredentials/mine")
    for i in range(12):
        created = factories.microcredential(
            f"Many {i}", components=1, job_family="paraeducators" if i % 2 else None
        )
        attempt = earning.start(world["pat"], created, utcnow()).subject
        if i % 3 == 0:
            attempt.status, attempt.closed_at = AttemptStatus.WITHDRAWN, utcnow()
            db.session.commit()
    assert queries_for(client, "/microcredentials/?family=paraeducators") == few_catalog
    assert queries_for(client, "/microcredentials/mine") == few_mine


def test_a_file_over_10_mb_is_refused_with_the_message(client, world):
    attempt = started(client, world)
    two = components(world["mc"])[1]
    big = files.pdf() + b"0" * (10 * 1024 * 1024 + 300 * 1024)
    response = attach(client, attempt.id, two, big)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "larger than 10 MB" in page and draft(attempt.id, two) is None


def test_a_save_without_its_revision_asks_for_a_reload(client, world):
    attempt = started(client, world)
    one = components(world["mc"])[0]
    page = f"/microcredentials/attempts/{attempt.id}"
    body = client.post(
        f"{page}/components/{one}",
        data={"csrf_token": token(client, page), "text": "words"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "reload it" in body and draft(attempt.id, one) is None
