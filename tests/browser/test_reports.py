"""Reports in a real browser: every report page passes axe at phone and desktop width with
its charts drawn (SVG with a title), a filter change answers through htmx, and the Ohio
approver's pages show Ohio only."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from esp_registry.seeding import DEMO_PASSWORD
from tests.browser.menu import open_menu_link
from tests.browser.test_walking_skeleton import sign_in, sign_out

CheckPage = Callable[[Page, str], None]
REPORTS = [
    ("Participation", "reports-participation"),
    ("Attendance", "reports-attendance"),
    ("Certificates and PD hours", "reports-certificates"),
    ("Leaders for Tomorrow pipeline", "reports-lft"),
    ("Mentoring", "reports-mentoring"),
]


@pytest.mark.browser
def test_every_report_page_reads_at_both_widths(page: Page, check_page: CheckPage) -> None:
    page.goto("/")
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    open_menu_link(page, "Reports")
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    check_page(page, "reports-index")
    for link, name in REPORTS:
        page.goto("/reports")
        page.locator(".report-list").get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", name=link, level=1)).to_be_visible()
        expect(page.locator("#report svg[role=img] title").first).not_to_be_empty()
        check_page(page, name)

    # A filter change swaps the numbers through htmx (the page itself stays).
    page.goto("/reports/participation")
    page.evaluate("document.body.dataset.marker = 'kept'")
    page.get_by_label("State affiliate").select_option(label="Texas")
    expect(page).to_have_url(re.compile(r"affiliate=[0-9]+"))
    expect(page.locator("#report table").nth(2)).to_contain_text("Texas")
    expect(page.locator("#report table").nth(2)).not_to_contain_text("Ohio")
    assert page.evaluate("document.body.dataset.marker") == "kept"
    sign_out(page)


@pytest.mark.browser
def test_the_ohio_approver_sees_ohio_only(page: Page, check_page: CheckPage) -> None:
    page.goto("/")
    sign_in(page, "approver.oh@example.org", DEMO_PASSWORD)
    open_menu_link(page, "Reports")
    page.locator(".report-list").get_by_role("link", name="Participation").click()
    table = page.get_by_role("table", name="By affiliate")
    expect(table).to_contain_text("Ohio")
    expect(table).not_to_contain_text("Texas")
    check_page(page, "reports-participation-approver")
