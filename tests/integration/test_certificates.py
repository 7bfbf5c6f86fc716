from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa
from pypdf import PdfReader

from esp_registry.accounts.models import Role
from esp_registry.attendance import rules as attendance_rules
from esp_registry.attendance.models import AttendanceStatus
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import CODE_LENGTH, display_code
from esp_registry.extensions import db
from esp_registry.registrations import rules as registration_rules
from tests import factories


def attended(hours: str = "4.5", present: bool = True):  # type: ignore[no-untyped-def]
    facilitator = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    offering = factories.offering(
        "Beat Privatization workshop (Columbus)",
        starts_in=-timedelta(days=3),
        hours=hours,
        facilitators=(facilitator,),
        host="OH",
        venue="OEA Building, Columbus",
    )
    member = factories.person("rosa@example.org", name="Rosa Delgado", job_family="food-services")
    registration = registration_rules.register(
        member, offering, now=offering.sessions[0].starts_at - timedelta(days=1)
    ).registration
    status = AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT
    attendance_rules.mark(offering.sessions[0], registration, status, facilitator)
    return registration


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def test_member_downloads_certificate_with_everything_on_it(client, actions):
    registration = attended()
    actions.sign_in("rosa@example.org")
    page = client.get("/my-trainings").get_data(as_text=True)
    assert "Download certificate" in page and "4.5 hours credited" in page

    response = client.get(f"/registrations/{registration.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    certificate = db.session.scalar(sa.select(Certificate))
    text = pdf_text(response.data)
    for expected in (
        "Rosa Delgado",
        "Beat Privatization workshop (Columbus)",
        "Beat Privatization: A Step-by-Step Crisis Action Plan",
        "Contact hours 4.5",
        "Food Services",
        "Ohio",
        display_code(certificate.code),
        f"http://verify.test/verify/{certificate.code}",
    ):
        assert expected in text, expected
    # A second download is the same certificate, not a new code.
    client.get(f"/registrations/{registration.id}/certificate.pdf")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1


def test_no_certificate_without_attendance(client, actions):
    registration = attended(present=False)
    actions.sign_in("rosa@example.org")
    assert "Download certificate" not in client.get("/my-trainings").get_data(as_text=True)
    assert client.get(f"/registrations/{registration.id}/certificate.pdf").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0


def test_only_the_member_downloads_their_certificate(client, actions):
    registration = attended()
    url = f"/registrations/{registration.id}/certificate.pdf"
    assert "/signin" in client.get(url).headers["Location"]
    factories.person("nosy@example.org")
    actions.sign_in("nosy@example.org")
    assert client.get(url).status_code == 404
    actions.sign_out()
    actions.sign_in("fac@example.org")
    assert client.get(url).status_code == 404


def test_verify_page_confirms_and_shows_nothing_private(client, actions):
    registration = attended()
    actions.sign_in("rosa@example.org")
    client.get(f"/registrations/{registration.id}/certificate.pdf")
    actions.sign_out()
    code = db.session.scalar(sa.select(Certificate.code))
    assert len(code) == CODE_LENGTH

    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "valid certificate" in page
    assert "Rosa Delgado" in page and "4.5" in page and "Beat Privatization workshop" in page
    assert "rosa@example.org" not in page and "food-services" not in page

    # Typed from paper: lower case with dashes, O for 0 and so on, still verifies.
    typed = display_code(code).lower()
    assert client.get(f"/verify/{typed}").status_code == 200
    assert client.get(f"/verify?code={typed}").status_code == 302

    unknown = client.get("/verify/AAAA-BBBB-CCCC-DDDD")
    assert unknown.status_code == 404
    assert "No certificate has the code" in unknown.get_data(as_text=True)
    assert client.get("/verify/" + "x" * 300).status_code == 404


def test_revoked_certificate_says_so(client, actions):
    registration = attended()
    actions.sign_in("rosa@example.org")
    client.get(f"/registrations/{registration.id}/certificate.pdf")
    certificate = db.session.scalar(sa.select(Certificate))
    certificate.revoked_at = certificate.issued_at + timedelta(days=1)
    certificate.revoked_reason = "Signed in for someone else"
    db.session.commit()
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "was revoked on" in page and "valid certificate" not in page
    assert client.get(f"/registrations/{registration.id}/certificate.pdf").status_code == 404


def test_certificate_qr_code_scans_to_the_verification_page(client, actions, tmp_path):
    """Render the PDF to an image and decode the QR code, as a phone would."""
    import os
    import shutil
    import subprocess

    import pytest

    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        if os.environ.get("REQUIRE_PDF_TOOLS") == "1":
            pytest.fail(
                "pdftoppm and zbarimg are required (apt-get install poppler-utils zbar-tools)"
            )
        pytest.skip("pdftoppm or zbarimg not installed")
    registration = attended()
    actions.sign_in("rosa@example.org")
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(client.get(f"/registrations/{registration.id}/certificate.pdf").data)
    subprocess.run(["pdftoppm", "-png", "-r", "200", str(pdf), str(tmp_path / "page")], check=True)
    scanned = subprocess.run(
        ["zbarimg", "-q", "--raw", str(tmp_path / "page-1.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    code = db.session.scalar(sa.select(Certificate.code))
    assert scanned == f"http://verify.test/verify/{code}"
