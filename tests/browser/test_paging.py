"""Paged lists in a real browser: the catalog shows 25 trainings; "Show more" appends the next
ones in place, says "1-50 of ...", moves focus to the first new training and keeps the page
where it was; without JavaScript the same link is the next page. axe at 390 and 1280 px."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from esp_registry.extensions import db
from tests import factories

CheckPage = Callable[[Page, str], None]


def many_trainings(count: int = 60) -> None:
    for i in range(count):
        factories.offering(
            f"Paged workshop {i:02}", host="OH", starts_in=timedelta(days=200 + i), capacity=20
        )
    db.session.remove()


@pytest.mark.browser
def test_show_more_appends_the_next_trainings_in_place(
    page: Page, check_page: CheckPage, live_server: str
) -> None:
    many_trainings()
    page.goto("/")
    rows = page.locator("#catalog-rows > li")
    expect(rows).to_have_count(25)
    pager = page.locator("#catalog-rows-pager")
    expect(pager.locator("p")).to_have_text(re.compile("^1\u201325 of \\d+$"))
    total = int(pager.locator("p").inner_text().split(" of ")[1])
    assert total > 50
    check_page(page, "catalog-paged")

    twenty_sixth = page.locator("#catalog-rows > li h3 a").nth(25)
    more = page.get_by_role("link", name="Show more")
    more.focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_count(50)
    expect(pager.locator("p")).to_have_text(f"1\u201350 of {total}")
    assert page.url.rstrip("/").endswith(live_server.split("//")[1]) or "page=" not in page.url
    # Focus moved to the first new training, which is on screen: reading goes on from there.
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == twenty_sixth.inner_text()
    expect(twenty_sixth).to_be_in_viewport()
    expect(page.locator("#catalog-rows-pager")).to_have_count(1)
    check_page(page, "catalog-show-more")

    # Once more: the next page after the second, from the new link's bookmark.
    page.get_by_role("link", name="Show more").click()
    expect(rows).to_have_count(min(75, total))
    titles = page.locator("#catalog-rows > li h3 a").all_inner_texts()
    assert len(titles) == len(set(titles)), "a training was shown twice"


@pytest.mark.browser
def test_without_javascript_show_more_is_the_next_page(
    new_context: Callable[..., BrowserContext], live_server: str, check_page: CheckPage
) -> None:
    many_trainings()
    plain = new_context(base_url=live_server, java_script_enabled=False)
    plain.route(
        "**/*",
        lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort(),
    )
    page = plain.new_page()
    page.goto("/?host=OH")
    first = page.locator("#catalog-rows > li h3 a").all_inner_texts()
    assert len(first) == 25
    page.get_by_role("link", name="Show more").click()
    assert "page=2" in page.url and "host=OH" in page.url
    expect(page.locator("#catalog-rows-pager p")).to_contain_text("26\u2013")
    second = page.locator("#catalog-rows > li h3 a").all_inner_texts()
    assert second and not set(first) & set(second)
    page.get_by_role("link", name="Previous").click()
    assert page.locator("#catalog-rows > li h3 a").all_inner_texts() == first
