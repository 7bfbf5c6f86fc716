"""Open Badges in a real browser: member@ downloads the digital badge (JSON) and the baked
badge image (SVG) next to a certificate on My trainings, then checks the image on
/badges/verify (axe on the page)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from esp_registry.seeding import DEMO_PASSWORD
from tests.browser.test_walking_skeleton import sign_in

CheckPage = Callable[[Page, str], None]


@pytest.mark.browser
def test_download_a_badge_and_verify_it(page: Page, check_page: CheckPage, tmp_path: Path) -> None:
    page.goto("/")
    sign_in(page, "member@example.org", DEMO_PASSWORD)
    check_page(page, "badge-my-trainings")
    with page.expect_download() as info:
        page.get_by_role("link", name="Digital badge (JSON)").first.click()
    badge = tmp_path / info.value.suggested_filename
    info.value.save_as(badge)
    assert badge.name.startswith("badge-") and badge.suffix == ".json"
    assert json.loads(badge.read_text())["credential"]["type"][1] == "OpenBadgeCredential"
    with page.expect_download() as info:
        page.get_by_role("link", name="Badge image (SVG)").first.click()
    image = tmp_path / info.value.suggested_filename
    info.value.save_as(image)
    assert image.suffix == ".svg" and "<openbadges:credential>" in image.read_text()

    page.get_by_role("link", name="The e-mail address your badges name").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The e-mail address your badges name")
    check_page(page, "badge-email")

    page.goto("/badges/verify")
    check_page(page, "badge-verify-form")
    page.get_by_label("Or choose the file").set_input_files(image)  # the baked badge
    page.get_by_role("button", name="Check the badge").click()
    expect(page.get_by_role("status").first).to_contain_text("This badge is genuine and valid.")
    expect(page.get_by_text("Failed:")).to_have_count(0)
    check_page(page, "badge-verified")
