"""Supporting Our Own mentoring in a real browser, axe-core on every page: a member without
the training is told why he cannot volunteer; Maria (she completed the fall training)
volunteers; a member new to the job asks for a mentor; the Ohio approver matches them from
the ranked suggestions without a reload; both log an activity (a future date is refused);
the national admin marks the pairing complete; both download their certificate, verify it
and find the pairing on their transcript. A second test walks the demo's mentoring world."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from esp_registry.accounts.models import User
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.mentoring.models import MentoringLog, MentoringPairing
from esp_registry.mentoring.rules import today
from esp_registry.notifications.models import OutboxMessage, OutboxStatus
from esp_registry.seeding import DEMO_PASSWORD
from tests import factories
from tests.browser.menu import open_menu_link
from tests.browser.test_registration_flow import fits_phone
from tests.browser.test_walking_skeleton import (
    assert_same_document,
    mark_document,
    sign_in,
    sign_out,
)

CheckPage = Callable[[Page, str], None]

MENTOR, MENTOR_NAME = "member@example.org", "Maria Alvarez"  # completed the fall training
MENTEE, MENTEE_NAME = "jamal.turner@example.net", "Jamal Turner"
LOCAL = "Columbus Education Association"
APPROVER, ADMIN = "approver.oh@example.org", "admin@example.org"
INELIGIBLE = "custodian@example.org"  # registered for the fall training, did not attend
NEXT_TRAINING = "Supporting Our Own: ESP Mentoring (next cohort, online)"
# The demo's other mentors: Linda (same family and local as Jamal, one mentee of two),
# Patricia (food services, Ohio, no mentee) and Gary (suspended: certificate revoked).
DEMO_MENTOR, FOOD_MENTOR, SUSPENDED = "Linda Harper", "Patricia Nolan", "Gary Fleming"
PAIRING = f"{MENTOR_NAME} mentoring {MENTEE_NAME}"


def add_mentee() -> None:
    """A paraeducator four months in the job, in Maria's local; not part of the demo."""
    person = User(
        email=MENTEE,
        full_name=MENTEE_NAME,
        affiliate=factories.affiliate("OH"),
        job_family=factories.family("paraeducators"),
        local_name=LOCAL,
        job_title="Paraeducator",
        email_confirmed_at=utcnow(),
    )
    person.set_password(DEMO_PASSWORD)
    db.session.add(person)
    db.session.commit()
    db.session.remove()


def open_mentoring(page: Page) -> None:
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Mentoring", exact=True).click()
    expect(
        page.get_by_role("heading", name="Mentoring: Supporting Our Own", level=1)
    ).to_be_visible()


def open_queue(page: Page) -> None:
    open_menu_link(page, "Mentoring requests")
    expect(page.get_by_role("heading", name="Mentoring requests", level=1)).to_be_visible()


def suggested_names(row: Locator) -> list[str]:
    return [n.strip() for n in row.locator("ol.suggestions > li strong").all_inner_texts()]


def totals_row(page: Page, activity: str) -> list[str]:
    """Mentor, mentee and both, as the totals table shows them for one activity."""
    row = page.locator("table.totals").get_by_role("row", name=re.compile(f"^{activity}"))
    return [c.strip() for c in row.locator("td").all_inner_texts()]


def logs_of_new_pairing() -> int:
    """Activities logged by Maria or Jamal (the demo's own pairing has eight)."""
    with db.engine.connect() as connection:
        return connection.scalar(
            sa.select(sa.func.count())
            .select_from(MentoringLog)
            .join(User, User.id == MentoringLog.user_id)
            .where(User.email.in_([MENTOR, MENTEE]))
        )


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)


def download_and_verify(
    page: Page, look: CheckPage, who: str, partner: str, hours: str, role: str, tmp_path: Path
) -> None:
    """On the completed pairing's page: the holder's code, the PDF with their name, hours
    and code, the public verification page, and the pairing on their transcript."""
    open_mentoring(page)
    page.get_by_role("link", name=re.compile(f"(Mentoring|Mentored by) {partner}")).click()
    expect(page.get_by_role("heading", name="Status: Completed")).to_be_visible()
    card = page.locator("#certificates-section li.card", has_text=f": {who}")
    expect(card).to_contain_text(f"{hours} hours")
    code = card.locator(".code").inner_text().strip()
    with page.expect_download() as download_info:
        card.get_by_role("link", name="Download my certificate (PDF)").click()
    download = download_info.value
    assert re.fullmatch(r"certificate-[0-9A-Z]+\.pdf", download.suggested_filename)
    pdf = tmp_path / f"{role}-{download.suggested_filename}"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "Certificate of Mentoring" in text, text
    assert who in text and partner in text, text
    assert f"as {role}" in text, text
    assert f"with {hours} hours of logged mentoring activities" in text, text
    assert code in text, text

    page.goto(f"/verify/{code}")
    expect(page.get_by_role("status").first).to_have_text(
        "This is a valid certificate of mentoring."
    )
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(who)
    expect(facts).to_contain_text(f"Supporting Our Own: ESP Mentoring ({role})")
    expect(facts).to_contain_text(hours)
    look(page, f"mentoring-verify-{role}")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My trainings").click()
    page.get_by_role("link", name="My transcript").click()
    expect(page.get_by_role("heading", name="My transcript", level=1)).to_be_visible()
    year = str(today(utcnow()).year)
    table = page.get_by_role("table", name=f"Trainings completed in {year}")
    entry = table.get_by_role(
        "row", name=re.compile(f"Mentoring pairing as {role}, with {partner}")
    )
    expect(entry).to_contain_text(hours)
    look(page, f"mentoring-transcript-{role}")


