"""An awarded micro-credential in a real browser, on the demo: cook@ finds it on her
transcript, opens its award page, downloads the certificate and the badge, and opens its
verification page; admin@ revokes it from there (axe and screenshots on each page)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from esp_registry.seeding import DEMO_PASSWORD
from tests.browser.test_walking_skeleton import sign_in

CheckPage = Callable[[Page, str], None]
NAME = "Food Allergy Awareness and Safe Meal Service"


@pytest.mark.browser
def test_award_certificate_badge_verify_and_revoke(
    page: Page, check_page: CheckPage, tmp_path: Path
) -> None:
    page.goto("/")
    sign_in(page, "cook@example.org", DEMO_PASSWORD)
    page.goto("/transcript")
    expect(page.get_by_text("10 PDP").first).to_be_visible()
    check_page(page, "mc-transcript")
    page.get_by_role("link", name=f"Micro-credential: {NAME}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    check_page(page, "mc-award")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download my certificate (PDF)").click()
    pdf = tmp_path / info.value.suggested_filename
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    with page.expect_download() as info:
        page.get_by_role("link", name="Badge image (SVG)").click()
    image = tmp_path / info.value.suggested_filename
    info.value.save_as(image)
    assert "<openbadges:credential>" in image.read_text()

    page.get_by_role("link", name="Verification page").click()
    expect(page.get_by_role("status").first).to_contain_text("This is a valid micro-credential.")
    check_page(page, "mc-verify")
    verify_url = page.url

    page.goto("/badges/verify")
    page.get_by_label("Or choose the file").set_input_files(image)
    page.get_by_role("button", name="Check the badge").click()
    expect(page.get_by_role("status").first).to_contain_text("This badge is genuine and valid.")

    page.context.clear_cookies()
    page.goto("/")
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.goto(verify_url)
    page.get_by_role("link", name="Staff: the award's page (revoke it there)").click()
    expect(page.get_by_text("Ana Pereira").first).to_be_visible()
    page.get_by_label("Reason for revoking Ana Pereira's certificate").fill("Evidence was copied")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status").first).to_contain_text("revoked")
    check_page(page, "mc-award-revoked")
    page.goto(verify_url)
    expect(page.get_by_role("status").first).to_contain_text("This certificate was revoked on")
