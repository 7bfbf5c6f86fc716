"""Attendance and certificates in a real browser, axe-core on every page: the facilitator
marks the roster of a past training (one tap, credited hours, mark all), prints all its
certificates in the background worker while the page's progress bar follows the job, and
downloads the PDF; the member then reads her transcript and downloads it."""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, Request, expect
from pypdf import PdfReader
from sqlalchemy import event

from esp_registry import worker
from esp_registry.accounts.models import User
from esp_registry.attendance.models import Attendance, AttendanceStatus
from esp_registry.catalog.models import Offering
from esp_registry.certificates.models import CertificatePrintJob, PrintJobStatus
from esp_registry.credit.outside.models import OutsideTraining
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.seeding import DEMO_PASSWORD
from tests import factories
from tests.browser.htmx import settled
from tests.browser.menu import open_menu_link
from tests.browser.test_registration_flow import fits_phone
from tests.browser.test_walking_skeleton import (
    assert_same_document,
    mark_document,
    sign_in,
    sign_out,
)

CheckPage = Callable[[Page, str], None]

FACILITATOR = "facilitator@example.org"
MEMBER, MEMBER_NAME = "member@example.org", "Maria Alvarez"
ABSENT_NAME = "Tom Nguyen"  # registered in the demo, not marked
PAST = "Supporting Our Own: ESP Mentoring (fall 2026)"  # 6 contact hours; Maria, Ana present
PAST_SESSION = "Mentor training"
LAST_YEAR = "Beat Privatization workshop (Dayton, spring 2025)"
# Walk-in registrants nobody has marked yet; no name contains another.
WALK_INS = (
    "Denise Okafor",
    "Harold Brennan",
    "Lucía Márquez",
    "Priya Raman",
    "Samuel Whitehorse",
    "Beverly Kowalski",
    "Jerome Fontaine",
    "Gloria Tran",
    "Wendell Abernathy",
)
REGISTERED = 3 + len(WALK_INS)


def add_people() -> None:
    """Nine more confirmed registrants for the demo's past training, and a training Maria
    completed last year (so her transcript has two years)."""
    past = db.session.scalar(sa.select(Offering).where(Offering.title == PAST))
    facilitator = db.session.scalar(sa.select(User).where(User.email == FACILITATOR))
    member = db.session.scalar(sa.select(User).where(User.email == MEMBER))
    for i, name in enumerate(WALK_INS):
        person = User(
            email=f"walk-in-{i}@example.net",
            full_name=name,
            affiliate=factories.affiliate("OH"),
            job_family=factories.family("paraeducators"),
            local_name="Franklin County ESP",
            job_title="Paraeducator",
            password_hash="x",  # never signs in
        )
        db.session.add(
            Registration(offering=past, user=person, status=RegistrationStatus.CONFIRMED)
        )
    last_year = factories.offering(
        LAST_YEAR,
        program="beat-privatization",
        starts_in=timedelta(0),
        now=datetime(2025, 4, 12, 13, 0, tzinfo=UTC),
        hours="3",
    )
    registration = Registration(
        offering=last_year, user=member, status=RegistrationStatus.CONFIRMED
    )
    db.session.add(registration)
    db.session.flush()
    db.session.add(
        Attendance(
            registration_id=registration.id,
            session_id=last_year.sessions[0].id,
            status=AttendanceStatus.PRESENT,
            credited_hours=Decimal(3),
            marked_by_id=facilitator.id,
            marked_at=last_year.sessions[0].ends_at,
        )
    )
    # Her outside training from the demo is another test's story (test_credit_outside_flow):
    # this transcript holds only what was attended here.
    db.session.execute(sa.delete(OutsideTraining).where(OutsideTraining.user_id == member.id))
    db.session.commit()
    db.session.remove()


class PrintWorker:
    """The background worker for the live server: print jobs the app enqueues run in a
    thread through the real Huey task's code. It holds the job once, right after the first
    commit that shows it running with pages still to render, until the test has seen that
    progress in the browser; nothing about the progress itself is made up."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.task = worker.print_certificates  # the real Huey task, before the test swaps it
        self.jobs: queue.Queue[int] = queue.Queue()
        self.enqueued: list[int] = []
        self.held = threading.Event()
        self.release = threading.Event()
        self.stopping = threading.Event()
        self.errors: list[BaseException] = []
        self.job_id: int | None = None
        self.thread = threading.Thread(target=self._consume, name="print-worker", daemon=True)

    def enqueue(self, job_id: int) -> None:
        """Stands in for the Huey task's enqueue in the web request."""
        self.enqueued.append(job_id)
        self.jobs.put(job_id)

    def _consume(self) -> None:
        while not self.stopping.is_set():
            try:
                job_id = self.jobs.get(timeout=0.1)
            except queue.Empty:
                continue
            self.job_id = job_id
            try:
                with self.app.app_context():
                    self.task.call_local(job_id)  # the task's own body, as the consumer runs it
            except BaseException as error:  # reported by the fixture's teardown
                self.errors.append(error)

    def after_commit(self, _session: Any) -> None:
        if threading.current_thread() is not self.thread or self.held.is_set():
            return
        # The session cannot run SQL here; read the committed row on a connection of its own.
        with db.engine.connect() as connection:
            job = connection.execute(
                sa.select(
                    CertificatePrintJob.status, CertificatePrintJob.done, CertificatePrintJob.total
                ).where(CertificatePrintJob.id == self.job_id)
            ).one()
        if job.status == PrintJobStatus.RUNNING and job.done < job.total:
            self.held.set()
            self.release.wait(timeout=120)


