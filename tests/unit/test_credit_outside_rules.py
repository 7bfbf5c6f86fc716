"""Outside PD credit rules as plain functions (issue 15, point 2): what a proof file really
is, where files are kept, and the date and hour rules of a request and a decision."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask import Flask

from esp_registry.credit.outside import rules
from esp_registry.credit.outside.models import OutsideKind
from esp_registry.files import checks, storage
from tests import outside_files as files

TODAY = date(2026, 12, 7)


@pytest.fixture
def app(tmp_path):  # type: ignore[no-untyped-def]
    """An app context only (no database): gettext and the storage URL."""
    application = Flask(__name__)
    application.config["UPLOAD_STORAGE_URL"] = str(tmp_path / "uploads")
    from flask_babel import Babel

    Babel(application)
    with application.app_context():
        yield application


def details(**changes: object) -> rules.Details:
    base = {
        "provider": "Red Cross",
        "title": "CPR",
        "description": "",
        "starts_on": date(2026, 12, 1),
        "ends_on": date(2026, 12, 2),
        "hours": Decimal(8),
    }
    base.update(changes)
    return rules.Details(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "content_type"),
    [
        (files.pdf, "application/pdf"),
        (lambda: files.pdf(pages=3), "application/pdf"),
        (files.image, "image/jpeg"),
        (lambda: files.image("PNG"), "image/png"),
        (lambda: files.image("JPEG", (4000, 3000)), "image/jpeg"),  # a 12 MP phone photo
    ],
)
def test_good_proofs_are_named_by_their_content(app, make, content_type):
    found = checks.check_proof(make())
    assert found.ok and found.content_type == content_type


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", checks.EMPTY),
        (b"%PDF-1.4\n" + b"0" * checks.MAX_BYTES, checks.TOO_BIG),
        (files.exe(), checks.WRONG_TYPE),
        (b"GIF89a" + b"\x00" * 40, checks.WRONG_TYPE),
        (b"<html><script>alert(1)</script></html>", checks.WRONG_TYPE),
        (files.png_bomb(), checks.TOO_MANY_PIXELS),
        (files.pdf_with_javascript(), checks.PDF_SCRIPT),
        (files.pdf_with_hidden_open_action(), checks.PDF_SCRIPT),
        (files.encrypted_pdf(), checks.PDF_LOCKED),
        (b"%PDF-1.7\nnothing else", checks.PDF_BROKEN),
        (files.image()[:300], checks.IMAGE_BROKEN),
    ],
)
def test_bad_proofs_are_refused_with_a_clear_message(app, data, message):
    found = checks.check_proof(data)
    assert not found.ok and found.message == str(message)


def test_storage_keeps_reads_and_deletes_by_key_on_disk(app, tmp_path):
    key = storage.store(b"%PDF-1.4 x", "application/pdf")
    assert key.endswith(".pdf") and storage.open_file(key) == b"%PDF-1.4 x"
    assert list((tmp_path / "uploads").rglob("*.pdf"))  # outside the web root, in instance/
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)  # gone already: no error
    with pytest.raises(storage.MissingFile):
        storage.open_file(key)


def test_storage_behind_an_fsspec_url(app):
    """memory:// stands for any fsspec file system (s3://bucket/prefix with s3fs)."""
    app.config["UPLOAD_STORAGE_URL"] = "memory://unit-uploads/prefix"
    key = storage.store(b"\x89PNG", "image/png")
    assert storage.open_file(key) == b"\x89PNG"
    storage.delete(key)
    assert not storage.exists(key)


@pytest.mark.parametrize("key", ["../secret_key", "a/../../x.pdf", "", "ABC.pdf", "x" * 32])
def test_storage_reads_only_keys_it_made(app, key):
    with pytest.raises(storage.MissingFile):
        storage.open_file(key)


@pytest.mark.parametrize(
    ("changes", "kind", "field"),
    [
        ({"ends_on": date(2026, 11, 30)}, OutsideKind.COMPLETED, "ends_on"),
        ({"ends_on": date(2026, 12, 8)}, OutsideKind.COMPLETED, "ends_on"),
        ({"hours": Decimal(0)}, OutsideKind.COMPLETED, "hours"),
        ({"hours": Decimal(-1)}, OutsideKind.COMPLETED, "hours"),
        ({"hours": Decimal("48.01")}, OutsideKind.COMPLETED, "hours"),
        ({"hours": Decimal("1.001")}, OutsideKind.COMPLETED, "hours"),
        ({"provider": ""}, OutsideKind.COMPLETED, "provider"),
        ({"title": "x" * 201}, OutsideKind.COMPLETED, "title"),
    ],
)
def test_request_problems(app, changes, kind, field):
    assert field in rules.detail_problems(details(**changes), kind, TODAY)


def test_what_a_request_may_be(app):
    assert rules.detail_problems(details(hours=Decimal(48)), OutsideKind.COMPLETED, TODAY) == {}
    one_day = details(starts_on=TODAY, ends_on=TODAY, hours=Decimal(24))
    assert rules.detail_problems(one_day, OutsideKind.COMPLETED, TODAY) == {}
    future = details(starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 3))
    assert rules.detail_problems(future, OutsideKind.PRE_APPROVAL, TODAY) == {}
    assert "ends_on" in rules.detail_problems(future, OutsideKind.COMPLETED, TODAY)


def test_decision_problems(app):
    training = SimpleNamespace(
        hours=Decimal(8), starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 1)
    )
    assert rules.decision_problems(training, True, Decimal(8), "") == {}
    assert "decision_note" in rules.decision_problems(training, True, Decimal(6), "")
    assert rules.decision_problems(training, True, Decimal(6), "Lunch") == {}
    assert "hours" in rules.decision_problems(training, True, Decimal(25), "Two days?")
    assert "decision_note" in rules.decision_problems(training, False, None, "")
    assert rules.decision_problems(training, False, None, "Not PD") == {}


def test_a_pdf_that_only_mentions_javascript_in_its_text_is_accepted(app):
    """Names in a dictionary's keys or actions count, not bytes inside strings or images."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    writer.add_metadata({"/Title": "Intro to JavaScript /JS 1", "/Subject": "x/JSy"})
    out = io.BytesIO()
    writer.write(out)
    assert checks.check_proof(out.getvalue()).ok
