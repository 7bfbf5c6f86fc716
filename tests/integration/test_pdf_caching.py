"""A repeat download of a PDF whose content has not changed is answered 304 Not Modified
from its ETag, without rendering it again; any change to what it prints is a new ETag."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from esp_registry.accounts.models import Role, User
from esp_registry.certificates import routes
from esp_registry.certificates.models import Certificate, CertificatePrintJob
from esp_registry.certificates.printing import run_print_job
from esp_registry.certificates.rules import display_code
from esp_registry.extensions import db
from esp_registry.mentoring import rules as mentoring_rules
from tests import factories
from tests.integration.mentoring_world import paired, the_admin
from tests.integration.test_certificates import attended
from tests.integration.test_certificates_full import offering_with_attendees
from tests.integration.test_mentoring_pages import pdf_text
from tests.integration.test_transcript import training


def not_rendered(*_args: object) -> bytes:
    raise AssertionError("a 304 must not render the PDF again")


def assert_private(response) -> None:  # type: ignore[no-untyped-def]
    directives = {d.strip() for d in response.headers["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= directives and "public" not in directives


def download(client, url: str, etag: str | None = None):  # type: ignore[no-untyped-def]
    return client.get(url, headers={"If-None-Match": f'"{etag}"'} if etag else {})


def rename(email: str, name: str) -> None:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    user.full_name = name
    db.session.commit()


def test_certificate_repeat_download_is_304_without_rendering(client, actions, monkeypatch):
    registration = attended()
    url = f"/registrations/{registration.id}/certificate.pdf"
    actions.sign_in("rosa@example.org")
    first = download(client, url)
    assert first.status_code == 200 and "Rosa Delgado" in pdf_text(first.data)
    etag = first.get_etag()[0]
    assert etag and not first.get_etag()[1]  # a strong tag
    assert_private(first)

    with monkeypatch.context() as patched:
        patched.setattr(routes, "certificate_pdf", not_rendered)
        again = download(client, url, etag)
        assert again.status_code == 304 and again.data == b""
        assert again.get_etag()[0] == etag
        assert_private(again)
        # A tag the browser weakened (a proxy compressed it) still matches.
        assert client.get(url, headers={"If-None-Match": f'W/"{etag}"'}).status_code == 304
    # Another language prints other words: not the same PDF.
    spanish = download(client, url + "?lang=es", etag)
    assert spanish.status_code == 200 and spanish.get_etag()[0] != etag
    assert download(client, url + "?lang=en", etag).status_code == 304

    # A new name: the certificate is reissued under it, with a new code and a new tag.
    rename("rosa@example.org", "Rosa Delgado-Ruiz")
    changed = download(client, url, etag)
    assert changed.status_code == 200 and changed.get_etag()[0] != etag
    certificate = db.session.scalar(
        sa.select(Certificate).where(Certificate.replaced_by_id.is_(None))
    )
    assert "Rosa Delgado-Ruiz" in pdf_text(changed.data)
    assert display_code(certificate.code) in pdf_text(changed.data)
    actions.sign_out()

    # Someone else's tag opens nothing: the certificate is not theirs (404 as before).
    factories.person("nosy@example.org")
    actions.sign_in("nosy@example.org")
    with monkeypatch.context() as patched:
        patched.setattr(routes, "certificate_pdf", not_rendered)
        assert download(client, url, changed.get_etag()[0]).status_code == 404


def test_mentoring_certificate_repeat_download_is_304_until_it_changes(
    client, actions, monkeypatch
):
    pairing = paired()
    today = datetime.now(UTC).date()
    mentoring_rules.log_activity(
        pairing, pairing.mentor, mentoring_rules.LogEntry("coaching", today, Decimal("2"))
    )
    assert mentoring_rules.complete_pairing(pairing, the_admin()).ok
    url = f"/mentoring/pairings/{pairing.id}/certificate.pdf"
    actions.sign_in("mentor@example.org")
    first = download(client, url)
    assert first.status_code == 200 and "Noah Newcomer" in pdf_text(first.data)
    etag = first.get_etag()[0]
    assert_private(first)
    with monkeypatch.context() as patched:
        patched.setattr(routes, "mentoring_certificate_pdf", not_rendered)
        assert download(client, url, etag).status_code == 304

    # The mentee's new name is printed on the mentor's certificate: a new PDF.
    rename("mentee@example.org", "Noah Newman")
    changed = download(client, url, etag)
    assert changed.status_code == 200 and changed.get_etag()[0] != etag
    assert "Noah Newman" in pdf_text(changed.data)
    actions.sign_out()

    factories.person("nosy@example.org")
    actions.sign_in("nosy@example.org")
    assert download(client, url, changed.get_etag()[0]).status_code == 404


def test_transcript_repeat_download_is_304_until_a_training_is_added(client, actions, monkeypatch):
    facilitator = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    member = factories.person("rosa@example.org", name="Rosa Delgado")
    training(member, facilitator, "Bargaining basics", datetime(2024, 10, 2, 15, tzinfo=UTC))
    actions.sign_in("rosa@example.org")
    first = download(client, "/transcript.pdf")
    assert first.status_code == 200 and "Bargaining basics" in pdf_text(first.data)
    etag = first.get_etag()[0]
    assert_private(first)
    with monkeypatch.context() as patched:
        patched.setattr(routes, "transcript_pdf", not_rendered)
        again = download(client, "/transcript.pdf", etag)
        assert again.status_code == 304 and again.data == b""
        assert_private(again)

    training(member, facilitator, "Safety on the bus", datetime(2025, 4, 9, 15, tzinfo=UTC))
    changed = download(client, "/transcript.pdf", etag)
    assert changed.status_code == 200 and changed.get_etag()[0] != etag
    assert "Safety on the bus" in pdf_text(changed.data)
    actions.sign_out()

    # Another member sending Rosa's tag gets their own transcript, never a 304 for hers.
    other = factories.person("other@example.org", name="Other Person")
    training(other, facilitator, "Not Rosa's", datetime(2025, 7, 9, 15, tzinfo=UTC))
    actions.sign_in("other@example.org")
    theirs = download(client, "/transcript.pdf", changed.get_etag()[0])
    assert theirs.status_code == 200 and "Other Person" in pdf_text(theirs.data)
    assert "Rosa" not in pdf_text(theirs.data).replace("Not Rosa's", "")


@pytest.mark.usefixtures("ctx")
def test_bulk_print_download_answers_a_repeat_with_304(client, actions, tmp_path, ctx):
    ctx.config["CERTIFICATE_PRINTS_DIR"] = str(tmp_path)
    offering = offering_with_attendees(2)
    actions.sign_in("fac@example.org")
    actions.post(f"/offerings/{offering.id}/certificates/print")
    job = run_print_job(db.session.scalar(sa.select(CertificatePrintJob.id)))
    url = f"/certificate-prints/{job.id}/certificates.pdf"
    first = download(client, url)
    assert first.status_code == 200 and first.get_etag()[0]
    assert_private(first)
    again = download(client, url, first.get_etag()[0])
    assert again.status_code == 304 and again.data == b""
