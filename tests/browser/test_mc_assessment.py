"""Micro-credential pre-check and scoring in a real browser, axe-core on every page (issue
16): admin@ finds a submission under Staff → Micro-credential pre-check and sends it to
the assessors; the first assessor scores it on a 390 px phone (a Not yet without feedback
is refused first, with the error summary); the second disagrees, and then both see each
other's scores while a lead is assigned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from esp_registry.accounts.models import Role
from esp_registry.extensions import db
from esp_registry.microcredentials.models import Assessment, AssessorRole, Submission
from esp_registry.seeding import DEMO_PASSWORD
from tests import factories
from tests.browser.menu import open_menu_link
from tests.browser.test_credit_outside_flow import phone_page
from tests.browser.test_registration_flow import fits_phone
from tests.browser.test_walking_skeleton import sign_in, sign_out
from tests.integration.test_mc_assessment import submitted

CheckPage = Callable[[Page, str], None]
LONG_WORD = "https://example.org/" + "lesson-plan-" * 12


@pytest.mark.browser
def test_precheck_and_blind_scoring(
    live_server: str,
    htmx_file: Path,
    new_context,  # type: ignore[no-untyped-def]
    page: Page,
    check_page: CheckPage,
) -> None:
    for n, name in enumerate(("Ines Assessor", "Omar Assessor", "Lea Lead"), start=1):
        factories.person(f"assessor{n}@example.org", name=name, roles=((Role.ASSESSOR, None),))
    member = factories.person("rosa@example.org", name="Rosa Para")
    mc = factories.microcredential("Supporting Students with Behaviour Plans")
    submission = submitted(
        member, mc, text=f"I wrote a plan with the teacher.\n\nThe plan: {LONG_WORD}"
    )

    # The national admin pre-checks it.
    page.goto("/")
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    open_menu_link(page, "Micro-credential pre-check")
    expect(page.get_by_role("heading", name="Micro-credential pre-check", level=1)).to_be_visible()
    check_page(page, "mc-assess-01-precheck-queue")
    page.get_by_role("link", name="Rosa Para").click()
    expect(page.get_by_role("heading", name=mc.name, level=1)).to_be_visible()
    expect(page.get_by_text("I wrote a plan with the teacher.").first).to_be_visible()
    check_page(page, "mc-assess-02-submission")
    fits_phone(page, "submission")
    page.get_by_role("button", name="Complete — send to assessors").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Sent to Ines Assessor and Omar Assessor."
    )
    check_page(page, "mc-assess-03-assigned")
    sign_out(page)

    pair = {
        a.role: a
        for a in db.session.scalars(
            sa.select(Assessment).where(Assessment.submission_id == submission.id)
        )
    }
    assert pair[AssessorRole.FIRST].assessor.email == "assessor1@example.org"

    # The first assessor scores on a phone.
    phone = phone_page(live_server, htmx_file, new_context)
    phone.goto("/")
    sign_in(phone, "assessor1@example.org", factories.PASSWORD)
    open_menu_link(phone, "My assessments")
    expect(phone.get_by_role("heading", name="My assessments", level=1)).to_be_visible()
    check_page(phone, "mc-assess-04-mine")
    phone.get_by_role("link", name=mc.name).click()
    expect(phone.get_by_role("heading", name=f"Assess: {mc.name}", level=1)).to_be_visible()
    check_page(phone, "mc-assess-05-score")
    fits_phone(phone, "score")
    # Not yet without a word, and one criterion left out: refused, nothing stored.
    groups = phone.locator("fieldset.criterion")
    groups.nth(0).get_by_label("Met", exact=True).check()
    groups.nth(1).get_by_label("Not yet", exact=True).check()
    groups.nth(2).get_by_label("Met", exact=True).check()
    phone.get_by_role("button", name="Send my scores (final)").click()
    expect(phone.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(
        phone.get_by_text("Say what is missing: the member reads this feedback.").first
    ).to_be_visible()
    check_page(phone, "mc-assess-06-score-errors")
    fits_phone(phone, "score errors")
    groups = phone.locator("fieldset.criterion")
    for n in range(4):
        groups.nth(n).get_by_label("Met", exact=True).check()
    phone.get_by_role("button", name="Send my scores (final)").click()
    expect(phone.get_by_role("status").first).to_contain_text("Your scores are sent.")
    expect(phone.get_by_text("once you both have sent yours")).to_be_visible()
    check_page(phone, "mc-assess-07-scored-blind")

    # The second assessor disagrees: a lead is assigned; now both see each other's scores.
    page.goto("/")
    sign_in(page, "assessor2@example.org", factories.PASSWORD)
    page.goto(f"/microcredentials/assess/assessments/{pair[AssessorRole.SECOND].id}")
    expect(page.get_by_text("First assessor")).to_have_count(0)
    groups = page.locator("fieldset.criterion")
    for n in range(3):
        groups.nth(n).get_by_label("Met", exact=True).check()
    groups.nth(3).get_by_label("Not yet", exact=True).check()
    groups.nth(3).get_by_label("Feedback (required for Not yet)").fill(
        "The reflection does not say what you would change next time."
    )
    page.get_by_role("button", name="Send my scores (final)").click()
    expect(page.get_by_role("status").first).to_contain_text("a lead assessor decides")
    expect(page.get_by_role("heading", name="First assessor")).to_be_visible()
    check_page(page, "mc-assess-08-both-in")
    db.session.expire_all()
    assert db.session.get(Submission, submission.id).status.value == "lead"