@pytest.fixture
def print_worker(
    ctx: Flask, live_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PrintWorker]:
    printer = PrintWorker(ctx)
    monkeypatch.setitem(ctx.config, "CERTIFICATE_PRINTS_DIR", str(tmp_path / "prints"))
    monkeypatch.setitem(ctx.config, "WORKER_ENQUEUE", True)
    monkeypatch.setattr(worker, "print_certificates", printer.enqueue)
    monkeypatch.setattr(worker, "deliver_outbox", lambda: None)  # no mail in this test
    event.listen(db.session, "after_commit", printer.after_commit)
    printer.thread.start()
    yield printer
    printer.stopping.set()
    printer.release.set()
    printer.thread.join(timeout=60)
    event.remove(db.session, "after_commit", printer.after_commit)
    assert not printer.errors, printer.errors


def issued_certificates(page: Page) -> dict[str, str]:
    """Name → verification code, as the offering's certificates page lists them."""
    cards = page.locator("li.card[id^='certificate-']")
    return {
        card.get_by_role("heading").inner_text().strip(): card.locator(".code").inner_text().strip()
        for card in cards.all()
    }


def pdf_pages(path: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(path).pages]


@pytest.mark.browser
def test_mark_attendance_bulk_print_and_transcript(
    page: Page,
    check_page: CheckPage,
    print_worker: PrintWorker,
    blocked_requests: list[str],
    tmp_path: Path,
) -> None:
    def look(page: Page, name: str) -> None:
        check_page(page, name)
        fits_phone(page, name)

    add_people()
    page.goto("/")

    # --- The facilitator takes attendance on the roster. ---------------------------------
    sign_in(page, FACILITATOR, DEMO_PASSWORD)
    open_menu_link(page, "Facilitate")
    card = page.locator(".card", has=page.get_by_role("heading", name=PAST))
    card.get_by_role("link", name=f"Roster: {PAST_SESSION}").click()
    expect(page.get_by_role("heading", name=PAST, level=1)).to_be_visible()
    count = page.locator("#roster-count")
    expect(count).to_have_text(
        f"2 present of {REGISTERED} registered · 0 absent, {REGISTERED - 2} not yet marked"
    )
    look(page, "cert-01-roster")

    # One tap marks Tom present; his row and the count change in place.
    mark_document(page)
    tom = page.locator("tbody tr", has_text=ABSENT_NAME)
    present = tom.get_by_role("button", name="Present", exact=True)
    expect(present).to_have_attribute("aria-pressed", "false")
    present.click()
    expect(present).to_have_attribute("aria-pressed", "true")
    expect(count).to_have_text(
        f"3 present of {REGISTERED} registered · 0 absent, {REGISTERED - 3} not yet marked"
    )
    expect(tom.get_by_label(f"Credited hours for {ABSENT_NAME}")).to_have_value("6")

    # Maria left early: more than the session's hours is refused, 5.5 is kept.
    maria = page.locator("tbody tr", has_text=MEMBER_NAME)
    hours = maria.get_by_label(f"Credited hours for {MEMBER_NAME}")
    hours.fill("7")
    maria.get_by_role("button", name="Save").click()
    expect(maria.get_by_role("alert")).to_be_visible()
    expect(hours).to_have_attribute("aria-invalid", "true")
    look(page, "cert-02-roster-hours-refused")
    settled(page)
    hours.fill("5.5")
    maria.get_by_role("button", name="Save").click()
    expect(maria.get_by_role("alert")).to_have_count(0)
    expect(hours).to_have_value("5.5")
    expect(maria.locator(".changed")).not_to_contain_text("Oct 17")  # was the demo's mark

    # Mark all present: the nine walk-ins, not Maria's edited hours.
    settled(page)
    page.get_by_role("button", name="Mark all present").click()
    expect(page.locator("#roster-table .flash")).to_have_text(f"{len(WALK_INS)} marked present.")
    expect(count).to_have_text(
        f"{REGISTERED} present of {REGISTERED} registered · 0 absent, 0 not yet marked"
    )
    expect(page.get_by_role("button", name="Present", exact=True)).to_have_count(REGISTERED)
    for button in page.get_by_role("button", name="Present", exact=True).all():
        expect(button).to_have_attribute("aria-pressed", "true")
    expect(hours).to_have_value("5.5")
    assert_same_document(page)
    look(page, "cert-03-roster-all-present")

    # --- Bulk printing in the background worker, followed by the progress bar. -----------
    page.get_by_role("link", name="Certificates and bulk printing").click()
    expect(page.get_by_role("heading", name=f"Certificates of {PAST}", level=1)).to_be_visible()
    look(page, "cert-04-certificates")
    certificates_url = page.url
    polls: list[str] = []

    def note_poll(request: Request) -> None:
        if "/certificate-prints/" in request.url and request.headers.get("hx-request"):
            polls.append(request.url)

    page.on("request", note_poll)
    page.get_by_role("button", name="Print all certificates (PDF)").click()
    expect(page).to_have_url(re.compile(r"/certificate-prints/\d+$"))
    job_url = page.url
    mark_document(page)
    assert print_worker.held.wait(timeout=60), "the worker never reported progress"
    bar = page.get_by_role("progressbar")
    # The job is held at its first progress: the polling brings it to the page.
    expect(bar).to_have_attribute("max", str(REGISTERED), timeout=10_000)
    assert int(bar.get_attribute("value") or 0) < REGISTERED
    expect(page.get_by_role("link", name=re.compile("Download"))).to_have_count(0)
    look(page, "cert-05-printing")

    # A second request while the job runs joins it instead of starting another.
    other = page.context.new_page()
    other.goto(certificates_url)
    other.get_by_role("button", name="Print all certificates (PDF)").click()
    expect(other).to_have_url(job_url)
    other.close()

    print_worker.release.set()
    download_link = page.get_by_role("link", name=re.compile(r"Download all certificates"))
    expect(download_link).to_be_visible(timeout=60_000)
    expect(bar).to_have_attribute("value", str(REGISTERED))
    expect(bar).to_have_attribute("max", str(REGISTERED))
    assert_same_document(page)
    assert len(polls) >= 2, polls
    assert print_worker.enqueued == [int(job_url.rsplit("/", 1)[1])], print_worker.enqueued
    look(page, "cert-06-printed")

    with page.expect_download() as download_info:
        download_link.click()
    pdf = tmp_path / "certificates.pdf"
    download_info.value.save_as(pdf)
    pages = pdf_pages(pdf)

    # Every page is one attendee's certificate, with the code the offering page lists.
    page.get_by_role("link", name=f"Certificates of {PAST}").click()
    certificates = issued_certificates(page)
    assert sorted(certificates) == sorted([MEMBER_NAME, "Ana Pereira", ABSENT_NAME, *WALK_INS])
    assert len(pages) == len(certificates) == REGISTERED
    printed = []
    for number, text in enumerate(pages, start=1):
        names = [name for name in certificates if name in text]
        assert len(names) == 1, f"page {number} names {names}: {text}"
        assert certificates[names[0]] in text, f"page {number}: no {certificates[names[0]]}"
        printed.append(names[0])
    assert sorted(printed) == sorted(certificates)
    sign_out(page)

    # --- The member reads her transcript and downloads it. -------------------------------
    sign_in(page, MEMBER, DEMO_PASSWORD)
    page.get_by_role("link", name="My transcript").click()
    expect(page.get_by_role("heading", name="My transcript", level=1)).to_be_visible()
    headings = [h.inner_text() for h in page.get_by_role("heading", level=2).all()]
    assert [h for h in headings if h.isdigit()] == ["2026", "2025"], headings
    this_year = page.get_by_role("table", name="Trainings completed in 2026")
    expect(this_year.get_by_role("row", name=re.compile(re.escape(PAST)))).to_contain_text("5.5")
    expect(this_year.locator("tfoot")).to_contain_text("Total for 2026")
    expect(this_year.locator("tfoot")).to_contain_text("5.5")
    last_year = page.get_by_role("table", name="Trainings completed in 2025")
    expect(last_year.get_by_role("row", name=re.compile(re.escape(LAST_YEAR)))).to_contain_text("3")
    expect(last_year.locator("tfoot")).to_contain_text("Total for 2025")
    expect(page.locator(".transcript-total").first).to_have_text(
        "Total contact hours: 8.5 in 2 trainings"
    )
    look(page, "cert-07-transcript")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download transcript (PDF)").click()
    download = download_info.value
    assert re.fullmatch(r"transcript-[0-9A-Z]+\.pdf", download.suggested_filename)
    transcript = tmp_path / download.suggested_filename
    download.save_as(transcript)
    assert transcript.read_bytes().startswith(b"%PDF-")
    text = " ".join(pdf_pages(transcript))
    assert MEMBER_NAME in text
    assert PAST in text and LAST_YEAR in text

    assert blocked_requests == [], f"the pages asked for outside resources: {blocked_requests}"
