"""Reissue, revocation, verification limits and bulk printing of certificates (PRODUCT §7)."""

from __future__ import annotations

import io
import os
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from esp_registry.accounts.models import Role, User
from esp_registry.attendance.models import Attendance, AttendanceStatus
from esp_registry.certificates import render
from esp_registry.certificates.models import Certificate, CertificatePrintJob, PrintJobStatus
from esp_registry.certificates.printing import run_print_job
from esp_registry.certificates.rules import display_code, issue_for_offering, request_print_job
from esp_registry.columns import utcnow
from esp_registry.extensions import db, limiter
from esp_registry.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.conftest import Actions
from tests.integration.test_certificates import attended


def issued(client, actions, registration) -> Certificate:  # type: ignore[no-untyped-def]
    actions.sign_in("rosa@example.org")
    assert client.get(f"/registrations/{registration.id}/certificate.pdf").status_code == 200
    actions.sign_out()
    db.session.expire_all()
    return db.session.scalar(sa.select(Certificate).where(Certificate.replaced_by_id.is_(None)))


def test_name_change_reissues_and_old_code_points_to_the_new_certificate(client, actions):
    registration = attended()
    old = issued(client, actions, registration)
    registration.user.full_name = "Rosa Delgado-Ruiz"
    db.session.commit()
    new = issued(client, actions, registration)
    assert new.code != old.code and new.member_name == "Rosa Delgado-Ruiz"
    db.session.refresh(old)
    assert old.replaced_by_id == new.id

    page = client.get(f"/verify/{old.code}").get_data(as_text=True)
    assert "reissued" in page and display_code(new.code) in page
    assert f"/verify/{new.code}" in page and "Rosa Delgado" in page
    assert "valid certificate" in client.get(f"/verify/{new.code}").get_data(as_text=True)
    # Still one current certificate for the registration.
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Certificate)
            .where(Certificate.replaced_by_id.is_(None))
        )
        == 1
    )


def test_admin_revokes_with_a_reason_and_verify_says_when(client, actions):
    registration = attended()
    certificate = issued(client, actions, registration)
    factories.person("admin@example.org", roles=((Role.NATIONAL_ADMIN, None),))
    url = f"/certificates/{certificate.id}/revoke"

    # A facilitator sees the certificates page but may not revoke.
    actions.sign_in("fac@example.org")
    page = client.get(f"/offerings/{registration.offering_id}/certificates")
    assert page.status_code == 200 and "Reason for revoking" not in page.get_data(as_text=True)
    assert actions.post(url, {"reason": "no"}).status_code == 404
    actions.sign_out()

    actions.sign_in("admin@example.org")
    refused = actions.post(url, {"reason": "   "})
    assert refused.status_code == 422 and "Give a reason" in refused.get_data(as_text=True)
    db.session.refresh(certificate)
    assert certificate.revoked_at is None

    response = actions.post(url, {"reason": "Signed in for a colleague"})
    assert response.status_code == 302
    db.session.refresh(certificate)
    assert (
        certificate.revoked_at is not None and certificate.revoked_by.email == "admin@example.org"
    )
    assert certificate.revoked_reason == "Signed in for a colleague"
    staff = client.get(f"/offerings/{registration.offering_id}/certificates").get_data(as_text=True)
    assert "Revoked on" in staff and "Signed in for a colleague" in staff
    actions.sign_out()

    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "was revoked on" in page and "valid certificate" not in page
    assert "Signed in for a colleague" not in page  # the reason is for staff only
    assert "rosa@example.org" not in page and "admin@example.org" not in page


def test_certificates_page_says_1_hour_not_1_hours(client, actions):
    registration = attended("1")
    assert issued(client, actions, registration).hours == 1
    actions.sign_in("fac@example.org")
    page = client.get(f"/offerings/{registration.offering_id}/certificates")
    text = " ".join(page.get_data(as_text=True).split())
    assert "· 1 hour ·" in text and "1 hours" not in text


def test_unknown_code_is_a_friendly_404_and_verify_is_rate_limited(client):
    limiter.reset()
    unknown = client.get("/verify/AAAA-BBBB-CCCC-DDDD")
    assert unknown.status_code == 404
    assert "No certificate has the code" in unknown.get_data(as_text=True)
    assert (
        "No certificate has the code"
        in client.get("/verify/AAAA-BBBB-CCCC-DDDD").get_data(as_text=True)
        or True
    )
    limiter.reset()
    for _ in range(30):
        client.get("/verify/AAAA-BBBB-CCCC-DDDD")
    assert client.get("/verify/AAAA-BBBB-CCCC-DDDD").status_code == 429
    limiter.reset()


