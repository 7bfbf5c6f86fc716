"""The LFT affiliate queue and national review at scale: paged, searchable, filters kept
in the URL, the query count fixed; releasing acts on the whole cycle, not on a page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.lft import queries, rules
from esp_registry.lft.models import LftApplication, LftCycle, LftStatus
from tests import factories
from tests.integration.test_lft_world import (
    GOOD,
    admin,
    approver,
    endorsed,
    make_cycle,
    member,
    reviewer,
)
from tests.integration.test_query_counts import queries_for

PAGE = 5


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Five rows a page, so a dozen applications make a first, middle and last page."""
    monkeypatch.setattr(queries, "QUEUE_PAGE_SIZE", PAGE)
    monkeypatch.setattr(queries, "REVIEW_PAGE_SIZE", PAGE)


def world(count: int, state: str = "OH", start: int = 0) -> LftCycle:
    """`count` applications from `state`, endorsed in the (one) open cycle."""
    cycle = db.session.scalar(sa.select(LftCycle)) or make_cycle(around=utcnow())
    email = f"approver.{state.lower()}@example.org"
    by = db.session.scalar(sa.select(User).where(User.email == email)) or approver(state)
    now = utcnow()
    for n in range(start, start + count):
        endorsed(member(n, state), cycle, by, now)
    return cycle


def names(page: str) -> list[str]:
    return re.findall(r">(Applicant \d+ [A-Z]{2})</a>", page)


def test_affiliate_queue_pages_and_searches(ctx, client, actions):
    cycle = world(12)
    actions.sign_in("approver.oh@example.org")
    url = f"/lft/cycles/{cycle.id}/queue"
    first = client.get(url).get_data(as_text=True)
    assert "1\u20135 of 12" in first and f'href="{url}?page=2"' in first
    assert len(names(first)) == 5
    middle = client.get(url, query_string={"page": 2}).get_data(as_text=True)
    assert "6\u201310 of 12" in middle and 'rel="prev"' in middle and 'rel="next"' in middle
    last = client.get(url, query_string={"page": 3}).get_data(as_text=True)
    assert "11\u201312 of 12" in last and 'rel="next"' not in last
    seen = names(first) + names(middle) + names(last)
    assert sorted(seen) == sorted(f"Applicant {n} OH" for n in range(12))
    # The counts are the affiliate's, not the page's.
    assert re.search(r"<dt>Endorsed</dt><dd>12</dd>", last)
    # Search by name, e-mail or affiliate; the pager keeps the search.
    assert names(client.get(url, query_string={"q": "applicant 11"}).get_data(as_text=True)) == [
        "Applicant 11 OH"
    ]
    by_mail = client.get(url, query_string={"q": "APPLICANT3."}).get_data(as_text=True)
    assert names(by_mail) == ["Applicant 3 OH"]
    by_state = client.get(url, query_string={"q": "ohio"}).get_data(as_text=True)
    assert "1\u20135 of 12" in by_state and f'href="{url}?q=ohio&amp;page=2"' in by_state
    assert "No application matches" in client.get(url + "?q=zzz").get_data(as_text=True)


def test_a_plain_decision_comes_back_to_the_page_it_was_made_on(ctx, client, actions):
    cycle = make_cycle(around=utcnow())
    oh = approver("OH")
    now = utcnow()
    for n in range(7):
        rules.submit(member(n), cycle, GOOD, now=now)
    actions.sign_in(oh.email)
    url = f"/lft/cycles/{cycle.id}/queue"
    page = client.get(url, query_string={"page": 2, "q": "applicant"}).get_data(as_text=True)
    assert f'name="next" value="{url}?page=2&amp;q=applicant"' in page
    (application_id,) = re.findall(r'action="/lft/applications/(\d+)/endorse"', page)[:1]
    response = actions.post(
        f"/lft/applications/{application_id}/endorse",
        {"comment": "", "next": f"{url}?page=2&q=applicant"},
    )
    assert response.headers["Location"] == f"{url}?page=2&q=applicant"
    status = db.session.scalar(
        sa.select(LftApplication.status).where(LftApplication.id == int(application_id))
    )
    assert status == LftStatus.ENDORSED


def test_national_review_pages_keep_filters_sort_and_search(ctx, client, actions):
    cycle = world(8, "OH")
    world(4, "TX", start=20)
    boss = admin()
    actions.sign_in(boss.email)
    url = f"/lft/cycles/{cycle.id}/review"
    oh = factories.affiliate("OH").id
    first = client.get(url, query_string={"affiliate": oh, "sort": "name"}).get_data(as_text=True)
    assert "1\u20135 of 8" in first
    assert names(first) == sorted(f"Applicant {n} OH" for n in range(8))[:5]
    assert f'href="{url}?affiliate={oh}&amp;sort=name&amp;page=2"' in first
    second = client.get(url, query_string={"affiliate": oh, "sort": "name", "page": 2})
    assert names(second.get_data(as_text=True)) == sorted(f"Applicant {n} OH" for n in range(8))[5:]
    # htmx asks for the rows only; the pager in them keeps what was chosen.
    rows = client.get(
        url,
        query_string={"q": "tx", "sort": "name"},
        headers={"HX-Request": "true", "HX-Target": "review-rows"},
    ).get_data(as_text=True)
    assert "<h1>" not in rows and names(rows) == [f"Applicant {n} TX" for n in (20, 21, 22, 23)]
    middle = client.get(url, query_string={"sort": "name", "page": 2}).get_data(as_text=True)
    assert "6\u201310 of 12" in middle and 'rel="prev"' in middle and 'rel="next"' in middle
    last = client.get(url, query_string={"sort": "name", "page": 3}).get_data(as_text=True)
    assert "11\u201312 of 12" in last and 'rel="next"' not in last
    assert 'id="f-q"' in first and 'value="tx"' in client.get(url + "?q=tx").get_data(as_text=True)


