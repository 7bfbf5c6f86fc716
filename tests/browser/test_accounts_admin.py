"""Accounts in a real browser: a forgotten password from the e-mail to signed in, the
admin granting an approver role, and My account in Spanish; axe on every page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage
from esp_registry.seeding import DEMO_PASSWORD
from tests.browser.menu import open_menu_link
from tests.browser.test_walking_skeleton import sign_in, sign_out

CheckPage = Callable[[Page, str], None]
LINK = re.compile(r"https?://[^/\s]+(/password/reset/\S+)")


def reset_link_for(email: str) -> str:
    db.session.remove()
    body = db.session.scalar(
        sa.select(OutboxMessage.body_text)
        .where(OutboxMessage.kind == "password_reset", OutboxMessage.to_email == email)
        .order_by(OutboxMessage.id.desc())
    )
    assert body, f"no reset e-mail for {email}"
    found = LINK.search(body)
    assert found
    return found.group(1)


@pytest.mark.browser
def test_forgotten_password_from_email_to_signed_in(page: Page, check_page: CheckPage) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign in", exact=True).click()
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    check_page(page, "forgot-password")
    page.get_by_label("Email").fill("driver@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "If an account uses driver@example.org"
    )

    page.goto(reset_link_for("driver@example.org"))
    expect(page.get_by_role("heading", name="Set a new password")).to_be_visible()
    check_page(page, "reset-password")
    page.get_by_label("New password (at least 10 characters)").fill("my-new-password-27")
    page.get_by_label("Repeat the new password").fill("my-new-password-27")
    page.get_by_role("button", name="Set my new password").click()
    expect(page.get_by_role("heading", name="My trainings", level=1)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Your new password is set")

    sign_out(page)
    page.goto(reset_link_for("driver@example.org"))  # the same link again
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    expect(page.get_by_text("It has already been used.")).to_be_visible()
    check_page(page, "reset-link-used")
    sign_in(page, "driver@example.org", "my-new-password-27")


@pytest.mark.browser
def test_admin_grants_an_approver_role_and_the_person_sees_approvals(
    page: Page, check_page: CheckPage
) -> None:
    page.goto("/")
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    open_menu_link(page, "People")
    check_page(page, "people-directory")
    page.get_by_label("Name or e-mail").fill("cook@")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_text("1\u20131 of 1")).to_be_visible()
    page.locator("ul.people a").first.click()
    check_page(page, "person")
    page.get_by_label("Role").select_option(label="Affiliate approver")
    page.get_by_label("Approves for (only for affiliate approvers)").select_option(label="Texas")
    page.get_by_role("button", name="Grant role").click()
    expect(page.get_by_role("status").first).to_contain_text("is now: Affiliate approver")
    expect(page.get_by_text("role granted: Affiliate approver (Texas)")).to_be_visible()
    check_page(page, "person-granted")
    sign_out(page)

    sign_in(page, "cook@example.org", DEMO_PASSWORD)
    open_menu_link(page, "Approvals")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.endswith("/approvals")


@pytest.mark.browser
def test_my_account_in_spanish(page: Page, check_page: CheckPage) -> None:
    page.goto("/")
    sign_in(page, "member@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    check_page(page, "my-account")
    page.get_by_label("Language for this site and your e-mails").select_option("es")
    page.get_by_role("button", name="Save my details").click()
    expect(page.get_by_role("heading", name="Mi cuenta")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    check_page(page, "my-account-es")
    # Trying English with the switch at the top offers to keep it.
    page.get_by_role("navigation", name="Idioma", exact=True).get_by_role(
        "link", name="English"
    ).click()
    expect(page.get_by_role("button", name="Save this language")).to_be_visible()
    check_page(page, "language-offer")


@pytest.mark.browser
def test_a_new_name_is_on_the_next_certificate_and_the_old_code_still_verifies(
    page: Page, check_page: CheckPage, tmp_path: Path
) -> None:
    page.goto("/")
    sign_in(page, "member@example.org", DEMO_PASSWORD)

    def download_certificate() -> tuple[str, str]:
        page.get_by_role("link", name="My trainings").click()
        with page.expect_download() as info:
            page.get_by_role("link", name="Download certificate (PDF)").first.click()
        pdf = tmp_path / info.value.suggested_filename
        info.value.save_as(pdf)
        code = re.fullmatch(r"certificate-([0-9A-Z]{16})\.pdf", info.value.suggested_filename)
        assert code
        text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(pdf).pages))
        return code.group(1), text

    old_code, before = download_certificate()
    assert "Maria Alvarez" in before
    page.get_by_role("link", name="Account").click()
    page.get_by_label("Full name (as it should appear on certificates)").fill("María Álvarez Ruiz")
    page.get_by_role("button", name="Save my details").click()
    expect(page.get_by_role("status").first).to_contain_text("Your details are saved.")
    new_code, after = download_certificate()
    assert "María Álvarez Ruiz" in after and new_code != old_code
    page.goto(f"/verify/{old_code}")
    expect(page.get_by_role("status").first).to_be_visible()
    check_page(page, "verify-after-rename")


@pytest.mark.browser
def test_an_english_approver_approves_and_the_member_is_emailed_in_spanish(
    page: Page, check_page: CheckPage
) -> None:
    # Tom Nguyen (custodian@, waiting for Ohio's approval) chooses Spanish.
    page.goto("/")
    sign_in(page, "custodian@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Account").click()
    page.get_by_label("Language for this site and your e-mails").select_option("es")
    page.get_by_role("button", name="Save my details").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("button", name="Cerrar sesión").click()

    # The Ohio approver works in English and approves him.
    page.goto("/?lang=en")
    sign_in(page, "approver.oh@example.org", DEMO_PASSWORD)
    open_menu_link(page, "Approvals")
    card = page.locator("#approvals .card", has=page.get_by_role("heading", name="Tom Nguyen"))
    card.get_by_role("button", name="Approve Tom Nguyen").click()
    expect(card.locator(".flash")).to_be_focused()
    check_page(page, "approved-in-english")

    db.session.remove()
    subject, body = db.session.execute(
        sa.select(OutboxMessage.subject, OutboxMessage.body_text)
        .where(OutboxMessage.to_email == "custodian@example.org")
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).one()
    assert "Hola, Tom Nguyen:" in body, body
    assert subject.startswith(("Está inscrito", "Está en la lista")), subject
