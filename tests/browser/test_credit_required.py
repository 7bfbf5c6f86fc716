"""Required trainings in a real browser (the demo world): cook@ sees "Required for you" at
the top of My trainings on a phone with her refresher due soon and the next offering, and
the Ohio approver opens the overdue list from the Staff menu, filters it and finds Ohio
members only; the admin's requirement pages; axe clean at 390 and 1280 px."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from esp_registry.seeding import DEMO_PASSWORD
from tests.browser.menu import open_menu_link
from tests.browser.test_walking_skeleton import sign_in, sign_out

CheckPage = Callable[[Page, str], None]
PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
def test_a_member_sees_required_for_you_on_a_phone(
    context: BrowserContext, check_page: CheckPage
) -> None:
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto("/?lang=en")
    sign_in(page, "cook@example.org", DEMO_PASSWORD)
    section = page.locator("#required-for-you")
    expect(section.get_by_role("heading", name="Required for you")).to_be_visible()
    expect(section).to_contain_text("Food-Safety Refresher")
    expect(section).to_contain_text("Due soon: your certificate is valid until")
    top = section.bounding_box()
    assert top is not None and top["y"] < PHONE["height"], top  # before the upcoming list
    check_page(page, "required-01-my-trainings-phone")
    section.get_by_role("link", name="Next training: Food-Safety Refresher (online)").click()
    expect(
        page.get_by_role("heading", name="Food-Safety Refresher (online)", level=1)
    ).to_be_visible()
    sign_out(page)


@pytest.mark.browser
def test_the_ohio_approver_opens_the_overdue_list(page: Page, check_page: CheckPage) -> None:
    page.goto("/?lang=en")
    sign_in(page, "approver.oh@example.org", DEMO_PASSWORD)
    open_menu_link(page, "Overdue trainings")
    expect(page.get_by_role("heading", name="Overdue trainings", level=1)).to_be_visible()
    rows = page.locator("#overdue-rows")
    expect(rows).to_contain_text("never done")
    expect(rows).to_contain_text("certificate expired on")
    expect(rows).not_to_contain_text("· TX")
    check_page(page, "required-02-overdue")
    page.get_by_label("Requirement").select_option(label="Bus Driver In-Service")
    page.get_by_role("button", name="Find").click()
    expect(rows).to_contain_text("short in")
    expect(rows).not_to_contain_text("Food-Safety Refresher")
    expect(page.get_by_role("link", name="Download as CSV")).to_be_visible()
    sign_out(page)


@pytest.mark.browser
def test_an_admin_reads_and_edits_a_requirement(page: Page, check_page: CheckPage) -> None:
    page.goto("/?lang=en")
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    open_menu_link(page, "Required trainings")
    expect(page.get_by_role("heading", name="Required trainings", level=1)).to_be_visible()
    check_page(page, "required-03-requirements")
    page.get_by_role("link", name="Food-Safety Refresher").click()
    expect(page.get_by_label("Months a certificate is valid")).to_have_value("36")
    page.get_by_label("Months a certificate is valid").fill("500")
    page.get_by_role("button", name="Save requirement").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check_page(page, "required-04-requirement-error")
    sign_out(page)


@pytest.mark.browser
def test_an_admin_retires_a_requirement_after_confirming(page: Page) -> None:
    page.goto("/?lang=en")
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    open_menu_link(page, "Required trainings")
    page.get_by_role("link", name="Bus Driver In-Service").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Retire this requirement").click()
    expect(page.get_by_text("Requirement retired.")).to_be_visible()
    expect(page.locator("#requirement-rows")).to_contain_text("retired on")
    sign_out(page)
