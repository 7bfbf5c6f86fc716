"""Leaders for Tomorrow in a real browser, axe-core on every page: the member applies, the
Ohio approver endorses inline, the national admin scores, selects and releases, and the
member sees "Selected" and the cohort training in My trainings."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from esp_registry.columns import utcnow
from esp_registry.seeding import DEMO_PASSWORD
from tests.browser.test_walking_skeleton import (
    assert_same_document,
    mark_document,
    sign_in,
    sign_out,
)

CheckPage = Callable[[Page, str], None]
MEMBER = "member@example.org"
NAME = "Maria Alvarez"


def open_lft(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Leaders for Tomorrow"
    ).click()
    expect(page.get_by_role("heading", name="Leaders for Tomorrow", level=1)).to_be_visible()


@pytest.mark.browser
def test_apply_endorse_score_select_release(page: Page, check_page: CheckPage) -> None:
    year = utcnow().year + 1
    page.goto("/")

    # The member applies; the word count follows as she types (htmx).
    sign_in(page, MEMBER, DEMO_PASSWORD)
    open_lft(page)
    check_page(page, "lft-01-index")
    page.get_by_role("link", name=f"Apply for {year}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Apply")
    check_page(page, "lft-02-apply")
    page.get_by_label("Years working as an ESP").fill("7")
    page.get_by_label(re.compile("leadership experience")).fill(
        "Building representative; I led our local's new-member drive."
    )
    mark_document(page)
    page.get_by_label(re.compile("Essay 1")).press_sequentially("I want to grow as a leader")
    expect(page.locator("#words-essay_why")).to_contain_text("7 of 300 words")
    assert_same_document(page)
    page.get_by_label(re.compile("Essay 2")).fill("Mentor new paraeducators in my district.")
    page.get_by_label("Your local president's name (your reference)").fill("Jordan Ellis")
    page.get_by_label("Your local president's e-mail").fill("president@local.example.org")
    page.get_by_label(re.compile("I commit to attend every session")).check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator("#lft-status")).to_have_text("Submitted")
    check_page(page, "lft-03-submitted")
    sign_out(page)

    # The Ohio approver endorses her inline, without a reload.
    sign_in(page, "approver.oh@example.org", DEMO_PASSWORD)
    open_lft(page)
    page.get_by_role("link", name="Affiliate review queue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Affiliate review")
    check_page(page, "lft-04-queue")
    row = page.locator("li.card", has=page.get_by_role("link", name=NAME))
    mark_document(page)
    row.get_by_label(f"Comment on {NAME}'s application").fill("A natural organiser.")
    row.get_by_role("button", name=f"Endorse {NAME}").click()
    endorsed = row.locator(".flash")
    expect(endorsed).to_have_text("Endorsed. The application goes to national review.")
    expect(endorsed).to_be_focused()
    expect(page.locator("#queue-counts")).to_contain_text("Endorsements left")
    assert_same_document(page)
    check_page(page, "lft-05-endorsed")
    sign_out(page)

    # The national admin scores, selects and releases.
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    open_lft(page)
    page.get_by_role("link", name="National review and scoring").click()
    check_page(page, "lft-06-review")
    page.get_by_role("link", name=f"Score {NAME}").click()
    check_page(page, "lft-07-score")
    for legend in ("Leadership experience", "Commitment to ESP members", "Vision"):
        page.get_by_role("group", name=legend).get_by_label("5").check()
    page.get_by_role("button", name="Submit my scores").click()
    expect(page.get_by_role("status").first).to_contain_text("Your scores are saved.")
    page.get_by_role("link", name="National review").click()
    page.get_by_role("button", name=f"Select {NAME}").click()
    expect(page.get_by_role("status").first).to_contain_text("Selected (not yet released).")
    # Releasing is one-shot: below the list, then a page that says whom it will e-mail.
    page.get_by_role("link", name="Release all decisions…").click()
    expect(page.get_by_text(re.compile(r"^\d+ people will be e-mailed\.$"))).to_be_visible()
    check_page(page, "lft-08-release-confirm")
    page.get_by_role("button", name="Release all decisions now").click()
    expect(page.get_by_role("status").first).to_contain_text("Decisions released")
    check_page(page, "lft-08-released")
    sign_out(page)

    # The member sees the decision and the cohort training.
    sign_in(page, MEMBER, DEMO_PASSWORD)
    open_lft(page)
    page.get_by_role("link", name="See your application").click()
    expect(page.locator("#lft-status")).to_have_text("Selected")
    check_page(page, "lft-09-selected")
    page.get_by_role("button", name="Confirm my place").click()
    expect(page.locator("#lft-status")).to_have_text("Place confirmed")
    page.get_by_role("link", name="My trainings", exact=True).first.click()
    expect(
        page.get_by_role("link", name=f"Leaders for Tomorrow {year} cohort", exact=True)
    ).to_be_visible()
    check_page(page, "lft-10-my-trainings")
