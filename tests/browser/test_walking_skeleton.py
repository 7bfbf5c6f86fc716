"""The walking skeleton in a real browser: sign up, find and register for today's training,
get marked present by the facilitator, download the certificate and verify it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from esp_registry.catalog.models import Offering
from esp_registry.certificates.rules import display_code
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage
from esp_registry.seeding import DEMO_PASSWORD
from tests.browser.menu import open_menu_link

TODAY = "Stepping Up to the Plate: NEA History and Governance (today)"
TODAY_SESSION = "NEA History and Governance Structure"
TEXAS_ONLY = "Getting Educated: Transportation Services Professionals (Texas)"
FACILITATOR = "facilitator@example.org"
NAME = "Rosa Delgado Pérez"
EMAIL = "rosa.delgado@example.net"
PASSWORD = "paraeducator-2026"

CheckPage = Callable[[Page, str], None]


def mark_document(page: Page) -> None:
    """A marker that lives as long as this document: a full page load would remove it."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded instead of a swap"


def confirmation_link(email: str) -> str:
    """The path of the link in the confirmation e-mail, read from the outbox."""
    db.session.remove()
    body = db.session.scalar(
        sa.select(OutboxMessage.body_text).where(
            OutboxMessage.kind == "confirm_email", OutboxMessage.to_email == email
        )
    )
    assert body, f"no confirmation e-mail for {email}"
    found = re.search(r"https?://[^/\s]+(/email/confirm/\S+)", body)
    assert found, body
    return found.group(1)


def end_workshop(title: str) -> None:
    """Move an offering's sessions so the last one ended a minute ago (the clock moves on)."""
    offering = db.session.scalar(sa.select(Offering).where(Offering.title == title))
    shift = max(s.ends_at for s in offering.sessions) - utcnow() + timedelta(minutes=1)
    for session in offering.sessions:
        session.starts_at -= shift
        session.ends_at -= shift
    db.session.commit()
    db.session.remove()


def sign_in(page: Page, email: str, password: str) -> None:
    page.get_by_role("link", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My trainings", level=1)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("You are signed in.")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status").first).to_contain_text("You are signed out.")
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()


