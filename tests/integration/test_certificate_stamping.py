"""Certificates stamped onto one laid-out page look and read like WeasyPrint's own."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from esp_registry.accounts.models import User
from esp_registry.certificates import render
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import display_code, issue_for_offering
from esp_registry.extensions import db
from tests.integration.test_certificates import attended
from tests.integration.test_certificates_full import offering_with_attendees

LONG_NAME = "Maria de los Angeles Guadalupe Fernández-Villanueva de la Torre y Castellanos"
NAMES = ["José Ñúñez-Ålvarez", "Nguyễn Thị Hương", LONG_NAME]


def bulk_pdf(ctx, names: list[str]):  # type: ignore[no-untyped-def]
    offering = offering_with_attendees(len(names))
    people = db.session.scalars(
        sa.select(User).where(User.email.like("attendee%")).order_by(User.id)
    ).all()
    for person, name in zip(people, names, strict=True):
        person.full_name = name
    db.session.commit()
    with ctx.test_request_context():
        printables = issue_for_offering(offering)
        db.session.commit()
        pages = render.pages_for(printables, offering)
        return render.certificates_pdf(offering, pages), pages


def drawn(page) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    """(text, size in points, x in points) of every text the page draws."""
    texts = []

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            texts.append((text.strip(), abs(size * tm[3] * cm[3]), tm[4] * cm[0] + cm[4]))

    page.extract_text(visitor_text=visit)
    return texts


def test_bulk_pages_are_stamped_and_read_in_layout_order(ctx):
    pdf, pages = bulk_pdf(ctx, NAMES)
    reader = PdfReader(io.BytesIO(pdf))
    assert [p.name for p in pages] == sorted(NAMES)
    for page, expected in zip(reader.pages, pages, strict=True):
        # Stamped, not laid out in full: this fails first if WeasyPrint's internals move.
        assert "/Stamp0" in page["/Resources"]["/Font"]
        text = " ".join(page.extract_text().split())
        assert f"This certifies that {expected.name} attended" in text
        assert "Contact hours 3 " in text and "Job family Paraeducators" in text
        assert "Affiliate Ohio Verify this certificate at" not in text  # the foot comes later
        assert f"{expected.issued} Verify this certificate at {expected.url}" in text
        assert f"Code: {expected.code}" in text


def test_a_long_name_shrinks_to_one_centred_line(ctx):
    pdf, pages = bulk_pdf(ctx, ["Rosa Delgado", LONG_NAME])
    sizes = {}
    for page, expected in zip(PdfReader(io.BytesIO(pdf)).pages, pages, strict=True):
        ((_, size, x),) = [t for t in drawn(page) if t[0] == expected.name]
        sizes[expected.name] = (size, x)
    assert sizes["Rosa Delgado"][0] == pytest.approx(28, abs=0.1)
    size, x = sizes[LONG_NAME]
    assert 12 < size < 24
    # Within the name's room: the frame's padding plus a tenth of the width on each side.
    assert x > (0.45 + 0.7) * 72 + 0.1 * (11 - 2 * 1.15) * 72 - 1


def test_single_certificate_is_the_same_page_as_the_bulk_one(client, actions):
    registration = attended()
    actions.sign_in("rosa@example.org")
    single = client.get(f"/registrations/{registration.id}/certificate.pdf").data
    certificate = db.session.scalar(sa.select(Certificate))
    with client.application.test_request_context():
        offering = render.load_offering_for_print(registration.offering_id)
        bulk = render.certificates_pdf(
            offering, render.pages_for(issue_for_offering(offering), offering)
        )
        db.session.commit()
    single_page, bulk_page = (
        PdfReader(io.BytesIO(single)).pages[0],
        PdfReader(io.BytesIO(bulk)).pages[0],
    )
    assert "/Stamp0" in single_page["/Resources"]["/Font"]
    assert single_page.extract_text() == bulk_page.extract_text()
    assert display_code(certificate.code) in single_page.extract_text()
    assert PdfReader(io.BytesIO(single)).metadata.title.endswith("Rosa Delgado")


def test_certificate_in_spanish_has_spanish_labels(client, actions):
    registration = attended()
    actions.sign_in("rosa@example.org")
    url = f"/registrations/{registration.id}/certificate.pdf"
    english = PdfReader(io.BytesIO(client.get(url).data)).pages[0].extract_text()
    client.get("/?lang=es")
    spanish = PdfReader(io.BytesIO(client.get(url).data)).pages[0].extract_text()
    assert "Contact hours" in english and "Horas de contacto" not in english
    assert "Horas de contacto" in spanish and "Contact hours" not in spanish
    assert "Emitido el" in spanish and "Rosa Delgado" in spanish
    # Reference names in the reader's language too: program, host and job family.
    assert "Beat Privatization: A Step-by-Step Crisis Action Plan" in english
    assert "Beat Privatization: plan de acción paso a paso ante una crisis" in spanish
    assert "Servicios de Alimentación" in spanish and "Food Services" in english


def test_every_bulk_page_qr_code_scans_to_its_verification_page(ctx, tmp_path):
    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        if os.environ.get("REQUIRE_PDF_TOOLS") == "1":
            pytest.fail(
                "pdftoppm and zbarimg are required (apt-get install poppler-utils zbar-tools)"
            )
        pytest.skip("pdftoppm or zbarimg not installed")
    pdf, pages = bulk_pdf(ctx, NAMES)
    (tmp_path / "bulk.pdf").write_bytes(pdf)
    # A low resolution on purpose: the code must stay crisp, not only at print quality.
    subprocess.run(
        ["pdftoppm", "-png", "-r", "72", str(tmp_path / "bulk.pdf"), str(tmp_path / "page")],
        check=True,
    )
    for number, expected in enumerate(pages, start=1):
        scanned = subprocess.run(
            ["zbarimg", "-q", "--raw", str(tmp_path / f"page-{number}.png")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert scanned == expected.url


def test_without_a_usable_font_every_page_is_laid_out_in_full(ctx, monkeypatch):
    """No fontconfig, or a font that is not TrueType: slower, but the same certificates."""
    from esp_registry.certificates import stamping

    monkeypatch.setattr(stamping, "css_font_file", lambda *args: None)
    render.forget_backgrounds()
    try:
        pdf, pages = bulk_pdf(ctx, NAMES)
    finally:
        render.forget_backgrounds()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(pages)
    for page, expected in zip(reader.pages, pages, strict=True):
        assert not any(name.startswith("/Stamp") for name in page["/Resources"]["/Font"])
        text = " ".join(page.extract_text().split())  # a long name wraps here
        assert expected.name in text and expected.code in text