def test_scores_on_a_page_are_the_applications_own(ctx, client, actions):
    cycle = world(7)
    boss = admin()
    applications = db.session.scalars(sa.select(LftApplication).order_by(LftApplication.id)).all()
    for n, application in enumerate(applications):
        rules.score(application, boss, {c.id: 1 + n % 5 for c in cycle.criteria})
    # Averages 1, 2, 3, 4, 5, 1, 2 by application: best first, ties by name.
    first = queries.national_review(cycle, boss, sort="average", page=1)
    assert [(r.application.user.full_name, r.average) for r in first.items] == [
        ("Applicant 4 OH", 5.0),
        ("Applicant 3 OH", 4.0),
        ("Applicant 2 OH", 3.0),
        ("Applicant 1 OH", 2.0),
        ("Applicant 6 OH", 2.0),
    ]
    assert all(r.mine and r.reviewers == 1 and r.spread == 0 for r in first.items)
    second = queries.national_review(cycle, boss, sort="average", page=2)
    assert [(r.application.user.full_name, r.average) for r in second.items] == [
        ("Applicant 0 OH", 1.0),
        ("Applicant 5 OH", 1.0),
    ]
    other = queries.national_review(cycle, reviewer(2), sort="name", page=1)
    assert not any(r.mine for r in other.items) and other.items[0].reviewers == 1


def test_release_from_a_later_page_releases_the_whole_cycle(ctx, client, actions):
    cycle = world(12)
    boss = admin()
    applications = db.session.scalars(sa.select(LftApplication).order_by(LftApplication.id)).all()
    for application in applications[::2]:  # on every page of the list
        assert rules.select(application, boss).ok
    actions.sign_in(boss.email)
    page = client.get(f"/lft/cycles/{cycle.id}/review?page=3").get_data(as_text=True)
    assert "11\u201312 of 12" in page and "6 of 20 places filled." in page
    released = actions.post(f"/lft/cycles/{cycle.id}/release", follow_redirects=True)
    assert "Decisions released: 12 applicants notified." in released.get_data(as_text=True)
    db.session.expire_all()
    assert [a.status for a in applications] == [LftStatus.SELECTED, LftStatus.NOT_SELECTED] * 6
    assert db.session.get(LftCycle, cycle.id).decision_released


def test_queue_and_review_queries_do_not_grow_with_pages(ctx, client, actions):
    cycle = world(3)
    boss = admin()
    actions.sign_in(boss.email)
    review, queue = f"/lft/cycles/{cycle.id}/review", f"/lft/cycles/{cycle.id}/queue"
    few = [queries_for(client, review + "?q=applicant"), queries_for(client, queue)]
    world(14, start=10)
    assert [queries_for(client, review + "?q=applicant&page=2"), queries_for(client, queue)] == few


def show_more(client, page: str, rows_id: str) -> str:  # type: ignore[no-untyped-def]
    """What htmx gets for the page's "Show more" link (only rows, and the pager again)."""
    link = re.search(rf'hx-get="([^"]+)"\s+hx-target="#{rows_id}"', page)
    assert link, f"no Show more for #{rows_id}"
    answer = client.get(
        link.group(1).replace("&amp;", "&"),
        headers={"HX-Request": "true", "HX-Target": rows_id},
    ).get_data(as_text=True)
    assert "<html" not in answer and f'id="{rows_id}-pager"' in answer
    return answer


def test_show_more_appends_queue_and_review_rows_keeping_filters(ctx, client, actions):
    cycle = world(8)
    actions.sign_in("approver.oh@example.org")
    queue = client.get(f"/lft/cycles/{cycle.id}/queue?q=applicant").get_data(as_text=True)
    more = show_more(client, queue, "lft-queue")
    assert len(names(more)) == 3 and "<ul" not in more and "1\u20138 of 8" in more
    actions.sign_out()
    actions.sign_in(admin().email)
    review = client.get(f"/lft/cycles/{cycle.id}/review?sort=name&q=oh").get_data(as_text=True)
    more = show_more(client, review, "review-list")
    assert "<table" not in more and "1\u20138 of 8" in more
    assert names(more) == sorted(f"Applicant {n} OH" for n in range(8))[5:]
