"""Paged lists (issue 13): "1-25 of 60", Previous and "Show more" keep the filters, a page
out of range is the nearest page, a bookmark that is not ours is ignored, and htmx's
"Show more" gets only the next rows and a new pager (the plain link gets the next page)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from flask.testing import FlaskClient

from tests import factories

TITLE = re.compile(r'<h3><a href="/offerings/\d+"[^>]*>([^<]+)</a>')
ROWS = {"HX-Request": "true", "HX-Target": "catalog-rows"}


def workshops(count: int, start: int = 0, **fields: object) -> list[str]:
    """Workshops two a day, so ties on the start are broken by title, then id."""
    titles = []
    for i in range(start, start + count):
        title = f"Workshop {i:02}"
        factories.offering(title, starts_in=timedelta(days=1 + i // 2), **fields)
        titles.append(title)
    return titles


def titles(page: str) -> list[str]:
    return [html.unescape(t) for t in TITLE.findall(page)]


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}"[^>]*?href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def show_more(page: str) -> str | None:
    found = re.search(r'hx-get="([^"]+)"\s+hx-target="#catalog-rows"', page)
    return html.unescape(found.group(1)) if found else None


def get(client: FlaskClient, url: str, **kwargs: object) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_first_middle_and_last_page_show_every_training_once(client):
    every = workshops(60)
    first = get(client, "/")
    assert titles(first) == every[:25]
    assert "1\u201325 of 60" in first and link(first, "prev") is None
    middle = get(client, link(first, "next"))
    assert titles(middle) == every[25:50]
    assert "26\u201350 of 60" in middle and link(middle, "prev") == "/?page=1"
    last = get(client, link(middle, "next"))
    assert titles(last) == every[50:]
    assert "51\u201360 of 60" in last and link(last, "next") is None
    # Previous from the last page seeks back from its first row: the middle page again.
    back = get(client, link(last, "prev"))
    assert titles(back) == every[25:50] and "26\u201350 of 60" in back


def test_a_page_out_of_range_or_unreadable_is_the_nearest_page(client):
    every = workshops(30)
    assert titles(get(client, "/?page=99")) == every[25:]
    assert "26\u201330 of 30" in get(client, "/?page=99")
    for odd in ("0", "-3", "abc", "\u0663", "1e3", "9" * 40, ""):
        assert titles(get(client, "/", query_string={"page": odd})) == every[:25], odd


def test_a_bookmark_that_is_not_ours_reads_the_page_by_number(client, ctx):
    every = workshops(30)
    first = get(client, "/")
    good = link(first, "next")
    cursor = re.search(r"cursor=([^&]+)", good).group(1)
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    for bad in ("garbage", tampered, "", "x" * 5000, "Ij5pOjEi.abc"):
        page = get(client, "/", query_string={"page": "2", "cursor": bad})
        assert titles(page) == every[25:], bad
    # A bookmark signed for another list (the people directory's order) is not ours.
    with ctx.test_request_context():
        from esp_registry.accounts.models import User
        from esp_registry.paging import _signer

        foreign = _signer((User.full_name, User.id)).dumps(">s:Workshop 10~i:3")
    assert titles(get(client, "/", query_string={"page": "2", "cursor": foreign})) == every[25:]


def test_filters_are_kept_in_the_links_and_narrow_the_count(client):
    workshops(30, host="OH", format="in_person")
    workshops(5, start=30, host="TX", format="in_person")
    first = get(client, "/?q=Workshop&host=OH&format=in_person")
    assert "1\u201325 of 30" in first
    nxt = link(first, "next")
    assert "q=Workshop" in nxt and "host=OH" in nxt and "format=in_person" in nxt
    second = get(client, nxt)
    assert "26\u201330 of 30" in second and "Workshop 30" not in second
    prev = link(second, "prev")
    assert "q=Workshop" in prev and "host=OH" in prev and "page=1" in prev
    assert titles(get(client, prev)) == [f"Workshop {i:02}" for i in range(25)]


def test_show_more_with_htmx_appends_only_the_next_rows_and_a_new_pager(client):
    every = workshops(60)
    first = get(client, "/?q=Workshop")
    more = show_more(first)
    assert "page=2" in more and "q=Workshop" in more and "from=1" in more
    fragment = get(client, more, headers=ROWS)
    assert "<html" not in fragment and "<h1" not in fragment and "<form" not in fragment
    assert titles(fragment) == every[25:50]
    assert fragment.count("<li") == 25 and fragment.count(" autofocus") == 1
    assert re.search(r'<a href="/offerings/\d+" autofocus>Workshop 25<', fragment)
    # The pager comes out of band: the rows on screen now run from 1 to 50.
    assert 'id="catalog-rows-pager"' in fragment and 'hx-swap-oob="true"' in fragment
    assert "1\u201350 of 60" in fragment and link(fragment, "prev") is None
    again = get(client, show_more(fragment), headers=ROWS)
    assert titles(again) == every[50:] and "1\u201360 of 60" in again
    assert show_more(again) is None and link(again, "next") is None


def test_show_more_without_javascript_is_the_next_page(client):
    every = workshops(30)
    first = get(client, "/")
    plain = get(client, link(first, "next"))  # the same link, followed by a browser
    assert "<h1" in plain and titles(plain) == every[25:] and "26\u201330 of 30" in plain
    assert " autofocus" not in plain
    # The htmx address, opened without htmx (a copied link), is a whole page too.
    whole = get(client, show_more(first))
    assert "<h1" in whole and titles(whole) == every[25:]


def test_the_live_filter_swaps_the_results_with_their_pager(client):
    workshops(30)
    results = get(client, "/?q=Workshop", headers={"HX-Request": "true", "HX-Target": "results"})
    assert "<h1" not in results and "1\u201325 of 30" in results
    assert 'id="catalog-rows"' in results and "hx-swap-oob" not in results


def test_job_family_pages_are_paged_too(client):
    every = workshops(30, audience=("paraeducators",))
    first = get(client, "/job-families/paraeducators")
    assert titles(first) == every[:25] and "1\u201325 of 30" in first
    nxt = link(first, "next")
    assert nxt.startswith("/job-families/paraeducators?")
    assert titles(get(client, nxt)) == every[25:]
    fragment = get(client, show_more(first), headers=ROWS)
    assert titles(fragment) == every[25:] and "<h1" not in fragment
