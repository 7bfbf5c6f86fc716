"""Registration in full in a real browser, axe-core on every page: the national admin
creates an offering (capacity 1, waitlist on) with two sessions and publishes it; member A
registers, member B is waitlisted as number 1, A cancels from My trainings and B is
confirmed. Then the Ohio approver declines a pending registration inline from the queue."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from esp_registry.seeding import DEMO_PASSWORD
from tests.browser.menu import open_menu_link
from tests.browser.test_walking_skeleton import (
    assert_same_document,
    mark_document,
    sign_in,
    sign_out,
)

CheckPage = Callable[[Page, str], None]

ADMIN = "admin@example.org"
APPROVER = "approver.oh@example.org"
MEMBER_A, NAME_A = "member@example.org", "Maria Alvarez"
MEMBER_B, NAME_B = "cook@example.org", "Ana Pereira"
PENDING_MEMBER, PENDING_NAME = "custodian@example.org", "Tom Nguyen"
PENDING_TITLE = "ESP Certification at the State Level (Ohio cohort)"

ZONE = "America/New_York"
PROGRAM = "Building Winning Teams within the School Community"
TITLE = "Building Winning Teams: one-seat pilot"
SESSIONS = ("Part 1: Working across job families", "Part 2: Families and educators")
DECLINE_REASON = "This cohort is for local presidents; please apply for the spring cohort."


def open_nav(page: Page, name: str) -> None:
    open_menu_link(page, name)


def card(page: Page, scope: Locator, title: str) -> Locator:
    return scope.locator(".card", has=page.get_by_role("heading", name=title))


def fits_phone(page: Page, name: str) -> None:
    """Nothing on the page is wider than a 390 px phone (no sideways scrolling)."""
    original = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
    finally:
        if original:
            page.set_viewport_size(original)
    assert widths[0] <= widths[1], f"{name}: {widths[0]} px wide at a 390 px viewport"


@pytest.mark.browser
def test_waitlist_promotion_and_approval_queue(
    page: Page, check_page: CheckPage, blocked_requests: list[str]
) -> None:
    def look(page: Page, name: str) -> None:
        check_page(page, name)
        fits_phone(page, name)

    local_now = datetime.now(ZoneInfo(ZONE)).replace(second=0, microsecond=0)
    opens = local_now - timedelta(hours=1)
    days = (local_now + timedelta(days=30), local_now + timedelta(days=31))

    # --- The national admin creates, fills and publishes the offering. -------------------
    page.goto("/")
    sign_in(page, ADMIN, DEMO_PASSWORD)
    open_nav(page, "Manage trainings")
    expect(page.get_by_role("heading", name="Manage trainings", level=1)).to_be_visible()
    look(page, "20-manage-index")

    page.get_by_role("link", name="New training").click()
    expect(page.get_by_role("heading", name="New training", level=1)).to_be_visible()
    look(page, "21-manage-new")
    page.get_by_label("Program", exact=True).select_option(label=PROGRAM)
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Description", exact=True).fill(
        "A pilot with a single seat, to try the waitlist."
    )
    page.get_by_label("Host", exact=True).select_option(label="National")
    page.get_by_label("Format", exact=True).select_option(label="Virtual")
    page.get_by_label("Online link", exact=True).fill("https://meet.example.org/one-seat")
    page.get_by_label("Time zone", exact=True).select_option(value=ZONE)
    page.get_by_label("Registration opens", exact=True).fill(opens.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Capacity", exact=True).fill("1")
    page.get_by_label("Keep a waitlist when the training is full").check()
    page.get_by_label("When a seat frees up", exact=True).select_option(
        label="Confirm the next person at once"
    )
    page.get_by_role("button", name="Save as draft").click()

    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Draft saved.")
    expect(page.get_by_role("heading", name="Status: Draft")).to_be_visible()
    look(page, "22-manage-draft")

    # Two future sessions, each added by htmx without leaving the page.
    mark_document(page)
    sessions = page.locator("#sessions")
    for title, day in zip(SESSIONS, days, strict=True):
        sessions.get_by_label("Session title", exact=True).fill(title)
        sessions.get_by_label("Date", exact=True).fill(day.strftime("%Y-%m-%d"))
        sessions.get_by_label("Start time", exact=True).fill("09:00")
        sessions.get_by_label("End time", exact=True).fill("12:00")
        sessions.get_by_label("Contact hours", exact=True).fill("3")
        sessions.get_by_role("button", name="Add session").click()
        expect(sessions.locator(".flash")).to_have_text("Session added.")
        expect(sessions.get_by_role("rowheader", name=title)).to_be_visible()
    expect(sessions.locator("tbody tr")).to_have_count(2)
    assert_same_document(page)
    look(page, "23-manage-sessions")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.get_by_role("heading", name="Status: Published")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Published")
    expect(page.locator(".flashes")).to_be_focused()  # htmx swapped the page: focus on the news
    status_box = page.locator("#status")
    expect(status_box).to_contain_text("0 of 1")
    look(page, "24-manage-published")

    page.get_by_role("link", name="See it in the catalog").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    offering_url = page.url
    expect(page.locator("ol.sessions > li")).to_have_count(2)
    expect(page.locator("#registration .seats")).to_have_text("1 seat left")
    look(page, "25-offering-published")
    sign_out(page)

    # --- Member A takes the only seat. ---------------------------------------------------
    sign_in(page, MEMBER_A, DEMO_PASSWORD)
    page.goto(offering_url)
    registration = page.locator("#registration")
    mark_document(page)
    registration.get_by_role("button", name="Register").click()
    expect(registration.locator(".flash")).to_have_text("You are registered. See you there!")
    expect(registration.locator(".flash")).to_be_focused()
    expect(registration).to_contain_text("Your registration: Confirmed")
    expect(registration.locator(".seats")).to_have_text("Full · 0 on the waitlist")
    assert_same_document(page)
    look(page, "26-offering-a-confirmed")
    sign_out(page)

    # --- Member B finds it full and joins the waitlist as number 1. ------------------------
    sign_in(page, MEMBER_B, DEMO_PASSWORD)
    page.goto(offering_url)
    registration = page.locator("#registration")
    expect(registration.locator(".seats")).to_have_text("Full · 0 on the waitlist")
    look(page, "27-offering-full")
    mark_document(page)
    registration.get_by_role("button", name="Join the waitlist").click()
    expect(registration.locator(".flash")).to_have_text(
        "The training is full: you are number 1 on the waitlist."
    )
    expect(registration).to_contain_text("Your registration: Waitlisted · number 1 on the waitlist")
    expect(registration.locator(".seats")).to_have_text("Full · 1 on the waitlist")
    expect(registration.get_by_role("button", name="Leave the waitlist")).to_be_visible()
    assert_same_document(page)
    look(page, "28-offering-b-waitlisted")

    open_nav(page, "My trainings")
    mine = page.locator("#my-trainings")
    expect(mine.get_by_role("heading", name="On a waitlist")).to_be_visible()
    waiting = card(page, mine, TITLE)
    expect(waiting).to_contain_text("Status: Waitlisted · number 1 on the waitlist")
    look(page, "29-my-trainings-b-waitlisted")
    sign_out(page)

    # --- Member A cancels from My trainings (htmx, after confirming the dialog). ----------
    sign_in(page, MEMBER_A, DEMO_PASSWORD)
    mine = page.locator("#my-trainings")
    seat = card(page, mine, TITLE)
    expect(seat).to_contain_text("Status: Confirmed")
    look(page, "30-my-trainings-a-confirmed")
    mark_document(page)
    prompts: list[str] = []

    def accept(dialog: Dialog) -> None:
        prompts.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    seat.get_by_role("button", name=f"Cancel registration for {TITLE}").click()
    expect(mine.locator(".flash")).to_have_text("The registration is cancelled.")
    expect(mine.locator(".flash")).to_be_focused()
    assert prompts == [f"Cancel your registration for {TITLE}?"]
    expect(mine.get_by_role("heading", name="Cancelled or declined")).to_be_visible()
    expect(card(page, mine, TITLE)).to_contain_text("Status: Cancelled")
    assert_same_document(page)
    look(page, "31-my-trainings-a-cancelled")
    sign_out(page)

    # --- Member B was promoted in the same transaction: confirmed everywhere. ------------
    sign_in(page, MEMBER_B, DEMO_PASSWORD)
    mine = page.locator("#my-trainings")
    expect(mine.get_by_role("heading", name="On a waitlist")).to_have_count(0)
    promoted = card(page, mine, TITLE)
    expect(promoted).to_contain_text("Status: Confirmed")
    expect(promoted).not_to_contain_text("waitlist")
    look(page, "32-my-trainings-b-confirmed")
    promoted.get_by_role("link", name=TITLE, exact=True).click()
    registration = page.locator("#registration")
    expect(registration).to_contain_text("Your registration: Confirmed")
    expect(registration.locator(".seats")).to_have_text("Full · 0 on the waitlist")
    look(page, "33-offering-b-confirmed")
    sign_out(page)

    # --- The Ohio approver works the queue inline. ----------------------------------------
    sign_in(page, APPROVER, DEMO_PASSWORD)
    open_nav(page, "Approvals")
    expect(page.get_by_role("heading", name="Registrations to approve", level=1)).to_be_visible()
    request = page.locator("#approvals .card", has=page.get_by_role("heading", name=PENDING_NAME))
    expect(request).to_have_count(1)
    expect(request.get_by_role("link", name=PENDING_TITLE)).to_be_visible()
    look(page, "34-approvals")

    mark_document(page)
    decline = request.get_by_role("button", name=f"Decline {PENDING_NAME}")
    decline.click()  # no reason yet: refused, and nothing changes
    expect(request.get_by_role("alert")).to_have_text("Say why, so the member knows.")
    reason_box = request.get_by_label(f"Reason for declining {PENDING_NAME}")
    expect(reason_box).to_have_attribute("aria-invalid", "true")
    expect(decline).to_be_visible()
    look(page, "35-approvals-needs-reason")
    request.get_by_label(f"Reason for declining {PENDING_NAME}").fill(DECLINE_REASON)
    request.get_by_role("button", name=f"Decline {PENDING_NAME}").click()
    expect(request.locator(".flash")).to_have_text("Declined. The member has been told why.")
    expect(request.locator(".flash")).to_be_focused()
    expect(request).to_contain_text("Now: Declined")
    expect(request.get_by_role("button")).to_have_count(0)
    assert_same_document(page)
    look(page, "36-approvals-declined")

    # A plain reload: the queue is empty of that request.
    page.reload()
    expect(
        page.locator("#approvals .card", has=page.get_by_role("heading", name=PENDING_NAME))
    ).to_have_count(0)
    sign_out(page)

    # The member sees the decision and the reason.
    sign_in(page, PENDING_MEMBER, DEMO_PASSWORD)
    declined = card(page, page.locator("#my-trainings"), PENDING_TITLE)
    expect(declined).to_contain_text("Status: Declined")
    expect(declined).to_contain_text(f"Reason: {DECLINE_REASON}")
    look(page, "37-my-trainings-declined")

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/offerings/\d+(/.*)?", offering_url), offering_url
    assert blocked_requests == [], f"the pages asked for outside resources: {blocked_requests}"
