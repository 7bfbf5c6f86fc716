"""Evaluations in a real browser: custodian@ answers the required evaluation on a 390 px
phone (the error summary first) and downloads his certificate; the facilitator's totals,
the set-up form and the report pass axe-core at phone and desktop width."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from esp_registry.credit.evaluations.demo import TITLE
from esp_registry.seeding import DEMO_PASSWORD
from tests.browser.test_walking_skeleton import sign_in, sign_out

CheckPage = Callable[[Page, str], None]
PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
def test_a_member_answers_on_a_phone_then_downloads_the_certificate(
    context: BrowserContext, check_page: CheckPage, tmp_path: Path
) -> None:
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto("/?lang=en")
    sign_in(page, "custodian@example.org", DEMO_PASSWORD)
    card = page.locator(".card", has_text=TITLE)
    expect(card.get_by_role("link", name="Download certificate (PDF)")).to_have_count(0)
    card.get_by_role("link", name="Answer the short evaluation to get your certificate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluation:")
    check_page(page, "evaluation-01-answer-form")

    page.get_by_role("button", name="Send my answers").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Choose a rating from 1 to 5: How useful was this training")
    expect(summary).to_be_focused()
    check_page(page, "evaluation-02-errors")

    for group in page.locator("fieldset.rating").all():
        group.get_by_label("4", exact=True).check()
    page.get_by_label("What was the most useful part?").fill("Working with the kitchen team.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="My trainings", level=1)).to_be_visible()
    expect(page.get_by_text("Thank you for answering the evaluation.")).to_be_visible()
    check_page(page, "evaluation-03-my-trainings-after")
    card = page.locator(".card", has_text=TITLE)
    with page.expect_download() as info:
        card.get_by_role("link", name="Download certificate (PDF)").click()
    pdf = tmp_path / info.value.suggested_filename
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    sign_out(page)


@pytest.mark.browser
def test_staff_pages_of_evaluations(context: BrowserContext, check_page: CheckPage) -> None:
    page = context.new_page()
    page.goto("/?lang=en")
    sign_in(page, "facilitator@example.org", DEMO_PASSWORD)
    page.goto("/evaluations/")
    check_page(page, "evaluation-04-staff-list")
    page.get_by_role("link", name=f"Results for {TITLE}").click()
    expect(page.get_by_text("6 people answered.")).to_be_visible()
    check_page(page, "evaluation-05-results")
    sign_out(page)

    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.goto("/evaluations/")
    page.get_by_role("link", name=f"Set up the evaluation for {TITLE}").click()
    expect(page.get_by_label("Required for the certificate")).to_be_checked()
    check_page(page, "evaluation-06-setup")
    page.goto("/reports/evaluations")
    expect(page.get_by_role("heading", name="Evaluations", level=1)).to_be_visible()
    check_page(page, "evaluation-07-report")