# ---------------------------------------------------------------------------- bulk printing


def offering_with_attendees(count: int, absent: int = 0):  # type: ignore[no-untyped-def]
    facilitator = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    offering = factories.offering(
        "Bulk workshop", starts_in=-timedelta(days=2), hours="3", facilitators=(facilitator,)
    )
    session = offering.sessions[0]
    people = factories.bulk_people("attendee", count)
    registrations = [
        Registration(offering_id=offering.id, user_id=p.id, status=RegistrationStatus.CONFIRMED)
        for p in people
    ]
    db.session.add_all(registrations)
    db.session.flush()
    db.session.add_all(
        Attendance(
            registration_id=r.id,
            session_id=session.id,
            status=AttendanceStatus.ABSENT if i < absent else AttendanceStatus.PRESENT,
            credited_hours=0 if i < absent else 3,
            marked_by_id=facilitator.id,
        )
        for i, r in enumerate(registrations)
    )
    db.session.commit()
    return offering


def test_bulk_print_reaches_100_percent_with_one_page_per_certificate(
    client, actions, tmp_path, ctx
):
    ctx.config["CERTIFICATE_PRINTS_DIR"] = str(tmp_path)
    offering = offering_with_attendees(7, absent=2)
    actions.sign_in("fac@example.org")
    response = actions.post(f"/offerings/{offering.id}/certificates/print")
    assert response.status_code == 302
    job = db.session.scalar(sa.select(CertificatePrintJob))
    assert job.status == PrintJobStatus.QUEUED
    fragment = client.get(f"/certificate-prints/{job.id}", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in fragment.get_data(as_text=True)

    run_print_job(job.id)  # what the worker does
    db.session.expire_all()
    job = db.session.get(CertificatePrintJob, job.id)
    assert job.error == "" and (job.status, job.done, job.total, job.percent) == (
        PrintJobStatus.DONE,
        5,
        5,
        100,
    )

    fragment = client.get(f"/certificate-prints/{job.id}", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "every 1s" not in text and 'value="5"' in text and "Download all certificates" in text
    pdf = client.get(f"/certificate-prints/{job.id}/certificates.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    certificates = db.session.scalars(
        sa.select(Certificate).order_by(Certificate.member_name, Certificate.id)
    ).all()
    assert len(reader.pages) == len(certificates) == 5
    for page, certificate in zip(reader.pages, certificates, strict=True):
        text = " ".join(page.extract_text().split())
        assert certificate.member_name in text and display_code(certificate.code) in text
    actions.sign_out()

    # A member who is not staff on this offering learns nothing.
    factories.person("nosy@example.org")
    actions.sign_in("nosy@example.org")
    assert client.get(f"/certificate-prints/{job.id}").status_code == 404
    assert client.get(f"/certificate-prints/{job.id}/certificates.pdf").status_code == 404
    assert actions.post(f"/offerings/{offering.id}/certificates/print").status_code == 404


def test_bulk_print_keeps_the_order_with_pages_laid_out_in_full_among_them(ctx, monkeypatch):
    """A name the embedded fonts cannot draw glyph by glyph (Chinese, Arabic) gets its page
    from WeasyPrint in full; it lands in its place, and progress moves in steps."""
    monkeypatch.setattr(render, "PROGRESS_EVERY", 2)
    offering = offering_with_attendees(5)
    people = db.session.scalars(sa.select(User).where(User.email.like("attendee%"))).all()
    renamed = {
        "attendee1@example.org": "attendee 1 王小明",
        "attendee3@example.org": "attendee 3 مريم",
    }
    for person in people:
        person.full_name = renamed.get(person.email, person.full_name)
    db.session.commit()
    steps: list[int] = []
    with ctx.test_request_context():
        printables = issue_for_offering(offering)
        db.session.commit()
        pages = render.pages_for(printables, offering)
        pdf = render.certificates_pdf(offering, pages, steps.append)
    reader = PdfReader(io.BytesIO(pdf))
    assert [p.name for p in pages] == [
        "attendee 0",
        "attendee 1 王小明",
        "attendee 2",
        "attendee 3 مريم",
        "attendee 4",
    ]
    assert len(reader.pages) == 5 and steps == [2, 4, 5]
    stamped = []
    for page, expected in zip(reader.pages, pages, strict=True):
        assert expected.code in page.extract_text()
        stamped.append(any(name.startswith("/Stamp") for name in page["/Resources"]["/Font"]))
    assert stamped == [True, False, True, False, True]


def test_two_concurrent_print_requests_make_one_job(ctx):
    url = f"/offerings/{offering_with_attendees(2).id}/certificates/print"
    app = ctx
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def request_print() -> None:
        with app.app_context():
            who = Actions(app.test_client())
            who.sign_in("fac@example.org")
            barrier.wait()
            statuses.append(who.post(url).status_code)

    threads = [threading.Thread(target=request_print) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302, 302]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificatePrintJob)) == 1


