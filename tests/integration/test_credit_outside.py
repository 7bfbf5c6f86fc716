"""Outside PD credit through the pages (issue 15, point 2): a member records training
taken elsewhere with proof, or asks for pre-approval; their affiliate's approver decides;
the member is e-mailed in their language; approved credit joins the transcript. Every bad
upload is refused by content with nothing stored, and only the member and the approvers
of their affiliate ever see a request or its file."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from esp_registry.accounts.models import Role, User
from esp_registry.certificates.transcript import transcript_for
from esp_registry.columns import utcnow
from esp_registry.credit.outside.models import (
    OutsideKind,
    OutsideStatus,
    OutsideTraining,
    OutsideTrainingEvent,
)
from esp_registry.extensions import db
from esp_registry.files import storage
from esp_registry.files.checks import MAX_BYTES
from esp_registry.notifications.models import OutboxMessage
from tests import factories
from tests import outside_files as files
from tests.conftest import Actions
from tests.integration.input_world import table_counts


def stored_files(app) -> list[str]:  # type: ignore[no-untyped-def]
    fs, root = storage._filesystem()
    return [p for p in fs.find(root)] if fs.exists(root) else []


@pytest.fixture
def people(ctx):  # type: ignore[no-untyped-def]
    pat = factories.person("pat@example.org", name="Pat Member")
    rosa = factories.person("rosa@example.org", name="Rosa Ruiz")
    rosa.preferred_language = "es"
    approver = factories.person(
        "approver.oh@example.org", name="Olga Approver", roles=((Role.AFFILIATE_APPROVER, "OH"),)
    )
    texas = factories.person(
        "approver.tx@example.org",
        name="Tex Approver",
        state="TX",
        roles=((Role.AFFILIATE_APPROVER, "TX"),),
    )
    admin = factories.person(
        "admin@example.org", name="Dana Admin", roles=((Role.NATIONAL_ADMIN, None),)
    )
    db.session.commit()
    return {"pat": pat, "rosa": rosa, "approver": approver, "texas": texas, "admin": admin}


def as_(client, email: str) -> Actions:  # type: ignore[no-untyped-def]
    actions = Actions(client)
    actions.sign_out()
    assert actions.sign_in(email).status_code == 302
    return actions


def form_token(client, url: str) -> str:  # type: ignore[no-untyped-def]
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def fields(**changes: object) -> dict[str, object]:
    today = utcnow().date()
    base: dict[str, object] = {
        "provider": "Columbus State Community College",
        "title": "CPR and First Aid",
        "starts_on": (today - timedelta(days=10)).isoformat(),
        "ends_on": (today - timedelta(days=9)).isoformat(),
        "hours": "8",
        "summary": "Two evenings, with a practical test.",
    }
    base.update(changes)
    return base


def upload(client, data: bytes | None, name: str = "certificate.pdf", kind: str = "", **changes):  # type: ignore[no-untyped-def]
    url = "/credit/outside/new" + ("?kind=pre_approval" if kind else "")
    payload = {"csrf_token": form_token(client, url), **fields(**changes)}
    if data is not None:
        payload["proof"] = (io.BytesIO(data), name, "application/pdf")
    return client.post(url, data=payload, content_type="multipart/form-data")


def the_one() -> OutsideTraining:
    db.session.expire_all()
    return db.session.scalars(sa.select(OutsideTraining)).one()


def decide(client, training_id: int, **data):  # type: ignore[no-untyped-def]
    url = f"/credit/outside/{training_id}"
    token = form_token(client, url)
    return client.post(f"{url}/decide", data={"csrf_token": token, **data})


def test_member_records_approver_approves_transcript_counts_it(client, people):
    member = as_(client, "pat@example.org")
    response = upload(client, files.pdf())
    assert response.status_code == 302
    training = the_one()
    assert training.status == OutsideStatus.PENDING and training.kind == OutsideKind.COMPLETED
    assert training.proof_type == "application/pdf" and storage.exists(training.proof_key)
    page = client.get("/credit/outside/").get_data(as_text=True)
    assert "CPR and First Aid" in page and "Waiting for a decision" in page
    # Not yet on the transcript.
    assert "CPR and First Aid" not in client.get("/transcript").get_data(as_text=True)

    as_(client, "approver.oh@example.org")
    queue = client.get("/credit/outside/queue").get_data(as_text=True)
    assert "Pat Member" in queue and "pat@example.org" in queue
    assert "Pat Member" in client.get("/credit/outside/queue?q=PAT@").get_data(as_text=True)
    assert "Pat Member" not in client.get("/credit/outside/queue?q=nobody").get_data(as_text=True)
    proof = client.get(f"/credit/outside/{training.id}/proof")
    assert proof.status_code == 200 and proof.data == files.pdf()
    assert proof.mimetype == "application/pdf"
    assert proof.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in proof.headers["Content-Security-Policy"]
    assert proof.headers["Cache-Control"].startswith("private")
    assert proof.headers["Content-Disposition"].startswith("attachment;")

    # Changing the hours needs a note; nothing is decided without one.
    refused = decide(client, training.id, decision="approve", hours="6")
    assert refused.status_code == 422 and "Say why the hours change" in refused.get_data(
        as_text=True
    )
    assert the_one().status == OutsideStatus.PENDING
    assert (
        decide(
            client, training.id, decision="approve", hours="6", decision_note="Lunch not counted"
        ).status_code
        == 302
    )
    training = the_one()
    assert training.status == OutsideStatus.APPROVED and training.approved_hours == Decimal(6)
    assert training.decided_by_id == people["approver"].id and training.decided_at is not None
    actions = [e.action for e in db.session.scalars(sa.select(OutsideTrainingEvent))]
    assert actions == ["submitted", "approved"]
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    assert mail.kind == "outside_approved" and mail.to_email == "pat@example.org"
    assert "approved" in mail.subject and "Lunch not counted" in mail.body_text

    # A second decision is refused: it is one-shot.
    again = decide(client, training.id, decision="decline", decision_note="No")
    assert again.status_code == 302
    assert the_one().status == OutsideStatus.APPROVED

    as_(client, "pat@example.org")
    page = client.get("/transcript").get_data(as_text=True)
    assert "CPR and First Aid" in page
    assert "Outside training, approved by Ohio on" in page
    assert "Columbus State Community College" in page
    member_obj = db.session.get(User, people["pat"].id)
    transcript = transcript_for(member_obj)
    assert transcript.total == Decimal(6) and transcript.trainings == 1
    assert transcript.years[0].total == Decimal(6)
    pdf = client.get("/transcript.pdf")
    pages = PdfReader(io.BytesIO(pdf.data)).pages
    text = " ".join(" ".join(p.extract_text().split()) for p in pages)
    assert "CPR and First Aid" in text and "Outside training, approved by Ohio" in text
    assert member  # signed in as the member above


def test_decline_needs_a_reason_and_mails_in_the_members_language(client, people):
    as_(client, "rosa@example.org")
    assert upload(client, files.image("PNG"), name="foto.png").status_code == 302
    training = the_one()
    assert training.proof_type == "image/png"
    as_(client, "approver.oh@example.org")
    assert decide(client, training.id, decision="decline").status_code == 422
    assert the_one().status == OutsideStatus.PENDING
    response = decide(client, training.id, decision="decline", decision_note="Not PD")
    assert response.status_code == 302
    training = the_one()
    assert training.status == OutsideStatus.DECLINED and training.decision_note == "Not PD"
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    assert mail.to_email == "rosa@example.org"
    assert "rechaz" in mail.subject.lower() or "no aprob" in mail.body_text.lower()
    assert "Not PD" in mail.body_text
    as_(client, "rosa@example.org")
    assert "CPR" not in client.get("/transcript").get_data(as_text=True)
    photo = client.get(f"/credit/outside/{training.id}/proof")
    assert photo.mimetype == "image/png"
    assert photo.headers["Content-Disposition"].startswith("inline;")


def test_pre_approval_then_completion_goes_back_marked_pre_approved(client, people):
    as_(client, "pat@example.org")
    future = utcnow().date() + timedelta(days=30)
    response = upload(
        client, None, kind="pre", starts_on=future.isoformat(), ends_on=future.isoformat()
    )
    assert response.status_code == 302
    asked = the_one()
    assert asked.kind == OutsideKind.PRE_APPROVAL and asked.proof_key is None
    # Completion cannot be recorded before the pre-approval.
    assert client.get(f"/credit/outside/{asked.id}/complete").status_code == 404

    as_(client, "approver.oh@example.org")
    assert decide(client, asked.id, decision="approve", hours="8").status_code == 302
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    assert "pre-approved" in mail.subject
    # A pre-approval is not credit.
    assert transcript_for(db.session.get(User, people["pat"].id)).trainings == 0

    as_(client, "pat@example.org")
    assert "Record completion" in client.get("/credit/outside/").get_data(as_text=True)
    url = f"/credit/outside/{asked.id}/complete"
    form = client.get(url).get_data(as_text=True)
    assert "CPR and First Aid" in form  # filled in from the pre-approval
    payload = {
        "csrf_token": form_token(client, url),
        **fields(hours="7.5"),
        "proof": (io.BytesIO(files.image()), "IMG_0042.JPG", "image/jpeg"),
    }
    assert client.post(url, data=payload, content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    done = db.session.scalar(
        sa.select(OutsideTraining).where(OutsideTraining.pre_approval_id == asked.id)
    )
    assert done.kind == OutsideKind.COMPLETED and done.hours == Decimal("7.5")
    assert client.get(url).status_code == 302  # recorded once
    as_(client, "approver.oh@example.org")
    queue = client.get("/credit/outside/queue").get_data(as_text=True)
    assert "pre-approved" in queue
    assert decide(client, done.id, decision="approve", hours="7.5").status_code == 302
    assert transcript_for(db.session.get(User, people["pat"].id)).total == Decimal("7.5")


BAD_UPLOADS = {
    "renamed exe": (files.exe, "certificate.pdf", "not a PDF or a JPEG or PNG photo"),
    "empty": (lambda: b"", "certificate.pdf", "The file is empty"),
    "over 10 MB": (lambda: b"%PDF-1.4\n" + b"0" * MAX_BYTES, "big.pdf", "larger than 10 MB"),
    "decompression bomb": (files.png_bomb, "photo.png", "too large to open"),
    "pdf with javascript": (files.pdf_with_javascript, "form.pdf", "contains JavaScript"),
    "hidden open action": (files.pdf_with_hidden_open_action, "a.pdf", "contains JavaScript"),
    "encrypted pdf": (files.encrypted_pdf, "locked.pdf", "password-protected"),
    "broken pdf": (lambda: b"%PDF-1.7\nnot really", "broken.pdf", "could not be read"),
    "truncated photo": (lambda: files.image()[:300], "IMG.jpg", "could not be read"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_bad_upload_is_refused_by_content_and_nothing_is_stored(client, people, case):
    make, name, message = BAD_UPLOADS[case]
    as_(client, "pat@example.org")
    before, files_before = table_counts(), stored_files(client.application)
    response = upload(client, make(), name=name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'id="proof-error"' in page
    assert table_counts() == before
    assert stored_files(client.application) == files_before


def test_a_body_over_the_limit_is_a_friendly_field_error_not_a_bare_413(client, people):
    as_(client, "pat@example.org")
    before = table_counts()
    response = upload(client, b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than 10 MB" in page and 'id="proof-error"' in page
    assert "<form" in page  # the form again, to choose a smaller file
    assert table_counts() == before


def test_a_completed_training_needs_proof_and_sane_dates_and_hours(client, people):
    as_(client, "pat@example.org")
    today = utcnow().date()
    cases = [
        ({}, None, "Attach the proof"),
        ({"hours": "0"}, files.pdf(), "Enter hours from 0.25 to 999"),
        ({"hours": "-3"}, files.pdf(), "Enter hours from 0.25 to 999"),
        ({"hours": "49"}, files.pdf(), "at most 48 hours"),
        (
            {"starts_on": today.isoformat(), "ends_on": (today + timedelta(days=1)).isoformat()},
            files.pdf(),
            "cannot end in the future",
        ),
        (
            {"starts_on": today.isoformat(), "ends_on": (today - timedelta(days=2)).isoformat()},
            files.pdf(),
            "on or after the start date",
        ),
        ({"title": "x" * 201}, files.pdf(), "200 characters or fewer"),
        ({"starts_on": "2026-02-30"}, files.pdf(), "Enter a date"),
    ]
    before, files_before = table_counts(), stored_files(client.application)
    for changes, data, message in cases:
        response = upload(client, data, **changes)
        assert response.status_code == 422, changes
        assert message in response.get_data(as_text=True), (changes, message)
    assert table_counts() == before
    assert stored_files(client.application) == files_before


def test_only_the_member_and_their_affiliates_approvers_see_a_request(client, people):
    as_(client, "pat@example.org")
    upload(client, files.pdf())
    training = the_one()
    urls = [
        f"/credit/outside/{training.id}",
        f"/credit/outside/{training.id}/proof",
    ]
    for email in ("rosa@example.org", "approver.tx@example.org"):
        as_(client, email)
        for url in urls:
            assert client.get(url).status_code == 404, (email, url)
        assert decide_as_other(client, training.id) == 404
    as_(client, "approver.tx@example.org")
    assert "Pat Member" not in client.get("/credit/outside/queue").get_data(as_text=True)
    as_(client, "rosa@example.org")
    assert client.get("/credit/outside/queue").status_code == 404
    Actions(client).sign_out()
    for url in urls:
        assert client.get(url).status_code in (302, 404)  # to sign in; nothing shown
        assert b"CPR" not in client.get(url, follow_redirects=True).data
    for email in ("pat@example.org", "approver.oh@example.org", "admin@example.org"):
        as_(client, email)
        for url in urls:
            assert client.get(url).status_code == 200, (email, url)
    # The member never decides their own request.
    as_(client, "pat@example.org")
    assert decide_as_other(client, training.id) == 404
    assert the_one().status == OutsideStatus.PENDING


def decide_as_other(client, training_id: int) -> int:  # type: ignore[no-untyped-def]
    token = form_token(client, "/credit/outside/")
    return client.post(
        f"/credit/outside/{training_id}/decide",
        data={"csrf_token": token, "decision": "approve", "hours": "8"},
    ).status_code


def test_the_upload_form_checks_its_csrf_token(client, people):
    as_(client, "pat@example.org")
    payload = {**fields(), "proof": (io.BytesIO(files.pdf()), "c.pdf", "application/pdf")}
    response = client.post("/credit/outside/new", data=payload, content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutsideTraining)) == 0


def test_a_file_whose_row_fails_is_removed(ctx, people, monkeypatch):
    """The proof is stored, then the row written: when the database refuses, the file goes."""
    from esp_registry.credit.outside import rules

    member = db.session.get(User, people["pat"].id)
    today = utcnow().date()
    details = rules.Details("P", "T", "", today, today, Decimal(1))

    def broken_flush(*_a, **_k):  # type: ignore[no-untyped-def]
        raise RuntimeError("database gone")

    files_before = stored_files(ctx)
    monkeypatch.setattr(db.session, "flush", broken_flush)
    with pytest.raises(RuntimeError):
        rules.record(member, details, OutsideKind.COMPLETED, files.pdf())
    monkeypatch.undo()
    assert stored_files(ctx) == files_before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutsideTraining)) == 0


def test_my_data_lists_outside_training_and_closing_removes_the_proofs(client, people):
    as_(client, "pat@example.org")
    upload(client, files.pdf())
    first = the_one()
    as_(client, "approver.oh@example.org")
    assert decide(client, first.id, decision="approve", hours="8").status_code == 302
    actions = as_(client, "pat@example.org")
    upload(client, files.image(), name="IMG_1.JPG", title="Waiting one")
    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutsideTraining).order_by(OutsideTraining.id)).all()
    keys = [r.proof_key for r in rows]
    data = client.get("/account/data").get_json()
    assert [t["title"] for t in data["outside_training"]] == ["CPR and First Aid", "Waiting one"]
    assert data["outside_training"][0]["status"] == "approved"

    response = actions.post("/account/close", {"password": factories.PASSWORD, "understood": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    approved, waiting = db.session.scalars(
        sa.select(OutsideTraining).order_by(OutsideTraining.id)
    ).all()
    assert approved.status == OutsideStatus.APPROVED and approved.description == ""
    assert waiting.status == OutsideStatus.DECLINED and waiting.decision_note
    assert not any(storage.exists(key) for key in keys)
