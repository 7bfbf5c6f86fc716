"""Reference data in a real browser: the national admin renames a local, merges two, and
edits a job family's description, which its catalog page then shows; axe on every page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from esp_registry.seeding import DEMO_PASSWORD
from tests.browser.menu import open_menu_link
from tests.browser.test_walking_skeleton import sign_in, sign_out

CheckPage = Callable[[Page, str], None]


@pytest.mark.browser
def test_admin_renames_and_merges_locals_and_edits_a_job_family(
    page: Page, check_page: CheckPage, kept_reference: None
) -> None:
    page.goto("/")
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    open_menu_link(page, "Reference data")
    expect(page.get_by_role("heading", name="Reference data", level=1)).to_be_visible()
    check_page(page, "reference-index")

    # Rename a local.
    page.get_by_role("link", name="Ohio", exact=True).click()
    expect(page.get_by_role("heading", name="Ohio (OH)")).to_be_visible()
    check_page(page, "reference-affiliate")
    page.get_by_role("link", name="Dayton Education Association").click()
    check_page(page, "reference-local")
    page.get_by_label("Name of the local").fill("Dayton EA (Local 21)")
    page.get_by_role("button", name="Rename local").click()
    expect(page.get_by_role("status").first).to_contain_text("is now “Dayton EA (Local 21)”")
    expect(page.get_by_role("heading", name="Dayton EA (Local 21)", level=1)).to_be_visible()
    expect(page.locator("ul.history")).to_contain_text("local renamed")

    # Bad input is answered next to the field.
    page.get_by_label("Name of the local").fill("Columbus Education Association")
    page.get_by_role("button", name="Rename local").click()
    expect(page.locator("#name-error")).to_contain_text("merge the two instead")
    check_page(page, "reference-local-error")

    # Merge "Columbus EA" into "Columbus Education Association".
    page.get_by_role("link", name="Ohio").click()
    page.get_by_role("link", name="Columbus EA", exact=True).click()
    page.get_by_label("Merge into").select_option(label="Columbus Education Association")
    page.get_by_role("button", name="Merge").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "“Columbus EA” merged into “Columbus Education Association”"
    )
    expect(page.locator("ul.locals")).to_contain_text("Columbus EA (deactivated)")
    expect(page.locator("ul.history")).to_contain_text("merged into")
    check_page(page, "reference-affiliate-merged")

    # Edit a job family and see it on its catalog page.
    open_menu_link(page, "Reference data")
    page.get_by_role("link", name="Food Services", exact=True).click()
    check_page(page, "reference-job-family")
    page.get_by_label("Short description").fill("Cooks and nutrition staff who feed students.")
    page.get_by_label("Text of its “Getting Educated” page").fill(
        "Food safety, nutrition and leadership trainings.\n\nAsk your local about the next one."
    )
    page.get_by_role("button", name="Save job family").click()
    expect(page.get_by_role("status").first).to_contain_text("Job family saved.")
    page.get_by_role("link", name="See its catalog page").click()
    expect(
        page.get_by_role("heading", name="Getting Educated: Food Services Professionals")
    ).to_be_visible()
    expect(page.get_by_text("Cooks and nutrition staff who feed students.")).to_be_visible()
    expect(page.get_by_text("Ask your local about the next one.")).to_be_visible()
    check_page(page, "reference-job-family-catalog")

    # A member in Ohio is offered the new and merged names, not the one merged away.
    sign_out(page)
    sign_in(page, "member@example.org", DEMO_PASSWORD)
    page.goto("/account")
    options = page.locator("#local-options option").evaluate_all("os => os.map(o => o.value)")
    assert "Columbus Education Association" in options and "Columbus EA" not in options
    assert "Dayton EA (Local 21)" in options
    check_page(page, "reference-account-suggestions")

    # Signing up, choosing an affiliate brings its locals as suggestions (htmx).
    sign_out(page)
    page.goto("/signup")
    expect(page.locator("#local-options option")).to_have_count(0)
    page.get_by_label("State affiliate").select_option(label="Ohio")
    expect(page.locator('#local-options option[value="Dayton EA (Local 21)"]')).to_have_count(1)
    expect(page.locator('#local-options option[value="Columbus EA"]')).to_have_count(0)