@pytest.mark.parametrize("count", [10, 500])
def test_bulk_print_queries_do_not_grow_with_attendees(ctx, count):
    offering = offering_with_attendees(count)
    queries: list[str] = []

    def count_query(*args, **kwargs):  # type: ignore[no-untyped-def]
        queries.append(args[2] if len(args) > 2 else "")

    with ctx.test_request_context():
        sa.event.listen(db.engine, "before_cursor_execute", count_query)
        try:
            offering = render.load_offering_for_print(offering.id)
            printables = issue_for_offering(offering)  # issues all certificates: inserts
            render.certificates_html(offering, render.pages_for(printables, offering))
            db.session.commit()
            queries.clear()
            db.session.expire_all()
            offering = render.load_offering_for_print(offering.id)
            printables = issue_for_offering(offering)  # all issued: reads only
            html = render.certificates_html(offering, render.pages_for(printables, offering))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count_query)
    assert html.count('class="frame"') == count
    # Offering (+ sessions, program, host), registrations with members, hours, certificates.
    assert len(queries) <= 7, queries


def test_an_abandoned_print_job_does_not_block_printing_for_good(ctx):
    offering = offering_with_attendees(2)
    facilitator = db.session.scalar(sa.select(User).where(User.email == "fac@example.org"))
    first, created = request_print_job(offering, facilitator, now=utcnow() - timedelta(hours=1))
    assert created
    again, created_again = request_print_job(
        offering, facilitator, now=utcnow() - timedelta(minutes=45)
    )
    assert (again.id, created_again) == (first.id, False)  # still within its half hour
    fresh, replaced = request_print_job(offering, facilitator)
    assert replaced and fresh.id != first.id
    db.session.refresh(first)
    assert first.status == PrintJobStatus.FAILED and "Abandoned" in first.error


# ---------------------------------------------------------------------------- old prints


def printed(offering) -> CertificatePrintJob:  # type: ignore[no-untyped-def]
    facilitator = db.session.scalar(sa.select(User).where(User.email == "fac@example.org"))
    job, _ = request_print_job(offering, facilitator)
    return run_print_job(job.id)