@pytest.mark.browser
def test_sign_up_register_attend_print_and_verify(
    page: Page, check_page: CheckPage, blocked_requests: list[str], tmp_path: Path
) -> None:
    # Anonymous visitor on the catalog.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Trainings for Education Support Professionals"
    )
    check_page(page, "01-home")

    # Sign up, filling every field.
    page.get_by_role("link", name="Sign up", exact=True).click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    check_page(page, "02-sign-up")
    page.get_by_label("Full name (as it should appear on certificates)").fill(NAME)
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password (at least 10 characters)").fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_label("State affiliate").select_option(label="Ohio")
    page.get_by_label("Local association").fill("Cleveland Teachers Union ESP Chapter")
    page.get_by_label("Job family").select_option(label="Paraeducators")
    page.get_by_label("Job title").fill("Special Education Paraeducator")
    page.get_by_role("button", name="Create account").click()

    # The catalog, already narrowed to the new member's job family.
    expect(page.get_by_role("status").first).to_contain_text(f"Welcome, {NAME}!")
    expect(page.get_by_text("Please confirm your e-mail address")).to_be_visible()
    results = page.locator("#results")
    expect(results.locator(".count")).to_contain_text("for Paraeducators")
    check_page(page, "03-catalog-welcome")

    # The member opens the confirmation link e-mailed to them and presses Confirm.
    catalog_url = page.url
    page.goto(confirmation_link(EMAIL))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status").first).to_contain_text("your e-mail address is confirmed")
    expect(page.get_by_text("Please confirm your e-mail address")).to_have_count(0)
    page.goto(catalog_url)

    # The live filter swaps #results in place; the document (and its marker) survives.
    mark_document(page)
    job_family = page.get_by_label("Job family")
    job_family.select_option(label="All job families")
    expect(results.locator(".count")).not_to_contain_text("for Paraeducators")
    expect(results.get_by_role("link", name=TEXAS_ONLY)).to_be_visible()
    job_family.select_option(label="Paraeducators")
    expect(results.locator(".count")).to_contain_text("for Paraeducators")
    expect(results.get_by_role("link", name=TEXAS_ONLY)).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]job_family=paraeducators"))
    assert_same_document(page)
    check_page(page, "04-catalog-filtered")

    # Today's training: register with htmx.
    results.get_by_role("link", name=TODAY).click()
    expect(page.get_by_role("heading", name=TODAY, level=1)).to_be_visible()
    check_page(page, "05-offering")
    mark_document(page)
    registration = page.locator("#registration")
    registration.get_by_role("button", name="Register").click()
    expect(registration.locator(".flash")).to_have_text("You are registered. See you there!")
    expect(registration).to_contain_text("Your registration: Confirmed")
    assert_same_document(page)
    check_page(page, "06-offering-registered")

    sign_out(page)
    check_page(page, "07-signed-out")

    # The facilitator marks the new member present on today's roster.
    sign_in(page, FACILITATOR, DEMO_PASSWORD)
    check_page(page, "08-facilitator-my-trainings")
    open_menu_link(page, "Facilitate")
    expect(page.get_by_role("heading", name="Trainings you facilitate")).to_be_visible()
    check_page(page, "09-facilitate")
    card = page.locator(".card", has=page.get_by_role("heading", name=TODAY))
    card.get_by_role("link", name=f"Roster: {TODAY_SESSION}").click()
    expect(page.get_by_role("heading", name=TODAY, level=1)).to_be_visible()
    check_page(page, "10-roster")
    mark_document(page)
    row = page.locator("tbody tr", has_text=NAME)
    present = row.get_by_role("button", name="Present", exact=True)
    expect(present).to_have_attribute("aria-pressed", "false")
    present.click()
    expect(present).to_have_attribute("aria-pressed", "true")
    expect(row.get_by_role("button", name="Absent", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    assert_same_document(page)
    check_page(page, "11-roster-marked")

    sign_out(page)

    # Marked present at the door: the certificate waits for the end of the workshop.
    sign_in(page, EMAIL, PASSWORD)
    today = page.locator(".card", has=page.get_by_role("heading", name=TODAY))
    expect(today).to_contain_text("Your certificate will be ready once the training has ended.")
    expect(today.get_by_role("link", name="Download certificate (PDF)")).to_have_count(0)
    check_page(page, "12a-my-trainings-in-progress")

    # Once the workshop is over, the member downloads the certificate.
    end_workshop(TODAY)
    page.reload()
    past = page.locator(".card", has=page.get_by_role("heading", name=TODAY))
    expect(past).to_contain_text("4 hours credited")
    check_page(page, "12-my-trainings")
    with page.expect_download() as download_info:
        past.get_by_role("link", name="Download certificate (PDF)").click()
    download = download_info.value
    found = re.fullmatch(r"certificate-([0-9A-Z]{16})\.pdf", download.suggested_filename)
    assert found, download.suggested_filename
    code = found.group(1)
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    flat = re.sub(r"\s+", " ", text)
    assert NAME in flat
    assert TODAY in flat
    assert re.search(r"Contact hours:? 4\b", flat), flat
    assert display_code(code) in flat

    # Anyone with the code can check it; the page names the member but not their email.
    page.goto(f"/verify/{code}")
    expect(page.get_by_role("heading", name="Certificate verification")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("valid")
    expect(page.locator(".facts")).to_contain_text(NAME)
    expect(page.locator(".facts")).to_contain_text(display_code(code))
    assert EMAIL.lower() not in page.content().lower()
    check_page(page, "13-verify")

    assert blocked_requests == [], f"the pages asked for outside resources: {blocked_requests}"
