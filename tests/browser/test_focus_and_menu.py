"""Phone, keyboard and screen-reader polish in a real browser, axe-core on every page:
where focus lands after each htmx update (and that the page's live region says it), the
error summary, the staff menu with JavaScript off, keyboard-only registration, and pages
that do not offer what would be refused (other job families, a training under way)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import BrowserContext, Page, expect

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.seeding import DEMO_PASSWORD
from tests import factories
from tests.browser.conftest import SCREENSHOTS
from tests.browser.htmx import settled
from tests.browser.menu import open_menu_link
from tests.browser.test_registration_flow import fits_phone
from tests.browser.test_walking_skeleton import sign_in

CheckPage = Callable[[Page, str], None]

ADMIN = "admin@example.org"
APPROVER = "approver.oh@example.org"
PENDING_NAME = "Tom Nguyen"  # custodian@, waiting for Ohio's approval in the demo
OPEN_TITLE = "Polish: open workshop for everyone"
UNDER_WAY = "Polish: workshop under way"
BUS_ONLY = "Getting Educated: Transportation Services Professionals (Texas)"


def active(page: Page) -> str:
    """The focused element, as tag#id.class, for messages that say where focus went."""
    return page.evaluate(
        "() => { const e = document.activeElement; "
        "return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') "
        "+ (e.className ? '.' + String(e.className).split(' ').join('.') : ''); }"
    )


def live_status(page: Page) -> str:
    return page.locator("#live-status").inner_text()


def world() -> dict[str, object]:
    """A member with an upcoming seat and a seat in a training under way, and a
    facilitator's roster for it (a minute into the session)."""
    member = factories.person("polish.member@example.net", name="Rita Polish")
    facilitator = db.session.scalar(sa.select(User).where(User.email == "facilitator@example.org"))
    open_one = factories.offering(OPEN_TITLE, starts_in=timedelta(days=20))
    under_way = factories.offering(
        UNDER_WAY, starts_in=-timedelta(minutes=30), facilitators=(facilitator,)
    )
    seat = Registration(offering=under_way, user=member, status=RegistrationStatus.CONFIRMED)
    db.session.add(seat)
    db.session.commit()
    ids = {"open": open_one.id, "under_way": under_way.id, "session": under_way.sessions[0].id}
    ids["seat"] = seat.id
    db.session.remove()
    return ids


@pytest.mark.browser
def test_member_flows_focus_the_message_and_offer_only_what_can_succeed(
    page: Page, check_page: CheckPage, blocked_requests: list[str]
) -> None:
    ids = world()

    def look(name: str) -> None:
        check_page(page, name)
        fits_phone(page, name)

    page.goto("/")
    sign_in(page, "polish.member@example.net", factories.PASSWORD)

    # A filter keeps focus where the member is and the live region reads out the count.
    page.goto("/")
    family = page.get_by_label("Job family")
    family.focus()
    family.select_option("paraeducators")
    expect(page.locator("#live-status")).to_contain_text("training")
    assert active(page) == "select#job_family", active(page)
    assert "job_family=paraeducators" in page.url  # pushed, so Back and a reload agree
    look("polish-01-catalog-filtered")

    # Keyboard only (Tab and Enter) from the catalog to "You are registered".
    page.goto("/")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == OPEN_TITLE:
            break
    else:
        pytest.fail("Tab never reached the offering's link")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=OPEN_TITLE, level=1)).to_be_visible()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Register":
            break
    else:
        pytest.fail("Tab never reached the Register button")
    page.keyboard.press("Enter")
    message = page.locator("#registration .flash")
    expect(message).to_have_text("You are registered. See you there!")
    expect(message).to_be_focused()
    expect(page.locator("#live-status")).to_have_text("You are registered. See you there!")
    look("polish-02-registered")

    # Cancel on the offering page: the answer takes the focus too.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#registration").get_by_role("button", name="Cancel registration").click()
    expect(message).to_have_text("The registration is cancelled.")
    expect(message).to_be_focused()
    expect(page.locator("#live-status")).to_have_text("The registration is cancelled.")

    # An offering for other job families says so, with a way to the member's own trainings.
    page.goto("/")
    page.get_by_role("link", name=BUS_ONLY).click()
    box = page.locator("#registration")
    expect(box).to_contain_text("This training is for other job families than yours")
    expect(box.get_by_role("button")).to_have_count(0)
    box.get_by_role("link", name="Trainings for Paraeducators").click()
    expect(page.get_by_label("Job family")).to_have_value("paraeducators")

    # My trainings: the training under way is under Today / in progress, without Cancel.
    page.goto(f"/offerings/{ids['open']}")
    page.locator("#registration").get_by_role("button", name="Register").click()
    expect(page.locator("#registration .flash")).to_be_focused()
    page.goto("/my-trainings")
    today = page.locator(".card", has=page.get_by_role("heading", name=UNDER_WAY))
    expect(page.get_by_role("heading", name="Today / in progress")).to_be_visible()
    expect(today).to_contain_text("ask the organisers to cancel")
    expect(today.get_by_role("button")).to_have_count(0)
    look("polish-03-my-trainings-today")
    upcoming = page.locator(".card", has=page.get_by_role("heading", name=OPEN_TITLE))
    page.once("dialog", lambda dialog: dialog.accept())
    upcoming.get_by_role("button", name="Cancel registration").click()
    done = page.locator("#my-trainings .flash")
    expect(done).to_have_text("The registration is cancelled.")
    expect(done).to_be_focused()
    expect(page.locator("#my-trainings #my-trainings")).to_have_count(0)  # swapped, not nested
    assert not blocked_requests


