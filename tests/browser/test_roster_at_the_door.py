"""A 2,000-person roster at the conference door, in a real browser: the page opens on the
search box and the first page, a search narrows it as the facilitator types, one tap marks
a person present and the counts change in place, the pager moves on; axe-core clean at
phone and desktop width."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.seeding import DEMO_PASSWORD
from tests import factories
from tests.browser.test_registration_flow import fits_phone
from tests.browser.test_walking_skeleton import assert_same_document, mark_document, sign_in

CheckPage = Callable[[Page, str], None]

FACILITATOR = "facilitator@example.org"
FIRST = ["Ana", "Bo", "Carmen", "Dev", "Elena", "Femi", "Grace", "Hugo", "Ines", "Jamal"]
LAST = [
    "Abbott", "Baker", "Castro", "Diallo", "Evans", "Flores", "Garcia", "Haddad", "Ito",
    "Jensen", "Kim", "Lopez", "Moreau", "Nakamura", "Okoro", "Patel", "Quinn", "Rossi",
    "Silva", "Tanaka",
]  # fmt: skip
LOCALS = ["Local 12", "Riverside ESP", "Lakeview Educators", "Hill County Support Staff"]


def seed_registrants(offering: Offering, count: int) -> None:
    """`count` members confirmed on the offering, in two bulk inserts (no password hashing):
    names "First Last N" (10 x 20 names, numbered), four locals, one shared job family."""
    template = factories.person("door-template@example.org", name="Zz Template")
    names = itertools.cycle(f"{first} {last}" for first in FIRST for last in LAST)
    now = utcnow()
    rows = [
        {
            "email": f"door{i}@example.org",
            "full_name": f"{next(names)} {i}",
            "affiliate_id": template.affiliate_id,
            "job_family_id": template.job_family_id,
            "local_name": LOCALS[i % len(LOCALS)],
            "password_hash": template.password_hash,
            "email_confirmed_at": now,
        }
        for i in range(count)
    ]
    ids = db.session.scalars(sa.insert(User).returning(User.id, sort_by_parameter_order=True), rows)
    db.session.execute(
        sa.insert(Registration),
        [
            {"user_id": user_id, "offering_id": offering.id, "status": RegistrationStatus.CONFIRMED}
            for user_id in ids.all()
        ],
    )
    db.session.commit()


def door_offering(count: int) -> Offering:
    """A conference day that started half an hour ago, facilitated by the demo facilitator,
    with `count` confirmed registrants."""
    facilitator = db.session.scalar(sa.select(User).where(User.email == FACILITATOR))
    assert facilitator is not None
    offering = factories.offering(
        "National ESP Conference",
        capacity=None,
        starts_in=-timedelta(minutes=30),
        facilitators=(facilitator,),
        registration_closes_at=None,
    )
    seed_registrants(offering, count)
    return offering


@pytest.mark.browser
def test_two_thousand_at_the_door(page: Page, check_page: CheckPage) -> None:
    def look(name: str) -> None:
        check_page(page, name)
        fits_phone(page, name)

    offering = door_offering(2000)
    session_id = offering.sessions[0].id
    db.session.remove()

    page.goto("/")
    sign_in(page, FACILITATOR, DEMO_PASSWORD)
    page.goto(f"/sessions/{session_id}/roster")
    expect(page.get_by_role("heading", name="National ESP Conference", level=1)).to_be_visible()
    search = page.get_by_label("Search by name, e-mail or local")
    expect(search).to_be_visible()
    count = page.locator("#roster-count")
    expect(count).to_have_text("0 present of 2000 registered · 0 absent, 2000 not yet marked")
    rows = page.locator("#roster-table tbody tr")
    expect(rows).to_have_count(25)
    expect(page.locator(".pager")).to_contain_text("1\u201325 of 2,000")
    look("roster-door-01-first-page")

    # Typing narrows the roster without a page load (htmx active search).
    mark_document(page)
    search.fill("grace quinn")
    expect(page.locator(".pager")).to_contain_text("1\u201310 of 10")
    expect(rows).to_have_count(10)
    for name in rows.locator("th").all_inner_texts():
        assert name.startswith("Grace Quinn "), name
    assert "q=grace%20quinn" in page.url  # the search is in the address, for reload and back

    # One tap marks the first of them present; the row and the counts change in place.
    first = rows.first
    who = first.locator("th").inner_text().split("\n")[0]
    present = first.get_by_role("button", name="Present", exact=True)
    present.click()
    expect(present).to_have_attribute("aria-pressed", "true")
    expect(count).to_have_text("1 present of 2000 registered · 0 absent, 1999 not yet marked")
    expect(first.get_by_label(f"Credited hours for {who}")).to_have_value("5")
    assert_same_document(page)
    look("roster-door-02-searched-and-marked")

    # "Show more" appends the next names in place; focus moves to the first new row.
    search.fill("")
    expect(rows).to_have_count(25)
    page.get_by_role("link", name="Show more").click()
    expect(rows).to_have_count(50)
    expect(page.locator(".pager")).to_contain_text("1\u201350 of 2,000")
    expect(rows.nth(25).get_by_role("button", name="Present", exact=True)).to_be_focused()
    assert_same_document(page)
    look("roster-door-03-show-more")
    # Without JavaScript the same link is the next page.
    page.goto(f"/sessions/{session_id}/roster?page=2")
    expect(page.locator(".pager")).to_contain_text("26\u201350 of 2,000")

    # "Mark all present" marks the whole session, not only the page shown.
    page.get_by_role("button", name="Mark all present").click()
    # One request writes 1,999 rows: on a loaded 2-core CI machine it can take over the
    # 5 s default (its speed is measured by `make bench`, not here).
    expect(page.locator("#roster-table .flash")).to_have_text(
        "1999 marked present.", timeout=30_000
    )
    expect(count).to_have_text("2000 present of 2000 registered · 0 absent, 0 not yet marked")
