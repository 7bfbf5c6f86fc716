"""Account security in a real browser: a password change signs the other device out,
"Sign out everywhere" signs out this one too, and the page passes axe at both widths."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from esp_registry.seeding import DEMO_PASSWORD
from tests.browser.test_walking_skeleton import sign_in

MEMBER = "member@example.org"
NEW_PASSWORD = "a-new-password-2027"


def other_device(context: BrowserContext) -> Page:
    """A second browser (a phone) with its own cookies; it reaches only the app."""
    assert context.browser is not None
    phone = context.browser.new_context(base_url=context.pages[0].url if context.pages else None)

    def only_the_app(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    phone.route("**/*", only_the_app)
    return phone.new_page()


@pytest.mark.browser
def test_password_change_and_sign_out_everywhere(
    context: BrowserContext, live_server: str, check_page: Callable[[Page, str], None]
) -> None:
    laptop = context.new_page()
    laptop.goto("/")
    sign_in(laptop, MEMBER, DEMO_PASSWORD)
    phone = other_device(context)
    phone.goto(f"{live_server}/")
    sign_in(phone, MEMBER, DEMO_PASSWORD)

    laptop.get_by_role("link", name="Account").click()
    laptop.get_by_role("link", name="Password and where you are signed in").click()
    expect(laptop.get_by_role("heading", name="Sign-in and password", level=1)).to_be_visible()
    expect(laptop.get_by_text("This device")).to_be_visible()
    expect(laptop.get_by_text("Another device")).to_be_visible()
    check_page(laptop, "account-security")

    laptop.get_by_label("Current password").fill("not my password")
    laptop.get_by_label("New password (at least 10 characters)").fill(NEW_PASSWORD)
    laptop.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    laptop.get_by_role("button", name="Change password").click()
    expect(laptop.locator("#current_password-error")).to_contain_text(
        "That is not your current password."
    )
    expect(laptop.locator(".error-summary")).to_be_focused()
    check_page(laptop, "account-security-error")

    laptop.get_by_label("Current password").fill(DEMO_PASSWORD)
    laptop.get_by_label("New password (at least 10 characters)").fill(NEW_PASSWORD)
    laptop.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    laptop.get_by_role("button", name="Change password").click()
    expect(laptop.get_by_role("status").first).to_contain_text("1 other device was signed out")

    # The phone's next click finds it signed out; the laptop is still in.
    phone.goto(f"{live_server}/my-trainings")
    expect(phone.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    laptop.goto("/my-trainings")
    expect(laptop.get_by_role("heading", name="My trainings", level=1)).to_be_visible()

    laptop.get_by_role("link", name="Account").click()
    laptop.get_by_role("link", name="Password and where you are signed in").click()
    laptop.get_by_role("button", name="Sign out everywhere").click()
    expect(laptop.get_by_role("status").first).to_contain_text("signed out on every device")
    laptop.goto("/my-trainings")
    expect(laptop.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    phone.context.close()