@pytest.mark.browser
def test_staff_updates_keep_or_move_focus_to_what_changed(
    page: Page, check_page: CheckPage, blocked_requests: list[str]
) -> None:
    ids = world()
    page.goto("/")

    # Roster: Present keeps focus on the pressed button; the count (a live region that
    # stays in the page) changes in place.
    sign_in(page, "facilitator@example.org", DEMO_PASSWORD)
    page.goto(f"/sessions/{ids['session']}/roster")
    present = page.locator(f"#present-{ids['seat']}")
    present.click()
    expect(present).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#present-{ids['seat']}")).to_be_focused()
    expect(page.locator("#roster-count")).to_have_text(
        "1 present of 1 registered · 0 absent, 0 not yet marked"
    )
    settled(page)
    absent = page.locator(f"#absent-{ids['seat']}")
    absent.focus()
    page.keyboard.press("Enter")
    expect(absent).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#absent-{ids['seat']}")).to_be_focused()
    expect(page.locator("#roster-count")).to_have_text(
        "0 present of 1 registered · 1 absent, 0 not yet marked"
    )
    settled(page)
    page.get_by_role("button", name="Mark all present").click()
    expect(page.locator("#roster-table .flash")).to_be_focused()
    expect(page.locator("#live-status")).to_have_text("1 marked present.")
    check_page(page, "polish-04-roster")
    page.get_by_role("button", name="Sign out").click()

    # Approvals: the decision's message takes the focus and is read out.
    sign_in(page, APPROVER, DEMO_PASSWORD)
    open_menu_link(page, "Approvals")
    card = page.locator(".card", has=page.get_by_role("heading", name=PENDING_NAME))
    card.get_by_role("button", name=f"Approve {PENDING_NAME}").click()
    message = card.locator(".flash")
    expect(message).to_be_focused()
    expect(page.locator("#live-status")).to_have_text(message.inner_text())
    check_page(page, "polish-05-approved")
    assert not blocked_requests


@pytest.mark.browser
def test_the_error_summary_takes_focus_and_its_links_reach_the_fields(
    page: Page, check_page: CheckPage
) -> None:
    page.goto("/signup")
    page.get_by_label("Email").fill("member@example.org")  # taken: told with the rest
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Enter your full name.",
            "An account with this email already exists. Sign in instead.",
            "Choose your state affiliate.",
            "Choose your job family.",
            "Enter a password of at least 10 characters.",  # in the page's order
            "Enter the password again.",
        ]
    )
    check_page(page, "polish-06-error-summary")
    summary.get_by_role("link", name="Enter a password of at least 10 characters.").click()
    expect(page.locator("#password")).to_be_focused()
    summary.get_by_role("link", name="Choose your job family.").click()
    expect(page.locator("#job_family_id")).to_be_focused()
    # The inline messages stay, next to their fields.
    expect(page.locator("#full_name-error")).to_contain_text("Enter your full name.")


@pytest.mark.browser
def test_the_staff_menu_works_without_javascript_and_fits_two_lines_on_a_phone(
    live_server: str, new_context: Callable[..., BrowserContext], check_page: CheckPage
) -> None:
    context = new_context(
        base_url=live_server,
        java_script_enabled=False,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    )
    context.route(
        "**/*",
        lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort(),
    )
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My trainings", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    # The person's name leads to their account; staff pages wait behind one entry.
    expect(nav.get_by_role("link", name="My account: Dana Whitfield")).to_be_visible()
    manage = nav.get_by_role("link", name="Manage trainings", exact=True)
    expect(manage).to_be_hidden()
    # Measured once the style sheet is in: the heading is "visible" in the parsed page
    # before it arrives, and an unstyled header is taller (seen once on a loaded machine).
    page.wait_for_load_state("load")
    header = page.evaluate("document.querySelector('header.site').getBoundingClientRect().height")
    menu = page.evaluate("document.querySelector('header.site nav').getBoundingClientRect().height")
    page.screenshot(path=SCREENSHOTS / "polish-07-menu-closed-390.png")
    assert menu <= 2 * 44, f"the menu takes {menu} px at 390 px (two lines are 88)"
    assert header <= 135, f"the header takes {header} px before any content"
    nav.locator("summary", has_text="Staff").click()
    expect(manage).to_be_visible()
    for name in ("Facilitate", "Approvals", "Mentoring requests", "People", "Reference data"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "polish-08-menu-open-390.png")
    manage.click()
    expect(page.get_by_role("heading", name="Manage trainings", level=1)).to_be_visible()
    # The staff page opened is marked as the current one in the (closed again) menu.
    expect(page.locator('nav a[aria-current="page"]')).to_have_text("Manage trainings")
    context.close()


@pytest.mark.browser
def test_a_member_sees_no_staff_entry(page: Page, check_page: CheckPage) -> None:
    page.goto("/")
    sign_in(page, "member@example.org", DEMO_PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.locator("summary")).to_have_count(0)
    expect(nav.get_by_role("link", name="My account: Maria Alvarez")).to_be_visible()
    check_page(page, "polish-09-member-menu")
