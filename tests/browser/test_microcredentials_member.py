"""Micro-credentials in a real browser on a 390 px phone, axe-core on every page (issue 16):
member@ finds one in the catalog, starts it, types evidence that autosaves ("Saved"), reloads
and finds it there; types while the connection is down, and after a reload the browser's
copy is offered back and saved; attaches a photo; submits; reads the version she sent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from esp_registry.accounts.models import Role
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.microcredentials.models import (
    Assessment,
    AssessorRole,
    Attempt,
    AttemptStatus,
    Score,
    Submission,
    SubmissionStatus,
)
from esp_registry.seeding import DEMO_PASSWORD
from tests import factories
from tests import outside_files as files
from tests.browser.test_credit_outside_flow import phone_page
from tests.browser.test_registration_flow import fits_phone
from tests.browser.test_walking_skeleton import sign_in

CheckPage = Callable[[Page, str], None]
MEMBER = "member@example.org"
TITLE = "Supporting Students with Behaviour Plans"


@pytest.mark.browser
def test_phone_start_autosave_reload_restore_submit(
    live_server: str,
    htmx_file: Path,
    new_context,  # type: ignore[no-untyped-def]
    check_page: CheckPage,
    tmp_path: Path,
) -> None:
    stack = factories.stack("Behaviour Support Pathway")
    mc = factories.microcredential(TITLE, files=True, stack=stack, stack_position=1)
    one, two = mc.components
    phone = phone_page(live_server, htmx_file, new_context)
    phone.goto("/")
    sign_in(phone, MEMBER, DEMO_PASSWORD)
    # On a phone the menu keeps to two lines: My trainings (where sign-in lands) links it.
    expect(phone.get_by_role("link", name="Micro-credentials", exact=True)).to_be_hidden()
    phone.get_by_role("link", name="Micro-credentials: show what you can do in your job").click()
    expect(phone.get_by_role("heading", name="My micro-credentials", level=1)).to_be_visible()
    check_page(phone, "mc-01-mine-empty")
    phone.get_by_role("link", name="Find a micro-credential to start").click()
    expect(phone.get_by_role("heading", name="Micro-credentials", level=1)).to_be_visible()
    phone.get_by_label("Job family").select_option(label="Paraeducators")
    phone.get_by_role("button", name="Show").click()
    check_page(phone, "mc-02-catalog")
    fits_phone(phone, "catalog")
    phone.get_by_role("link", name="Behaviour Support Pathway").click()
    expect(phone.get_by_text("0 of 1 awarded")).to_be_visible()
    check_page(phone, "mc-03-stack")
    phone.get_by_role("link", name=TITLE).click()
    expect(phone.get_by_text("You will have until")).to_be_visible()
    check_page(phone, "mc-04-detail")
    phone.get_by_role("button", name="Start").click()
    expect(phone.get_by_text("You started. Submit your evidence by")).to_be_visible()
    expect(phone.get_by_text("days left")).to_be_visible()

    # Typing autosaves; a reload shows the saved text.
    area = phone.get_by_label("Your evidence for: Component 1")
    area.click()
    area.press_sequentially("I met the team and we wrote the plan together.", delay=5)
    status = phone.locator(f"#status-{one.id}")
    expect(status).to_contain_text("Saved", timeout=10_000)
    expect(status).not_to_contain_text("UTC")  # the script shows the device's own time
    expect(phone.locator("#missing-parts")).to_have_text("Still missing: Component 2.")
    check_page(phone, "mc-05-attempt-saved")
    fits_phone(phone, "attempt")
    phone.reload()
    expect(phone.get_by_label("Your evidence for: Component 1")).to_have_value(
        "I met the team and we wrote the plan together."
    )

    # The connection drops while she types: the text stays in the browser, offered back.
    phone.context.set_offline(True)
    area = phone.get_by_label("Your evidence for: Component 2")
    area.fill("Written on the bus with no signal.")
    expect(phone.locator(f"#status-{two.id}")).to_contain_text("no connection", timeout=10_000)
    phone.context.set_offline(False)
    phone.reload()
    expect(phone.get_by_label("Your evidence for: Component 2")).to_have_value("")
    restore = phone.get_by_role("button", name="Put back my unsaved text")
    expect(restore).to_be_visible()
    check_page(phone, "mc-06-restore-offered")
    restore.click()
    expect(phone.locator(f"#status-{two.id}")).to_contain_text("Saved", timeout=10_000)
    phone.reload()
    expect(phone.get_by_label("Your evidence for: Component 2")).to_have_value(
        "Written on the bus with no signal."
    )
    expect(phone.get_by_role("button", name="Put back my unsaved text")).to_be_hidden()

    # A photo for the component that takes a file.
    photo = tmp_path / "plan.jpg"
    photo.write_bytes(files.image())
    phone.get_by_label(
        "Attach a file: a PDF, or a JPEG or PNG photo (at most 10 MB)"
    ).set_input_files(photo)
    phone.get_by_role("button", name="Attach \u2013 Component 2").click()
    expect(phone.get_by_text("The file is attached.")).to_be_visible()
    expect(phone.get_by_role("link", name="plan.jpg")).to_be_visible()

    phone.get_by_role("button", name="Submit my evidence").click()
    expect(phone.get_by_text("Submitted. Staff check that it is complete")).to_be_visible()
    expect(phone.get_by_text("Waiting for the completeness check").first).to_be_visible()
    check_page(phone, "mc-07-submitted")
    phone.get_by_role("link", name="Version 1").click()
    expect(phone.get_by_text("Written on the bus with no signal.")).to_be_visible()
    check_page(phone, "mc-08-version")
    phone.set_viewport_size({"width": 1280, "height": 800})
    phone.get_by_role("link", name="Micro-credentials", exact=True).click()
    phone.set_viewport_size({"width": 390, "height": 844})
    expect(phone.get_by_text("Submitted: Waiting for the completeness check")).to_be_visible()
    check_page(phone, "mc-09-mine")
    phone.get_by_role("link", name=TITLE).click()
    phone.get_by_role("link", name="Withdraw from this micro-credential").click()
    check_page(phone, "mc-10-withdraw")

    db.session.expire_all()
    (submission,) = (
        db.session.query(Submission)
        .join(Attempt, Attempt.id == Submission.attempt_id)
        .filter(Attempt.microcredential_id == mc.id)
        .all()
    )
    assert submission.status == SubmissionStatus.PRECHECK
    texts = {e.component_id: e.text for e in submission.evidence}
    assert texts[one.id] == "I met the team and we wrote the plan together."
    assert texts[two.id] == "Written on the bus with no signal."

    # The assessors agree: not yet (what the assessor side writes), returned three times.
    submission.number = 3  # the two before came back already
    submission.attempt.submissions_count = 3
    returned(submission, "Name the student's goal in the plan's first line.")
    for number in (1, 2):
        db.session.add(
            Submission(
                attempt_id=submission.attempt_id,
                number=number,
                status=SubmissionStatus.NOT_YET,
                decided_at=utcnow(),
            )
        )
    db.session.commit()
    phone.get_by_role("link", name="Keep working on it").click()
    expect(phone.get_by_text("came back: not yet")).to_be_visible()
    expect(phone.get_by_text("Name the student's goal in the plan's first line.")).to_be_visible()
    expect(phone.get_by_text("Assessor Two")).to_have_count(0)
    check_page(phone, "mc-11-returned-coach")
    phone.get_by_role("button", name="Ask for a coach").click()
    expect(phone.get_by_text("Your request is sent")).to_be_visible()
    check_page(phone, "mc-12-coach-asked")


def returned(submission: Submission, feedback: str) -> None:
    criteria = [c for comp in submission.attempt.microcredential.components for c in comp.criteria]
    for n, role in enumerate((AssessorRole.FIRST, AssessorRole.SECOND), start=1):
        who = factories.person(
            f"assessor{n}@example.org", name=f"Assessor {n}", roles=((Role.ASSESSOR, None),)
        )
        assessment = Assessment(
            submission_id=submission.id, assessor_id=who.id, role=role, completed_at=utcnow()
        )
        for index, criterion in enumerate(criteria):
            assessment.scores.append(
                Score(
                    criterion_id=criterion.id,
                    met=bool(index),
                    feedback=feedback if index == 0 else "",
                )
            )
        db.session.add(assessment)
    submission.status = SubmissionStatus.NOT_YET
    submission.decided_at = utcnow()
    submission.attempt.status = AttemptStatus.DRAFTING
    db.session.commit()