@pytest.mark.browser
def test_volunteer_request_match_log_complete_and_certificates(
    page: Page, check_page: CheckPage, blocked_requests: list[str], tmp_path: Path
) -> None:
    def look(page: Page, name: str) -> None:
        check_page(page, name)
        fits_phone(page, name)

    add_mentee()
    on = today(utcnow())
    page.goto("/")

    # --- Without the training, a member is told why he cannot volunteer, and where to go.
    sign_in(page, INELIGIBLE, DEMO_PASSWORD)
    open_mentoring(page)
    look(page, "mentoring-01-ineligible-overview")
    page.get_by_role("link", name="How to become a mentor").click()
    why = page.locator(
        "section", has=page.get_by_role("heading", name="Why you cannot volunteer yet")
    )
    expect(why).to_contain_text("We have no certificate of it for you yet")
    expect(why.get_by_role("link", name=NEXT_TRAINING)).to_be_visible()
    expect(page.get_by_role("button", name="Volunteer as a mentor")).to_have_count(0)
    look(page, "mentoring-02-ineligible-why")
    sign_out(page)

    # --- Maria holds the fall training's certificate: she volunteers for two mentees.
    sign_in(page, MENTOR, DEMO_PASSWORD)
    open_mentoring(page)
    page.get_by_role("link", name="Volunteer as a mentor").click()
    expect(page.get_by_role("heading", name="Volunteer as a mentor", level=1)).to_be_visible()
    expect(page.get_by_label("Job family").locator("option:checked")).to_have_text("Paraeducators")
    expect(page.get_by_label("Local association")).to_have_value(LOCAL)
    look(page, "mentoring-03-volunteer-form")
    page.get_by_label("How many mentees at once").fill("2")
    page.get_by_label(re.compile("A short note")).fill("Ten years in a resource room; ask me!")
    page.get_by_role("button", name="Volunteer as a mentor").click()
    expect(page.get_by_role("status").first).to_contain_text("Thank you for volunteering!")
    expect(page.get_by_role("heading", name="Your mentor profile", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Status: Active: taking mentees")).to_be_visible()
    expect(page.get_by_text("Mentoring now: 0 of 2 mentees")).to_be_visible()
    look(page, "mentoring-04-volunteered")
    sign_out(page)

    # --- Jamal, four months in the job, asks for a mentor.
    sign_in(page, MENTEE, DEMO_PASSWORD)
    open_mentoring(page)
    page.get_by_role("link", name="Ask for a mentor").click()
    expect(page.get_by_role("heading", name="Ask for a mentor", level=1)).to_be_visible()
    look(page, "mentoring-05-request-form")
    page.get_by_label("The date you started in this job").fill(
        (on - timedelta(days=120)).isoformat()
    )
    page.get_by_label("What would you like help with?").fill(
        "Working with a lead teacher, and behaviour plans for two of my students."
    )
    page.get_by_role("button", name="Ask for a mentor").click()
    expect(page.get_by_role("status").first).to_contain_text("Your request is in.")
    expect(page.get_by_role("heading", name="Your request: Waiting for a match")).to_be_visible()
    look(page, "mentoring-06-requested")
    sign_out(page)

    # --- The Ohio approver matches Jamal from the ranked suggestions, inline.
    sign_in(page, APPROVER, DEMO_PASSWORD)
    open_queue(page)
    expect(page.get_by_role("heading", name="4 open requests")).to_be_visible()  # Ohio's only
    expect(page.get_by_role("link", name="Daniel Kim")).to_have_count(0)  # asked in Texas
    row = page.locator("li.card", has=page.get_by_role("link", name=MENTEE_NAME))
    # Same job family and local for Maria and Linda, Maria's load lighter (0 of 2 against
    # 1 of 2); then Patricia, same affiliate only; never Gary, who is suspended.
    assert suggested_names(row) == [MENTOR_NAME, DEMO_MENTOR, FOOD_MENTOR]
    assert SUSPENDED not in row.inner_text()
    first = row.locator("ol.suggestions > li").first
    expect(first.get_by_role("list", name="Why suggested")).to_have_text(
        re.compile("Same job family.*Same local.*Same affiliate", re.S)
    )
    expect(first).to_contain_text("0 of 2 mentees")
    look(page, "mentoring-07-queue")
    expect(page.get_by_role("heading", name="1 active pairing")).to_be_visible()  # Linda's
    mark_document(page)
    row.get_by_role("button", name=f"Match {MENTEE_NAME} with {MENTOR_NAME}").click()
    # The whole queue comes back: the message (focused, with a link to the pairing), the
    # counts, Jamal out of the open requests, the new pairing listed, Maria's new load.
    status = page.locator("#queue .flash")
    expect(status).to_have_text(
        f"{MENTEE_NAME} is paired with {MENTOR_NAME}. Both are notified. See the pairing"
    )
    expect(status).to_be_focused()
    expect(status.get_by_role("link", name="See the pairing")).to_be_visible()
    expect(page.get_by_role("heading", name="3 open requests")).to_be_visible()
    expect(page.get_by_role("heading", name="2 active pairings")).to_be_visible()
    expect(page.get_by_role("link", name=MENTEE_NAME, exact=True)).to_have_count(0)
    expect(page.get_by_role("list", name="2 active pairings")).to_contain_text(PAIRING)
    aisha = page.locator("li.card", has=page.get_by_role("link", name="Aisha Coleman"))
    expect(aisha.locator("ol.suggestions > li", has_text=MENTOR_NAME)).to_contain_text(
        "1 of 2 mentees"
    )
    assert_same_document(page)
    look(page, "mentoring-08-matched")
    with db.engine.connect() as connection:
        told = set(
            connection.scalars(
                sa.select(OutboxMessage.to_email).where(
                    OutboxMessage.kind.like("mentoring_%"),
                    OutboxMessage.status == OutboxStatus.PENDING,  # not the demo's back story
                )
            )
        )
    assert told == {MENTOR, MENTEE}, told
    sign_out(page)

    # --- Maria logs a conversation; a date in the future is refused first.
    sign_in(page, MENTOR, DEMO_PASSWORD)
    open_mentoring(page)
    page.get_by_role("link", name=f"Mentoring {MENTEE_NAME}").click()
    expect(
        page.get_by_role("heading", name=re.compile("Mentoring pairing"), level=1)
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Status: Active")).to_be_visible()
    look(page, "mentoring-09-pairing")
    mark_document(page)
    log = page.locator("#activity-log")
    log.get_by_label("Activity", exact=True).select_option(label="Mentoring conversation")
    log.get_by_label("Date", exact=True).fill((on + timedelta(days=1)).isoformat())
    log.get_by_label("Hours", exact=True).fill("1.5")
    log.get_by_role("button", name="Log the activity").click()
    expect(log.locator(".flash")).to_have_text(
        "Nothing was logged: please correct the marked fields."
    )
    expect(log.get_by_label("Date", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(log.locator("#on_date-error")).to_have_text("Error: The date cannot be in the future.")
    expect(log.get_by_text("No activities logged yet.")).to_be_visible()
    assert logs_of_new_pairing() == 0
    look(page, "mentoring-10-log-refused")
    log.get_by_label("Date", exact=True).fill(on.isoformat())
    log.get_by_role("button", name="Log the activity").click()
    expect(log.locator(".flash")).to_have_text("Logged: Mentoring conversation, 1.5 hours.")
    expect(log.locator("table.logs tbody tr")).to_have_count(1)
    assert totals_row(page, "Mentoring conversation") == ["1.5", "0", "1.5"]
    assert_same_document(page)
    sign_out(page)

    # --- Jamal logs a reflection; the totals add up by type and side.
    sign_in(page, MENTEE, DEMO_PASSWORD)
    open_mentoring(page)
    page.get_by_role("link", name=f"Mentored by {MENTOR_NAME}").click()
    log = page.locator("#activity-log")
    log.get_by_label("Activity", exact=True).select_option(label="Reflective log")
    log.get_by_label("Date", exact=True).fill(on.isoformat())
    log.get_by_label("Hours", exact=True).fill("0.5")
    log.get_by_label(re.compile("Short note")).fill("What went well with the lead teacher.")
    log.get_by_role("button", name="Log the activity").click()
    expect(log.locator(".flash")).to_have_text("Logged: Reflective log, 0.5 hours.")
    expect(log.locator("table.logs tbody tr")).to_have_count(2)
    assert logs_of_new_pairing() == 2
    assert totals_row(page, "Mentoring conversation") == ["1.5", "0", "1.5"]
    assert totals_row(page, "Reflective log") == ["0", "0.5", "0.5"]
    total = [c.strip() for c in log.locator("table.totals tfoot td").all_inner_texts()]
    assert total == ["1.5", "0.5", "2"], total
    look(page, "mentoring-11-logged")
    sign_out(page)

    # --- The national admin marks the pairing complete: a certificate for each side.
    sign_in(page, ADMIN, DEMO_PASSWORD)
    open_queue(page)
    expect(page.get_by_role("link", name="Daniel Kim")).to_be_visible()  # every affiliate
    page.get_by_role("link", name=PAIRING).click()
    expect(page.get_by_role("heading", name="Status: Active")).to_be_visible()
    look(page, "mentoring-12-pairing-staff")
    page.get_by_role("button", name="Mark complete", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("The pairing is complete")
    expect(page.get_by_role("heading", name="Status: Completed")).to_be_visible()
    certificates = page.locator("#certificates-section")
    expect(certificates.locator("li.card", has_text=MENTOR_NAME)).to_contain_text("1.5 hours")
    expect(certificates.locator("li.card", has_text=MENTEE_NAME)).to_contain_text("0.5 hours")
    expect(page.get_by_role("button", name="Log the activity")).to_have_count(0)
    look(page, "mentoring-13-completed")
    sign_out(page)
    with db.engine.connect() as connection:
        status = connection.scalar(
            sa.select(MentoringPairing.status)
            .join(User, User.id == MentoringPairing.mentee_id)
            .where(User.email == MENTEE)
        )
    assert status == "completed"

    # --- Each downloads their own certificate, verifies it and reads their transcript.
    sign_in(page, MENTOR, DEMO_PASSWORD)
    download_and_verify(page, look, MENTOR_NAME, MENTEE_NAME, "1.5", "mentor", tmp_path)
    sign_out(page)
    sign_in(page, MENTEE, DEMO_PASSWORD)
    download_and_verify(page, look, MENTEE_NAME, MENTOR_NAME, "0.5", "mentee", tmp_path)
    sign_out(page)

    assert blocked_requests == [], f"the pages asked for outside resources: {blocked_requests}"


@pytest.mark.browser
def test_demo_mentoring_world(page: Page, check_page: CheckPage) -> None:
    """What the demo's mentoring accounts show: Linda's pairing with both sides' log, Gary
    suspended with the revocation's date, Ohio's queue with suggestions."""
    page.goto("/")
    sign_in(page, "mentor@example.org", DEMO_PASSWORD)
    open_mentoring(page)
    expect(page.get_by_text("Active: taking mentees")).to_be_visible()
    page.get_by_role("link", name="Mentoring Kevin Brooks").click()
    log = page.locator("#activity-log")
    expect(log.locator("table.logs tbody tr")).to_have_count(8)
    expect(log.locator("table.logs")).to_contain_text("Kevin Brooks (Mentee)")
    expect(log.locator("table.logs")).to_contain_text("Linda Harper (Mentor)")
    total = [c.strip() for c in log.locator("table.totals tfoot td").all_inner_texts()]
    assert total == ["5.5", "5", "10.5"], total
    check_page(page, "mentoring-demo-01-pairing")
    sign_out(page)

    sign_in(page, "suspended.mentor@example.org", DEMO_PASSWORD)
    open_mentoring(page)
    expect(page.get_by_text("Your mentor profile: Suspended")).to_be_visible()
    page.get_by_role("link", name="See or change your mentor profile").click()
    expect(page.get_by_role("heading", name="Status: Suspended")).to_be_visible()
    expect(
        page.get_by_text(re.compile("Supporting Our Own certificate was revoked on"))
    ).to_be_visible()
    expect(page.get_by_role("link", name=NEXT_TRAINING)).to_be_visible()
    check_page(page, "mentoring-demo-02-suspended")
    sign_out(page)

    sign_in(page, APPROVER, DEMO_PASSWORD)
    open_queue(page)
    expect(page.get_by_role("heading", name="3 open requests")).to_be_visible()
    for name in ("Aisha Coleman", "Tyler Reed", "Megan Walsh"):
        row = page.locator("li.card", has=page.get_by_role("link", name=name))
        assert suggested_names(row), f"no suggestions for {name}"
        assert SUSPENDED not in suggested_names(row)
    tyler = page.locator("li.card", has=page.get_by_role("link", name="Tyler Reed"))
    assert suggested_names(tyler)[0] == FOOD_MENTOR  # same job family and local
    expect(page.get_by_role("link", name="Daniel Kim")).to_have_count(0)
    expect(page.get_by_role("link", name="Linda Harper mentoring Kevin Brooks")).to_be_visible()
    check_page(page, "mentoring-demo-03-queue")
