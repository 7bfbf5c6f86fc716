"""Issue 17 in a real browser, axe-core on every page at 390 and 1280 px: the language
switch keeps the filters (and names data in Spanish), the catalog on a phone shows results
first with its filters folded, and the LFT national review labels each row on a phone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from esp_registry.columns import utcnow
from esp_registry.seeding import DEMO_PASSWORD
from tests.browser.test_walking_skeleton import sign_in

CheckPage = Callable[[Page, str], None]
PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
def test_the_language_switch_keeps_the_filters(page: Page, check_page: CheckPage) -> None:
    page.goto("/?lang=en")
    page.get_by_label("Job family").select_option(label="Paraeducators")
    expect(page.locator("p.count")).to_contain_text("trainings for Paraeducators")
    page.get_by_label("State affiliate").select_option(label="Ohio")
    expect(page.locator("p.count")).to_contain_text("2 trainings for Paraeducators in Ohio")
    expect(page.locator("#active-filters")).to_have_text("(2 active)")
    check_page(page, "lang-01-filtered")

    # The switch at the top was refreshed with the filters htmx pushed into the address.
    page.get_by_role("navigation", name="Language", exact=True).get_by_role(
        "link", name="Español"
    ).click()
    expect(page).to_have_url(re.compile(r"job_family=paraeducators&host=OH&lang=es"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Capacitaciones para el personal de apoyo educativo"
    )
    expect(page.get_by_label("Familia de empleo")).to_have_value("paraeducators")
    expect(page.get_by_label("Afiliado estatal")).to_have_value("OH")
    expect(page.locator("p.count")).to_have_text("2 capacitaciones para Paraeducadores en Ohio")
    expect(page.get_by_label("Familia de empleo").locator("option:checked")).to_have_text(
        "Paraeducadores"
    )
    check_page(page, "lang-02-spanish")

    # A program and the national host, in Spanish on a training's page.
    page.goto("/?lang=es")
    page.get_by_role("link", name="Building Winning Teams (evening webinar)").click()
    expect(page.locator("p.meta").first).to_have_text(
        "Construir equipos ganadores en la comunidad escolar"
    )
    expect(page.locator("dd", has_text="Nacional")).to_be_visible()
    check_page(page, "lang-03-offering-spanish")
    page.get_by_role("navigation", name="Idioma", exact=True).get_by_role(
        "link", name="English"
    ).click()
    expect(page.locator("p.meta").first).to_have_text(
        "Building Winning Teams within the School Community"
    )


@pytest.mark.browser
def test_the_catalog_on_a_phone_shows_results_first(
    context: BrowserContext, check_page: CheckPage
) -> None:
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto("/?lang=en")
    box = page.locator("details.filter-box")
    expect(box).not_to_have_attribute("open", "")
    expect(page.get_by_label("Job family")).to_be_hidden()
    first = page.locator(".cards .card").first
    top = first.bounding_box()
    assert top is not None and top["y"] + 40 < PHONE["height"], top  # its title on screen
    check_page(page, "phone-01-catalog")

    page.get_by_text("Filter trainings").click()
    page.get_by_label("State affiliate").select_option(label="Texas")
    expect(page.locator("p.count")).to_have_text("1 training in Texas")
    expect(page.locator("#active-filters")).to_have_text("(1 active)")
    check_page(page, "phone-02-catalog-filtered")

    # On a wide screen the filters show without opening anything.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/?lang=en")
    expect(page.get_by_label("Job family")).to_be_visible()


@pytest.mark.browser
def test_lft_review_rows_are_labelled_on_a_phone(page: Page, check_page: CheckPage) -> None:
    page.goto("/?lang=en")
    sign_in(page, "admin@example.org", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Leaders for Tomorrow"
    ).click()
    page.get_by_role("link", name="National review and scoring").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(utcnow().year + 1))
    page.set_viewport_size(PHONE)
    cells = page.locator("#review-rows tbody td[data-label]")
    assert cells.count() >= 3
    labels = cells.evaluate_all(
        "(cells) => cells.map((c) => getComputedStyle(c, '::before').content)"
    )
    assert any("Average" in label for label in labels), labels
    assert any("Status" in label for label in labels), labels
    # The one-shot release comes after the list, and asks first.
    rows_end = page.locator("#review-rows").bounding_box()
    release = page.get_by_role("link", name="Release all decisions…")
    assert release.bounding_box()["y"] > rows_end["y"] + rows_end["height"] - 1
    check_page(page, "phone-03-lft-review")
    release.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Release the decisions")
    expect(page.get_by_text(re.compile(r"\d+ (person|people) will be e-mailed\."))).to_be_visible()
    check_page(page, "phone-04-lft-release")
