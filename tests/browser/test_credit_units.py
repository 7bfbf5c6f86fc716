"""Credit units in a real browser at 390 px: the national admin adds a state rule, the
unit page shows it and its history; cook@ (Massachusetts) sees her CEUs and PDPs on her
transcript. axe-core on every page, at phone and desktop width."""

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
def test_admin_adds_a_state_rule_on_a_phone_and_the_cook_sees_her_pdps(
    context: BrowserContext, check_page: CheckPage
) -> None:
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto("/?lang=en")
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    open_menu_link(page, "Credit units")
    expect(page.get_by_role("heading", name="Credit units", level=1)).to_be_visible()
    check_page(page, "credit-units-list")

    page.get_by_role("link", name="Training points (TP)").click()
    expect(page.locator("#rules")).to_contain_text("Texas rule: 1 TP per 3 contact hours")
    check_page(page, "credit-units-unit")
    page.get_by_role("link", name="Add a rule").click()
    check_page(page, "credit-units-rule-form")

    # A slip is answered next to the field, nothing stored.
    page.get_by_label("Where it applies").select_option(label="Ohio")
    page.get_by_label("Contact hours for one unit").fill("0")
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator("#hours_per_unit-error")).to_contain_text("from 0.1 to 1000")
    expect(page.locator("#error-summary")).to_be_focused()
    check_page(page, "credit-units-rule-form-error")

    page.get_by_label("Contact hours for one unit").fill("2,5")
    page.get_by_label("Rounding").select_option(label="Down to a whole number")
    page.get_by_label("At most this many units a year (optional)").fill("12")
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_role("status").first).to_contain_text("Rule added.")
    expect(page.locator("#rules")).to_contain_text(
        "Ohio rule: 1 TP per 2.5 contact hours, rounded down to a whole number; at most 12 a year"
    )
    expect(page.locator("ul.history")).to_contain_text("Ohio rule added")
    expect(page.locator("ul.history")).to_contain_text("by Dana Whitfield")
    check_page(page, "credit-units-unit-with-ohio")

    sign_out(page)
    sign_in(page, "cook@example.org", DEMO_PASSWORD)
    page.goto("/transcript")
    expect(page.get_by_role("heading", name="My transcript", level=1)).to_be_visible()
    table = page.locator("table.transcript").first
    expect(table).to_contain_text("Professional Development Points in 2026")
    expect(table).to_contain_text("Massachusetts rule: 1 PDP per contact hour")
    # 6 hours of mentoring training and two 15-hour micro-credentials (the
    # micro-credentials demo): 36 PDP from the hours, 10 from the two micro-credentials.
    expect(table).to_contain_text("46 PDP")
    expect(table).to_contain_text("3.6 CEU")
    # 46 PDP in 2026, and 3 in 2024 from the food-safety refresher of the required-trainings
    # demo (converted from 3 hours by the same Massachusetts rule).
    expect(page.get_by_text("Total Professional Development Points: 49 PDP")).to_be_visible()
    check_page(page, "credit-units-cook-transcript")
