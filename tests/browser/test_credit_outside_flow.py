"""Outside PD credit in a real browser, axe-core on every new page (issue 15, point 2):
member@ records a training from a 390 px phone with a photo of her certificate (a renamed
program is refused first), approver.oh@ finds it under Staff → Outside training, opens the
proof and approves with adjusted hours and a note, and the member's transcript PDF shows
the line "Outside training, approved by Ohio on …" (rendered with pdftoppm to look at)."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect
from pypdf import PdfReader

from esp_registry import HTMX_URL
from esp_registry.columns import utcnow
from esp_registry.seeding import DEMO_PASSWORD
from tests import outside_files as files
from tests.browser.conftest import SCREENSHOTS
from tests.browser.menu import open_menu_link
from tests.browser.test_registration_flow import fits_phone
from tests.browser.test_walking_skeleton import sign_in, sign_out

CheckPage = Callable[[Page, str], None]
MEMBER, APPROVER = "member@example.org", "approver.oh@example.org"
TITLE = "Bloodborne Pathogens Refresher"
PROVIDER = "Franklin County Health Department"


def phone_page(live_server: str, htmx_file: Path, new_context) -> Page:  # type: ignore[no-untyped-def]
    phone: BrowserContext = new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True
    )

    def handle(route: Route) -> None:
        url = route.request.url
        if url == HTMX_URL:
            route.fulfill(path=htmx_file, content_type="application/javascript")
        elif urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    phone.route("**/*", handle)
    return phone.new_page()


@pytest.mark.browser
def test_phone_upload_approval_and_transcript_pdf(
    live_server: str,
    htmx_file: Path,
    new_context,  # type: ignore[no-untyped-def]
    page: Page,
    check_page: CheckPage,
    tmp_path: Path,
) -> None:
    # On her phone, member@ records a training she took with a photo of the certificate.
    phone = phone_page(live_server, htmx_file, new_context)
    phone.goto("/")
    sign_in(phone, MEMBER, DEMO_PASSWORD)
    phone.get_by_role("link", name="Outside training: record training you took elsewhere").click()
    expect(phone.get_by_role("heading", name="Outside training", level=1)).to_be_visible()
    expect(phone.get_by_text("Supporting Students with Autism in the Classroom")).to_be_visible()
    check_page(phone, "outside-01-mine")
    phone.get_by_role("link", name="Record an outside training").click()
    expect(phone.get_by_role("heading", name="Record an outside training")).to_be_visible()
    check_page(phone, "outside-02-form")
    day = (utcnow().date() - timedelta(days=3)).isoformat()
    phone.get_by_label("Provider (who gave the training)").fill(PROVIDER)
    phone.get_by_label("Title of the training").fill(TITLE)
    phone.get_by_label("First day").fill(day)
    phone.get_by_label("Last day").fill(day)
    phone.get_by_label("Contact hours").fill("3")
    proof = phone.get_by_label("Proof: a PDF, or a photo of the certificate (at most 10 MB)")
    assert proof.get_attribute("accept") == "application/pdf,image/*"
    # A program renamed to look like a PDF is refused by its content.
    renamed = tmp_path / "certificate.pdf"
    renamed.write_bytes(files.exe())
    proof.set_input_files(renamed)
    phone.get_by_role("button", name="Send for approval").click()
    expect(phone.locator("#proof-error")).to_contain_text("not a PDF or a JPEG or PNG photo")
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_page(phone, "outside-03-refused-file")
    # A file over 10 MB: the same form again, the message at the file field (HTTP 413).
    huge = tmp_path / "scan.pdf"
    huge.write_bytes(b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    phone.get_by_label(
        "Proof: a PDF, or a photo of the certificate (at most 10 MB)"
    ).set_input_files(huge)
    phone.get_by_role("button", name="Send for approval").click()
    expect(phone.locator("#proof-error")).to_contain_text("larger than 10 MB")
    check_page(phone, "outside-03b-too-large")
    phone.get_by_label("Provider (who gave the training)").fill(PROVIDER)
    phone.get_by_label("Title of the training").fill(TITLE)
    phone.get_by_label("First day").fill(day)
    phone.get_by_label("Last day").fill(day)
    phone.get_by_label("Contact hours").fill("3")
    photo = tmp_path / "IMG_2048.JPG"
    photo.write_bytes(files.image("JPEG", (1200, 900)))
    phone.get_by_label(
        "Proof: a PDF, or a photo of the certificate (at most 10 MB)"
    ).set_input_files(photo)
    phone.get_by_role("button", name="Send for approval").click()
    expect(phone.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(phone.get_by_role("status").first).to_contain_text("sent to your affiliate")
    fits_phone(phone, "outside request")
    check_page(phone, "outside-04-request-member")

    # approver.oh@ decides from the Staff menu on her desktop.
    page.goto("/")
    sign_in(page, APPROVER, DEMO_PASSWORD)
    open_menu_link(page, "Outside training")
    expect(page.get_by_role("heading", name="Outside training requests", level=1)).to_be_visible()
    check_page(page, "outside-05-queue")
    page.get_by_label("Name, e-mail, title or provider").fill("bloodborne")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name="Your decision")).to_be_visible()
    check_page(page, "outside-06-request-approver")
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Open the proof (photo)").click(modifiers=["Control"])
    proof_page = opened.value
    proof_page.wait_for_load_state()
    assert proof_page.evaluate("document.images.length") == 1
    proof_page.close()
    page.get_by_label("Hours to credit").fill("2.5")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#decision_note-error")).to_contain_text("Say why the hours change")
    check_page(page, "outside-07-decision-error")
    page.get_by_label("Note to the member").fill("The break is not contact time.")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").first).to_contain_text("Approved.")
    expect(page.get_by_text("The break is not contact time.").first).to_be_visible()
    sign_out(page)

    # The member's transcript, page and PDF, shows the approved outside training.
    sign_in(page, MEMBER, DEMO_PASSWORD)
    page.goto("/transcript")
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Outside training, approved by Ohio on")
    expect(row).to_contain_text(PROVIDER)
    expect(row).to_contain_text("2.5")
    check_page(page, "outside-08-transcript")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download transcript (PDF)").click()
    pdf = tmp_path / "transcript.pdf"
    download_info.value.save_as(pdf)
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert TITLE in text and "Outside training, approved by Ohio on" in text
    assert "Pediatric First Aid and CPR" in text  # the demo's approved one
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(SCREENSHOTS / "outside-09-transcript-pdf"),
        ],
        check=True,
    )