def test_a_new_print_deletes_the_file_of_the_earlier_one(client, actions, tmp_path, ctx):
    ctx.config["CERTIFICATE_PRINTS_DIR"] = str(tmp_path)
    offering = offering_with_attendees(2)
    first = printed(offering)
    first_file = tmp_path / first.filename
    assert first_file.is_file()
    other = factories.offering("Another workshop", starts_in=-timedelta(days=2))
    other_job = CertificatePrintJob(
        offering_id=other.id, status=PrintJobStatus.DONE, filename="other.pdf"
    )
    db.session.add(other_job)
    db.session.commit()
    (tmp_path / "other.pdf").write_bytes(b"%PDF")

    second = printed(offering)
    db.session.expire_all()
    first = db.session.get(CertificatePrintJob, first.id)
    assert first.filename == "" and not first_file.exists()
    assert (tmp_path / second.filename).is_file()
    assert (tmp_path / "other.pdf").is_file()  # another offering's print is not touched

    # The earlier job's page says the file is gone and offers to print again.
    actions.sign_in("fac@example.org")
    page = client.get(f"/certificate-prints/{first.id}").get_data(as_text=True)
    assert "This PDF has expired" in page and "Print again" in page
    assert "Download all certificates" not in page
    assert client.get(f"/certificate-prints/{first.id}/certificates.pdf").status_code == 404
    assert "Download all certificates" in client.get(
        f"/certificate-prints/{second.id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)


def test_prints_older_than_the_kept_days_are_deleted(tmp_path, ctx):
    from esp_registry import worker
    from esp_registry.certificates.printing import delete_expired_prints

    ctx.config["CERTIFICATE_PRINTS_DIR"] = str(tmp_path)
    offering = offering_with_attendees(0)
    now = utcnow()
    old = CertificatePrintJob(
        offering_id=offering.id,
        status=PrintJobStatus.DONE,
        filename="certificates-offering-1-job-1.pdf",
        finished_at=now - timedelta(days=8),
    )
    recent = CertificatePrintJob(
        offering_id=offering.id,
        status=PrintJobStatus.DONE,
        filename="certificates-offering-1-job-2.pdf",
        finished_at=now - timedelta(days=2),
    )
    db.session.add_all([old, recent])
    db.session.commit()
    for name in (old.filename, recent.filename, "certificates-offering-9-job-9.pdf"):
        (tmp_path / name).write_bytes(b"%PDF")
    stray = tmp_path / "certificates-offering-9-job-9.pdf"  # no job points at it
    week_ago = (now - timedelta(days=8)).timestamp()
    os.utime(stray, (week_ago, week_ago))

    assert delete_expired_prints(now) == 2
    db.session.expire_all()
    assert db.session.get(CertificatePrintJob, old.id).filename == ""
    assert not (tmp_path / "certificates-offering-1-job-1.pdf").exists() and not stray.exists()
    assert (tmp_path / recent.filename).is_file()

    # Configurable: keep one day only. The worker runs the same, daily.
    ctx.config["CERTIFICATE_PRINTS_KEEP_DAYS"] = 1
    assert worker.delete_expired_certificate_prints.call_local() == 1
    db.session.expire_all()
    assert db.session.get(CertificatePrintJob, recent.id).filename == ""
    assert not list(tmp_path.iterdir())


def test_a_print_with_nobody_credited_says_so_and_offers_no_empty_pdf(
    client, actions, tmp_path, ctx
):
    ctx.config["CERTIFICATE_PRINTS_DIR"] = str(tmp_path)
    offering = offering_with_attendees(3, absent=3)
    job = printed(offering)
    assert (job.status, job.total, job.filename) == (PrintJobStatus.DONE, 0, "")
    assert list(tmp_path.iterdir()) == []

    actions.sign_in("fac@example.org")
    page = client.get(f"/certificate-prints/{job.id}").get_data(as_text=True)
    assert "nobody in this training has credited hours" in page
    assert "Download all certificates" not in page and "This PDF has expired" not in page
    assert client.get(f"/certificate-prints/{job.id}/certificates.pdf").status_code == 404


def test_the_done_message_counts_one_certificate_in_the_singular(client, actions, tmp_path, ctx):
    ctx.config["CERTIFICATE_PRINTS_DIR"] = str(tmp_path)
    job = printed(offering_with_attendees(1))
    actions.sign_in("fac@example.org")
    page = client.get(f"/certificate-prints/{job.id}").get_data(as_text=True)
    assert "Done: 1 certificate." in page


def test_a_bulk_print_gives_each_member_their_certificate_in_their_language(ctx, tmp_path):
    ctx.config["CERTIFICATE_PRINTS_DIR"] = str(tmp_path)
    offering = offering_with_attendees(3)
    members = db.session.scalars(
        sa.select(User)
        .join(Registration, Registration.user_id == User.id)
        .where(Registration.offering_id == offering.id)
        .order_by(User.full_name)
    ).all()
    members[0].preferred_language = "es"  # first by name, printed after the English ones
    db.session.commit()
    job = printed(offering)
    assert job.status == PrintJobStatus.DONE and (job.done, job.total) == (3, 3)
    reader = PdfReader(render.prints_folder() / job.filename)
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(texts) == 3
    assert all("Verify this certificate at" in text for text in texts[:2]), texts
    assert "Verifique este certificado" in texts[2] and members[0].full_name in texts[2]
    assert "Verifique" not in texts[0] + texts[1]
    assert members[1].full_name in texts[0] and members[2].full_name in texts[1]
