"""A micro-credential from start to badge in a real browser, axe-core on every page (issue 16):
member@ starts one on a 390 px phone and drafts (a reload loses nothing), submits; admin@
pre-checks; two assessors agree on Not yet; member@ reads the feedback, revises and
resubmits; admin@ pre-checks again; both assessors score Met; member@ opens the award and
downloads the baked PNG badge, which /badges/verify finds genuine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from esp_registry.accounts.models import Role, User
from esp_registry.extensions import db
from esp_registry.microcredentials.models import Assessment, Attempt, AttemptStatus, Submission
from esp_registry.seeding import DEMO_PASSWORD
from tests import factories
from tests.browser.menu import open_menu_link
from tests.browser.test_credit_outside_flow import phone_page
from tests.browser.test_walking_skeleton import sign_in, sign_out

CheckPage = Callable[[Page, str], None]
TITLE = "Calm Routines for Morning Arrival"
FEEDBACK = "Say what you would change next time, and why."


def _assessor_emails(submission_number: int, mc_id: int) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(User.email)
            .join(Assessment, Assessment.assessor_id == User.id)
            .join(Submission, Submission.id == Assessment.submission_id)
            .join(Attempt, Attempt.id == Submission.attempt_id)
            .where(Attempt.microcredential_id == mc_id, Submission.number == submission_number)
            .order_by(Assessment.role)
        )
    )


def _precheck(page: Page, check_page: CheckPage, name: str) -> None:
    page.goto("/")
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    open_menu_link(page, "Micro-credential pre-check")
    page.get_by_role("link", name="Maria Alvarez").first.click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    check_page(page, f"journey-{name}")
    page.get_by_role("button", name="Complete — send to assessors").click()
    expect(page.get_by_role("status").first).to_contain_text("Sent to")
    sign_out(page)


def _score(page: Page, check_page: CheckPage, email: str, met: bool, name: str) -> None:
    password = factories.PASSWORD if email.startswith("journey") else DEMO_PASSWORD
    page.goto("/")
    sign_in(page, email, password)
    open_menu_link(page, "My assessments")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", name=f"Assess: {TITLE}", level=1)).to_be_visible()
    check_page(page, f"journey-{name}")
    criterion = page.locator("fieldset.criterion").first
    if met:
        criterion.get_by_label("Met", exact=True).check()
    else:
        criterion.get_by_label("Not yet", exact=True).check()
        criterion.get_by_label("Feedback (required for Not yet)").fill(FEEDBACK)
    page.get_by_role("button", name="Send my scores (final)").click()
    expect(page.get_by_role("status").first).to_contain_text("Your scores are sent.")
    sign_out(page)


@pytest.mark.browser
def test_start_draft_submit_return_resubmit_award_badge(
    live_server: str,
    htmx_file: Path,
    new_context,  # type: ignore[no-untyped-def]
    page: Page,
    check_page: CheckPage,
    tmp_path: Path,
) -> None:
    # Two assessors with no open work, so pre-check chooses them over the demo's.
    for n in (1, 2):
        factories.person(
            f"journey{n}@example.org", name=f"Journey Assessor {n}", roles=((Role.ASSESSOR, None),)
        )
    mc = factories.microcredential(TITLE, components=1, criteria=1)
    (component,) = mc.components

    # The member starts it and drafts on a phone; a reload loses nothing.
    phone = phone_page(live_server, htmx_file, new_context)
    phone.goto(f"/microcredentials/{mc.id}")
    sign_in(phone, "member@example.org", DEMO_PASSWORD)
    phone.goto(f"/microcredentials/{mc.id}")
    check_page(phone, "journey-01-detail")
    phone.get_by_role("button", name="Start").click()
    expect(phone.get_by_text("You started. Submit your evidence by")).to_be_visible()
    area = phone.get_by_label(f"Your evidence for: {component.title}")
    area.click()
    area.press_sequentially("Each morning I greet the children at the door.", delay=5)
    expect(phone.locator(f"#status-{component.id}")).to_contain_text("Saved", timeout=10_000)
    phone.reload()
    expect(phone.get_by_label(f"Your evidence for: {component.title}")).to_have_value(
        "Each morning I greet the children at the door."
    )
    check_page(phone, "journey-02-draft")
    phone.get_by_role("button", name="Submit my evidence").click()
    expect(phone.get_by_text("Submitted. Staff check that it is complete")).to_be_visible()

    # Pre-check, then two assessors agree: not yet.
    _precheck(page, check_page, "03-precheck")
    first, second = _assessor_emails(1, mc.id)
    assert {first, second} == {"journey1@example.org", "journey2@example.org"}
    _score(page, check_page, first, met=False, name="04-score-not-yet")
    _score(page, check_page, second, met=False, name="05-score-not-yet")

    # The member reads the feedback, revises and resubmits.
    phone.goto("/microcredentials/mine")
    phone.get_by_role("link", name=TITLE).click()
    expect(phone.get_by_text(FEEDBACK).first).to_be_visible()
    check_page(phone, "journey-06-returned")
    area = phone.get_by_label(f"Your evidence for: {component.title}")
    area.fill("Each morning I greet the children at the door. Next time I will post the plan.")
    expect(phone.locator(f"#status-{component.id}")).to_contain_text("Saved", timeout=10_000)
    phone.get_by_role("button", name="Submit my evidence").click()
    expect(phone.get_by_text("Submitted. Staff check that it is complete")).to_be_visible()

    # Pre-check again; both score Met: awarded.
    _precheck(page, check_page, "07-precheck-again")
    for n, email in enumerate(_assessor_emails(2, mc.id)):
        _score(page, check_page, email, met=True, name=f"08-score-met-{n}")
    db.session.expire_all()
    attempt = db.session.scalar(sa.select(Attempt).where(Attempt.microcredential_id == mc.id))
    assert attempt.status == AttemptStatus.AWARDED
    assert [s.number for s in attempt.submissions] == [1, 2]  # every version kept

    # The member opens the award and takes the baked badge away; /badges/verify checks it.
    phone.goto(f"/microcredentials/attempts/{attempt.id}")
    phone.get_by_role("link", name="Your certificate and digital badge").click()
    expect(phone.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    check_page(phone, "journey-09-award")
    with phone.expect_download() as info:
        phone.get_by_role("link", name="Badge image (PNG)").click()
    badge = tmp_path / info.value.suggested_filename
    info.value.save_as(badge)
    assert badge.read_bytes().startswith(b"\x89PNG")
    phone.goto("/badges/verify")
    phone.get_by_label("Or choose the file").set_input_files(badge)
    phone.get_by_role("button", name="Check the badge").click()
    expect(phone.get_by_role("status").first).to_contain_text("This badge is genuine and valid.")
    check_page(phone, "journey-10-verified")
