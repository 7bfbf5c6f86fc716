"""The mentoring queue at scale: open requests paged and searchable (the pager keeps the
search), a match made on a later page comes back to it, active pairings bounded on the
queue and paged on their own page, a request's page shows its best mentors only."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from esp_registry.extensions import db
from esp_registry.mentoring import queries, rules
from esp_registry.mentoring.models import MentoringPairing, MentoringRequest
from tests.integration.mentoring_world import mentee, mentor, the_admin

PAGE = 4
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queries, "QUEUE_PAGE_SIZE", PAGE)
    monkeypatch.setattr(queries, "PAIRINGS_SHOWN", 2)


def requests_on(page: str) -> list[str]:
    return re.findall(r'<h3><a href="/mentoring/requests/\d+">([^<]+)</a></h3>', page)


def test_queue_pages_first_middle_last_and_search(client, actions):
    mentor("m@example.org", name="Mona Mentor", capacity=5)
    for i in range(10):
        mentee(f"q{i}@example.org", name=f"Mentee {i:02}", local=("Local 12", "Riverside")[i % 2])
    the_admin()
    actions.sign_in("admin@example.org")
    first = client.get("/mentoring/requests").get_data(as_text=True)
    assert "10 open requests" in first and "1\u20134 of 10" in first
    assert requests_on(first) == [f"Mentee {i:02}" for i in range(4)]  # oldest first
    assert first.count("<strong>Mona Mentor</strong>") == 4  # suggested on every row
    middle = client.get("/mentoring/requests?page=2").get_data(as_text=True)
    assert requests_on(middle) == [f"Mentee {i:02}" for i in range(4, 8)]
    assert 'rel="prev"' in middle and 'rel="next"' in middle
    last = client.get("/mentoring/requests?page=3").get_data(as_text=True)
    assert requests_on(last) == ["Mentee 08", "Mentee 09"] and 'rel="next"' not in last
    riverside = client.get("/mentoring/requests?q=RIVERSIDE").get_data(as_text=True)
    assert "1\u20134 of 5" in riverside
    assert 'href="/mentoring/requests?q=RIVERSIDE&amp;page=2"' in riverside
    by_mail = client.get("/mentoring/requests?q=q7@").get_data(as_text=True)
    assert requests_on(by_mail) == ["Mentee 07"]
    assert "No open request matches" in client.get("/mentoring/requests?q=zz").get_data(
        as_text=True
    )


def test_a_match_on_a_later_page_comes_back_to_it(client, actions):
    profile = mentor("m@example.org", name="Mona Mentor", capacity=5)
    for i in range(9):
        mentee(f"q{i}@example.org", name=f"Mentee {i:02}")
    the_admin()
    actions.sign_in("admin@example.org")
    page = client.get("/mentoring/requests?q=mentee&page=2").get_data(as_text=True)
    request_id = db.session.scalar(
        sa.select(MentoringRequest.id).order_by(MentoringRequest.id).offset(5)
    )
    url = f"/mentoring/requests/{request_id}/match?q=mentee&amp;page=2"
    assert f'action="{url}"' in page and f'hx-post="{url}"' in page
    fragment = actions.post(
        url.replace("&amp;", "&"), {"mentor_profile_id": str(profile.id)}, headers=HTMX
    ).get_data(as_text=True)
    # The same page again (8 requests left: the 5th to 8th), with a way to the others.
    assert "is paired with Mona Mentor" in fragment
    assert requests_on(fragment) == ["Mentee 04", "Mentee 06", "Mentee 07", "Mentee 08"]
    assert 'href="/mentoring/requests?q=mentee&amp;page=2">See the other pages' in fragment
    plain = actions.post(
        f"/mentoring/requests/{request_id + 1}/match?q=mentee&page=2",
        {"mentor_profile_id": str(profile.id)},
    )
    assert plain.headers["Location"] == "/mentoring/requests?q=mentee&page=2"


def test_active_pairings_are_bounded_on_the_queue_and_paged_on_their_page(client, actions):
    profile = mentor("m@example.org", name="Mona Mentor", capacity=5)
    staff = the_admin()
    for i in range(5):
        request = mentee(f"p{i}@example.org", name=f"Paired {i}")
        assert rules.confirm_match(request, profile, staff).ok
    actions.sign_in("admin@example.org")
    queue = client.get("/mentoring/requests").get_data(as_text=True)
    assert "5 active pairings" in queue and queue.count('class="card" id="pairing-') == 2
    assert 'href="/mentoring/pairings"' in queue
    listed = client.get("/mentoring/pairings").get_data(as_text=True)
    assert "1\u20135 of 5" in listed and listed.count('class="card" id="pairing-') == 5
    found = client.get("/mentoring/pairings?q=paired 3").get_data(as_text=True)
    assert found.count('class="card" id="pairing-') == 1 and "Paired 3" in found
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MentoringPairing)) == 5
    actions.sign_out()
    actions.sign_in("m@example.org")
    assert client.get("/mentoring/pairings").status_code == 404  # staff only


def test_a_request_page_shows_the_best_mentors_only(client, actions, monkeypatch):
    monkeypatch.setattr("esp_registry.mentoring.routes.REQUEST_SUGGESTIONS", 3)
    for i in range(5):
        mentor(f"m{i}@example.org", name=f"Mentor {i}", capacity=2)
    request = mentee("n@example.org", name="Noah Newcomer")
    the_admin()
    actions.sign_in("admin@example.org")
    page = client.get(f"/mentoring/requests/{request.id}").get_data(as_text=True)
    assert "5 available mentors, best first" in page and "The 3 best are shown." in page
    assert re.findall(r"<strong>(Mentor \d)</strong>", page) == ["Mentor 0", "Mentor 1", "Mentor 2"]


def test_show_more_appends_the_next_requests(client, actions):
    mentor("m@example.org", name="Mona Mentor", capacity=5)
    for i in range(6):
        mentee(f"q{i}@example.org", name=f"Mentee {i:02}")
    the_admin()
    actions.sign_in("admin@example.org")
    page = client.get("/mentoring/requests?q=mentee").get_data(as_text=True)
    link = re.search(r'hx-get="([^"]+)"\s+hx-target="#request-rows"', page)
    assert link and "q=mentee" in link.group(1)
    more = client.get(
        link.group(1).replace("&amp;", "&"), headers={**HTMX, "HX-Target": "request-rows"}
    ).get_data(as_text=True)
    assert "<html" not in more and requests_on(more) == ["Mentee 04", "Mentee 05"]
    assert "<strong>Mona Mentor</strong>" in more and "1\u20136 of 6" in more
