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
from tests.browser.conftest import SCREENSHOTS
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


@pytest.mark.browser
def test_download_transcript_and_png_badges_and_verify_them(
    page: Page, check_page: CheckPage, tmp_path: Path
) -> None:
    """The PNG badge next to a certificate, and the transcript's badge (a link that issues
    the transcript's code and redirects to its download) on My transcript."""
    page.goto("/")
    sign_in(page, "member@example.org", DEMO_PASSWORD)
    page.goto("/my-trainings")
    with page.expect_download() as info:
        page.get_by_role("link", name="Badge image (PNG)").first.click()
    png = tmp_path / info.value.suggested_filename
    info.value.save_as(png)
    assert png.suffix == ".png" and png.read_bytes().startswith(b"\x89PNG")

    page.get_by_role("link", name="My transcript").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My transcript")
    check_page(page, "badge-transcript")
    with page.expect_download() as info:
        page.get_by_role("link", name="Badge image (PNG) for my transcript").click()
    transcript_png = tmp_path / ("transcript-" + info.value.suggested_filename)
    info.value.save_as(transcript_png)
    with page.expect_download() as info:
        page.get_by_role("link", name="Digital badge (JSON) for my transcript").click()
    badge = tmp_path / ("transcript-" + info.value.suggested_filename)
    info.value.save_as(badge)
    credential = json.loads(badge.read_text())["credential"]
    assert credential["name"] == "Transcript of professional development"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "badge-transcript-image.png").write_bytes(transcript_png.read_bytes())

    for file in (png, transcript_png):
        page.goto("/badges/verify")
        page.get_by_label("Or choose the file").set_input_files(file)
        page.get_by_role("button", name="Check the badge").click()
        expect(page.get_by_role("status").first).to_contain_text("This badge is genuine and valid.")
        expect(page.get_by_text("Failed:")).to_have_count(0)
    expect(page.get_by_text("Transcript of professional development")).to_be_visible()
    check_page(page, "badge-verified-transcript-png")
