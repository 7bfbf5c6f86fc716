"""Moving through the site menu as a person does: staff pages sit behind one "Staff"
disclosure (a plain <details>), opened first when the page asked for is one of them."""

from __future__ import annotations

from playwright.sync_api import Page


def open_menu_link(page: Page, name: str) -> None:
    nav = page.get_by_role("navigation", name="Main")
    link = nav.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        staff = nav.locator("details.staff-menu")
        if staff.count() and staff.get_attribute("open") is None:
            staff.locator("summary").click()
    link.click()
