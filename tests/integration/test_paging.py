"""Paged lists (issue 13): "1-25 of 60", Previous and "Show more" keep the filters, a page
out of range is the nearest page, a bookmark that is not ours is ignored, and htmx's
"Show more" gets only the next rows and a new pager (the plain link gets the next page)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from flask.testing import FlaskClient

from esp_registry.extensions import db
from esp_registry.reference.models import Local
from tests import factories
from tests.conftest import Actions

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
    # ...and its own links lead on both ways.
    assert titles(get(client, link(back, "next"))) == every[50:]
    assert titles(get(client, link(back, "prev"))) == every[:25]


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


def test_query_arguments_named_like_url_for_s_own_are_not_carried(client):
    workshops(30)
    for name in ("endpoint", "_external", "_scheme", "_anchor", "_method", "job_family_slug"):
        page = get(client, "/", query_string={name: "javascript", "page": "1"})
        nxt = link(page, "next")
        assert nxt.startswith("/?") and (name not in nxt or not name.startswith(("_", "end")))


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
    # The pager comes in place with the results (only the language links and the filter
    # count outside #results follow out of band).
    assert 'id="catalog-rows"' in results
    assert '<nav class="pager" id="catalog-rows-pager" aria-label="Pages">' in results


def test_job_family_pages_are_paged_too(client):
    every = workshops(30, audience=("paraeducators",))
    first = get(client, "/job-families/paraeducators")
    assert titles(first) == every[:25] and "1\u201325 of 30" in first
    nxt = link(first, "next")
    assert nxt.startswith("/job-families/paraeducators?")
    assert titles(get(client, nxt)) == every[25:]
    fragment = get(client, show_more(first), headers=ROWS)
    assert titles(fragment) == every[25:] and "<h1" not in fragment


# ---------------------------------------------------------------- the staff lists and others


def rows_in(page: str, rows_id: str) -> int:
    """How many rows the list with this id shows."""
    start = page.index(f'id="{rows_id}"')
    end = page.index(f'id="{rows_id}-pager"') if f'id="{rows_id}-pager"' in page else len(page)
    chunk = page[start:end]
    return chunk.count('<li class="card"') or chunk.count("<li")


def pager_text(page: str, rows_id: str) -> str:
    nav = page[page.index(f'id="{rows_id}-pager"') :]
    return re.search(r"<p>([^<]+)</p>", nav).group(1)


def test_staff_lists_page_and_their_search_narrows(ctx):
    from tests.integration.test_paged_query_counts import grow, make_world, signed_in

    world = make_world()
    grow(world, 0, 30)
    clients = signed_in(ctx)
    admin, approver = clients["admin@example.org"], clients["approver.oh@example.org"]

    manage = get(admin, "/manage")
    assert rows_in(manage, "manage-rows") == 25 and pager_text(manage, "manage-rows") == (
        "1\u201325 of 61"
    )
    found = get(admin, "/manage?q=WORKSHOP 007")
    assert rows_in(found, "manage-rows") == 1 and "Workshop 007" in found
    narrowed = get(admin, "/manage?q=workshop 0")
    assert "q=workshop+0" in link(narrowed, "next") and "1\u201325 of 30" in narrowed
    assert "No training matches" in get(admin, "/manage?q=nothing like it")

    # Approvals: the Ohio approver sees Ohio members; search by name, e-mail or training.
    queue = get(approver, "/approvals")
    assert rows_in(queue, "approvals") == 25 and pager_text(queue, "approvals") == "1\u201325 of 30"
    assert rows_in(get(approver, "/approvals?q=m0x7@example.org"), "approvals") == 1
    assert rows_in(get(approver, "/approvals?q=Workshop 012"), "approvals") == 1
    second = get(approver, link(queue, "next"))
    assert rows_in(second, "approvals") == 5

    facilitate = get(clients["fac@example.org"], "/facilitate?q=workshop 00")
    assert rows_in(facilitate, "facilitate-rows") == 10 and "Past" not in facilitate

    certificates = f"/offerings/{world.certified.id}/certificates"
    listed = get(admin, certificates)
    assert rows_in(listed, "certificate-rows") == 25 and "1\u201325 of 30" in listed
    by_code = get(admin, certificates + "?q=testcode000007")
    assert rows_in(by_code, "certificate-rows") == 1 and "m0x 7" in by_code
    assert rows_in(get(admin, certificates + "?q=M0X 1"), "certificate-rows") == 11

    # A refused revoke shows the page again: its links lead to the page, not the action.
    first_id = re.search(r'id="certificate-(\d+)"', listed).group(1)
    refused = Actions(admin).post(f"/certificates/{first_id}/revoke?q=m0x", {"reason": ""})
    assert refused.status_code == 422
    after = link(refused.get_data(as_text=True), "next")
    assert after.startswith(certificates + "?q=m0x&page=2"), after

    registrations = f"/manage/offerings/{world.certified.id}"
    listed = get(admin, registrations)
    assert rows_in(listed, "registration-rows") == 25 and "1\u201325 of 30" in listed
    assert link(listed, "next").startswith(registrations + "?page=2")
    assert rows_in(get(admin, registrations + "?q=m0x7@"), "registration-rows") == 1


def test_past_trainings_and_audit_trails_page_latest_first(ctx):
    from tests.integration.test_paged_query_counts import grow, make_world, signed_in

    world = make_world()
    grow(world, 0, 30)
    clients = signed_in(ctx)
    member, admin = clients["pat@example.org"], clients["admin@example.org"]

    mine = get(member, "/my-trainings")
    past = re.findall(r">(Past \d+)</a>", mine)
    assert past == [f"Past {i:03}" for i in range(25)]  # the latest first
    assert "Cancelled or declined" in mine and pager_text(mine, "past-rows") == "1\u201325 of 30"
    more = re.search(r'hx-get="([^"]+)"\s+hx-target="#past-rows"', mine).group(1)
    fragment = get(
        member, html.unescape(more), headers={"HX-Request": "true", "HX-Target": "past-rows"}
    )
    assert re.findall(r">(Past \d+)</a>", fragment) == [f"Past {i:03}" for i in range(25, 30)]
    assert "Upcoming" not in fragment and "1\u201330 of 30" in fragment

    person = get(admin, f"/people/{world.member.id}")
    assert (
        rows_in(person, "history-rows") == 25 and "Change 29" in person and "Change 4" not in person
    )
    older = get(admin, link(person, "next"))
    assert "Change 4" in older and "Change 29" not in older

    # The affiliate page has two lists: locals (page) and history (history_page).
    db.session.add_all(Local(affiliate_id=world.ohio, name=f"More {i:03}") for i in range(60))
    db.session.commit()
    affiliate = get(admin, f"/admin/reference/affiliates/{world.ohio}")
    history_next = re.search(
        r'<nav class="pager" id="history-rows-pager".*?</nav>', affiliate, re.S
    )
    locals_next = re.search(r'<nav class="pager" id="local-rows-pager".*?</nav>', affiliate, re.S)
    assert "history_page=2" in history_next.group(0) and "history_page" not in locals_next.group(0)
    both = get(admin, link(history_next.group(0), "next"))
    assert "Local 000" in both and pager_text(both, "history-rows") == "26\u201330 of 30"
    assert "1\u2013" in pager_text(both, "local-rows")  # the locals stay on their first page
