"""Roster in full (PRODUCT §6): mark all, credited hours, search, audit, query counts."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.attendance import rules
from esp_registry.attendance.models import (
    Attendance,
    AttendanceChange,
    AttendanceEvent,
    AttendanceStatus,
)
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.integration.test_attendance import marks, setup_session
from tests.integration.test_query_counts import queries_for

HX = {"HX-Request": "true"}


def events() -> list[tuple[str, str | None, str, str | None, str, str]]:
    db.session.expire_all()
    return [
        (
            e.change.value,
            e.from_status.value if e.from_status else None,
            e.to_status.value,
            None if e.from_hours is None else str(e.from_hours),
            str(e.to_hours),
            e.actor.email,
        )
        for e in db.session.scalars(sa.select(AttendanceEvent).order_by(AttendanceEvent.id))
    ]


def add_members(offering, names: list[str]) -> list[Registration]:  # type: ignore[no-untyped-def]
    template = factories.person("template@example.org", name="Zed Template")
    users = [
        User(
            email=f"{name.lower().replace(' ', '.')}@example.org",
            full_name=name,
            affiliate_id=template.affiliate_id,
            job_family_id=template.job_family_id,
            local_name="Local 12",
            password_hash=template.password_hash,
        )
        for name in names
    ]
    db.session.add_all(users)
    db.session.flush()
    registrations = [
        Registration(user_id=u.id, offering_id=offering.id, status=RegistrationStatus.CONFIRMED)
        for u in users
    ]
    db.session.add_all(registrations)
    db.session.commit()
    return registrations


def test_mark_all_present_with_htmx_keeps_edited_hours_and_audits(client, actions):
    facilitator, offering, session, pat = setup_session()
    add_members(offering, ["Ana Ruiz", "Bo Chen"])
    rules.mark(session, pat, AttendanceStatus.PRESENT, facilitator)
    assert rules.set_hours(session, pat, "2.5", facilitator).error == ""
    actions.sign_in("fac@example.org")
    response = actions.post(f"/sessions/{session.id}/attendance/mark-all", headers=HX)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in fragment
    assert 'id="roster-table"' in fragment and "2 marked present." in fragment
    assert 'hx-swap-oob="innerHTML">3 present of 3 registered' in fragment
    assert fragment.count('value="present" aria-pressed="true"') == 3
    assert sorted(marks()) == [("present", "2.50"), ("present", "5.00"), ("present", "5.00")]
    # Pat's hours stay as edited; everyone's change is on record.
    assert [e[0] for e in events()] == ["mark", "hours", "mark_all", "mark_all"]
    assert events()[1] == ("hours", "present", "present", "5.00", "2.50", "fac@example.org")
    assert events()[2][1:] == (None, "present", None, "5.00", "fac@example.org")


def test_mark_all_present_without_javascript_redirects_with_message(client, actions):
    _, _offering, session, _ = setup_session()
    actions.sign_in("fac@example.org")
    response = actions.post(f"/sessions/{session.id}/attendance/mark-all", {"q": "Pat"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sessions/{session.id}/roster?q=Pat")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 marked present." in page and "1 present of 1 registered" in page
    assert marks() == [("present", "5.00")]


def test_mark_all_refused_before_attendance_opens(client, actions):
    _, _offering, session, _ = setup_session()
    session.starts_at += timedelta(days=3)
    session.ends_at += timedelta(days=3)
    db.session.commit()
    actions.sign_in("fac@example.org")
    response = actions.post(f"/sessions/{session.id}/attendance/mark-all", headers=HX)
    assert "Attendance opens one hour before" in response.get_data(as_text=True)
    assert marks() == [] and events() == []


def test_credited_hours_edit_with_htmx_and_plain_form(client, actions):
    facilitator, _, session, pat = setup_session()
    rules.mark(session, pat, AttendanceStatus.PRESENT, facilitator)
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/attendance/{pat.id}/hours"
    fragment = actions.post(url, {"hours": "3.75"}, headers=HX).get_data(as_text=True)
    assert 'name="hours"' in fragment and 'value="3.75"' in fragment
    assert marks() == [("present", "3.75")]
    response = actions.post(url, {"hours": "4,5"})  # a comma, as Spanish speakers type it
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#r{pat.id}")
    assert marks() == [("present", "4.50")]
    assert "credited 4.5 hours" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert [e[0] for e in events()] == ["mark", "hours", "hours"]


def test_bad_hours_input_is_explained_and_nothing_stored(client, actions):
    facilitator, _, session, pat = setup_session()
    rules.mark(session, pat, AttendanceStatus.PRESENT, facilitator)
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/attendance/{pat.id}/hours"
    for bad in ("", "abc", "-1", "5.25", "6", "1.1", "NaN", "Infinity", "1e1", "9" * 50):
        response = actions.post(url, {"hours": bad}, headers=HX)
        fragment = response.get_data(as_text=True)
        assert response.status_code == 200, bad
        assert "Enter hours from 0 to 5 in steps of 0.25." in fragment, bad
        assert 'aria-invalid="true"' in fragment, bad
    response = actions.post(url, {"hours": "7"})  # the plain form: the page again, with why
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" in page
    assert "Enter hours from 0 to 5 in steps of 0.25." in page and 'value="7"' in page
    assert marks() == [("present", "5.00")]
    assert [e[0] for e in events()] == ["mark"]


def test_hours_for_someone_not_present_are_refused(client, actions):
    facilitator, _, session, pat = setup_session()
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/attendance/{pat.id}/hours"
    fragment = actions.post(url, {"hours": "2"}, headers=HX).get_data(as_text=True)
    assert "Mark this person present before crediting hours." in fragment
    rules.mark(session, pat, AttendanceStatus.ABSENT, facilitator)
    fragment = actions.post(url, {"hours": "2"}, headers=HX).get_data(as_text=True)
    assert "Mark this person present before crediting hours." in fragment
    assert marks() == [("absent", "0.00")]


def test_zero_hours_and_full_hours_are_accepted(client, actions):
    facilitator, _, session, pat = setup_session()
    rules.mark(session, pat, AttendanceStatus.PRESENT, facilitator)
    assert rules.set_hours(session, pat, "0", facilitator).error == ""
    assert marks() == [("present", "0.00")]
    assert rules.set_hours(session, pat, "5", facilitator).error == ""
    assert marks() == [("present", "5.00")]


def test_hours_edit_access(client, actions):
    facilitator, _, session, pat = setup_session()
    rules.mark(session, pat, AttendanceStatus.PRESENT, facilitator)
    actions.sign_in("pat@example.org")
    url = f"/sessions/{session.id}/attendance/{pat.id}/hours"
    assert actions.post(url, {"hours": "1"}).status_code == 404
    assert actions.post(f"/sessions/{session.id}/attendance/mark-all").status_code == 404
    assert marks() == [("present", "5.00")]


def test_search_by_name_with_htmx_and_plain_get(client, actions):
    _, offering, session, _ = setup_session()
    add_members(offering, ["Ana Ruiz", "Bo Chen", "Anaïs 100%_Percent"])
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/roster"
    fragment = client.get(
        url, query_string={"q": "ana"}, headers={**HX, "HX-Trigger": "search"}
    ).get_data(as_text=True)
    assert "<html" not in fragment and 'id="roster-table"' in fragment
    assert "Ana Ruiz" in fragment and "Anaïs" in fragment
    assert "Bo Chen" not in fragment and "Pat Member" not in fragment
    page = client.get(url, query_string={"q": "chen"}).get_data(as_text=True)
    assert "<html" in page and "Bo Chen" in page and "Ana Ruiz" not in page
    assert 'value="chen"' in page and "0 present of 4 registered" in page  # counts: everyone
    # Wildcards are matched literally.
    page = client.get(url, query_string={"q": "%_"}).get_data(as_text=True)
    assert "Anaïs" in page and "Bo Chen" not in page
    page = client.get(url, query_string={"q": "nobody"}).get_data(as_text=True)
    assert "Nobody registered matches" in page


def test_roster_shows_last_change_per_row(client, actions):
    facilitator, _, session, pat = setup_session()
    facilitator.full_name = "Fran Facilitator"
    db.session.commit()
    actions.sign_in("fac@example.org")
    page = client.get(f"/sessions/{session.id}/roster").get_data(as_text=True)
    assert "Last changed by" not in page
    url = f"/sessions/{session.id}/attendance/{pat.id}"
    fragment = actions.post(url, {"status": "present"}, headers=HX).get_data(as_text=True)
    assert "Last changed by Fran Facilitator at" in fragment
    page = client.get(f"/sessions/{session.id}/roster").get_data(as_text=True)
    assert "Last changed by Fran Facilitator at" in page


def test_same_mark_twice_is_not_a_second_change(client, actions):
    facilitator, _, session, pat = setup_session()
    rules.mark(session, pat, AttendanceStatus.PRESENT, facilitator)
    rules.mark(session, pat, AttendanceStatus.PRESENT, facilitator)
    rules.mark(session, pat, AttendanceStatus.ABSENT, facilitator)
    assert events() == [
        ("mark", None, "present", None, "5.00", "fac@example.org"),
        ("mark", "present", "absent", "5.00", "0.00", "fac@example.org"),
    ]


def test_roster_queries_do_not_grow_from_10_to_500_attendees(client, actions):
    facilitator, offering, session, _ = setup_session(capacity=None)

    def grow(start: int, stop: int) -> None:
        registrations = add_members(offering, [f"Member {i:03}" for i in range(start, stop)])
        for registration in registrations[::2]:
            db.session.add(
                Attendance(
                    registration_id=registration.id,
                    session_id=session.id,
                    status=AttendanceStatus.PRESENT,
                    credited_hours=Decimal(5),
                    marked_by_id=facilitator.id,
                )
            )
        db.session.commit()
        db.session.execute(sa.delete(User).where(User.email == "template@example.org"))
        db.session.commit()

    grow(0, 9)
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/roster"
    few = queries_for(client, url)
    grow(9, 499)
    many = queries_for(client, url)
    assert many == few
    page = client.get(url).get_data(as_text=True)
    assert "250 present of 500 registered · 0 absent, 250 not yet marked" in page
    assert "1\u201325 of 500" in page and "Member 024" in page and "Member 025" not in page
    assert page.count("Last changed by") == 13  # 0, 2, .., 8 then 9, 11, .., 23
    assert "Member 498" in client.get(url + "?page=20").get_data(as_text=True)


def test_mark_all_rule_is_idempotent(client):
    facilitator, offering, session, _ = setup_session()
    add_members(offering, ["Ana Ruiz"])
    assert rules.mark_all_present(session, facilitator).marked == 2
    assert rules.mark_all_present(session, facilitator).marked == 0
    assert [e.change for e in db.session.scalars(sa.select(AttendanceEvent))] == [
        AttendanceChange.MARK_ALL
    ] * 2


def names_on(page: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]+)<br>', page)


def test_roster_pages_first_middle_last_keep_the_search(client, actions):
    _, offering, session, _ = setup_session(capacity=None)
    add_members(offering, [f"Member {i:03}" for i in range(70)] + ["Ana Ruiz"])
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/roster"
    first = client.get(url).get_data(as_text=True)
    assert "1\u201325 of 72" in first and 'rel="prev"' not in first
    assert names_on(first)[0] == "Ana Ruiz" and len(names_on(first)) == 25
    assert f'href="{url}?page=2"' in first
    middle = client.get(url, query_string={"page": 2}).get_data(as_text=True)
    assert "26\u201350 of 72" in middle and names_on(middle)[0] == "Member 024"
    assert f'href="{url}?page=1"' in middle and f'href="{url}?page=3"' in middle
    last = client.get(url, query_string={"page": 3}).get_data(as_text=True)
    assert "51\u201372 of 72" in last and 'rel="next"' not in last
    assert names_on(last)[-1] == "Pat Member" and len(names_on(last)) == 22
    # Past the end, or not a number: the nearest page there is.
    assert names_on(client.get(url + "?page=99").get_data(as_text=True)) == names_on(last)
    assert names_on(client.get(url + "?page=x²").get_data(as_text=True)) == names_on(first)
    # A search pages too, and its pager keeps it.
    searched = client.get(url, query_string={"q": "member 06"}).get_data(as_text=True)
    assert "1\u201310 of 10" in searched and 'rel="next"' not in searched
    searched = client.get(url, query_string={"q": "member 0"}).get_data(as_text=True)
    assert "1\u201325 of 70" in searched and f'href="{url}?q=member+0&amp;page=2"' in searched
    # The counts are the whole session's, whatever the page or search.
    assert "0 present of 72 registered · 0 absent, 72 not yet marked" in searched


def test_search_by_email_and_local(client, actions):
    _, offering, session, _ = setup_session()
    ana, bo = add_members(offering, ["Ana Ruiz", "Bo Chen"])
    ana.user.email, bo.user.local_name = "aruiz@union.example", "Riverside Educators"
    db.session.commit()
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/roster"
    assert names_on(client.get(url, query_string={"q": "@UNION"}).get_data(as_text=True)) == [
        "Ana Ruiz"
    ]
    assert names_on(client.get(url, query_string={"q": "riverside"}).get_data(as_text=True)) == [
        "Bo Chen"
    ]


def test_plain_mark_comes_back_to_the_same_page_and_search(client, actions):
    _, offering, session, _ = setup_session(capacity=None)
    registrations = add_members(offering, [f"Member {i:03}" for i in range(30)])
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/roster"
    page = client.get(url, query_string={"q": "member", "page": 2}).get_data(as_text=True)
    target = registrations[27]
    action = f"/sessions/{session.id}/attendance/{target.id}?q=member&amp;page=2"
    assert f'action="{action}"' in page
    response = actions.post(action.replace("&amp;", "&"), {"status": "present"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{url}?q=member&page=2#r{target.id}")
    back = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Member 027 marked present." in back and "26\u201331 of 31" in back  # and Pat
    assert marks() == [("present", "5.00")]


def test_one_tap_swaps_the_row_and_the_counts(client, actions):
    _, offering, session, pat = setup_session()
    add_members(offering, ["Ana Ruiz", "Bo Chen"])
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/attendance/{pat.id}"
    fragment = actions.post(url, {"status": "absent"}, headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and f'<tr id="r{pat.id}">' in fragment
    counts = 'hx-swap-oob="innerHTML">0 present of 3 registered · 1 absent, 2 not yet marked'
    assert counts in fragment


def test_mark_all_from_a_searched_page_marks_the_whole_session(client, actions):
    _, offering, session, _ = setup_session(capacity=None)
    add_members(offering, [f"Member {i:03}" for i in range(70)])
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/attendance/mark-all?page=2"
    response = actions.post(url, {"q": "member 06"}, headers=HX)
    fragment = response.get_data(as_text=True)
    assert "71 marked present." in fragment
    counts = 'hx-swap-oob="innerHTML">71 present of 71 registered · 0 absent, 0 not yet marked'
    assert counts in fragment
    assert len(marks()) == 71
    # Without JavaScript it comes back to the page and search it was sent from.
    response = actions.post(url, {"q": "member"})
    assert response.headers["Location"].endswith(f"/sessions/{session.id}/roster?q=member&page=2")


def test_counts_leave_out_people_no_longer_registered(client, actions):
    facilitator, offering, session, pat = setup_session()
    (ana,) = add_members(offering, ["Ana Ruiz"])
    rules.mark(session, pat, AttendanceStatus.PRESENT, facilitator)
    rules.mark(session, ana, AttendanceStatus.ABSENT, facilitator)
    ana.status = RegistrationStatus.CANCELLED
    db.session.commit()
    counts = rules.roster_counts(session)
    assert (counts.registered, counts.present, counts.absent, counts.unmarked) == (1, 1, 0, 0)


def test_show_more_appends_the_next_rows_and_moves_the_pager(client, actions):
    _, offering, session, _ = setup_session(capacity=None)
    add_members(offering, [f"Member {i:03}" for i in range(60)])
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/roster"
    page = client.get(url, query_string={"q": "member"}).get_data(as_text=True)
    more = re.search(r'hx-get="([^"]+)"\s+hx-target="#roster-rows" hx-swap="beforeend"', page)
    assert more, "no Show more"
    link = more.group(1).replace("&amp;", "&")
    assert "q=member" in link and "page=2" in link
    rows = client.get(link, headers={**HX, "HX-Target": "roster-rows"}).get_data(as_text=True)
    assert "<html" not in rows and "<table" not in rows
    assert names_on(rows)[0] == "Member 025" and len(names_on(rows)) == 25
    assert rows.count("autofocus") == 1  # the first new row's Present button
    assert 'id="roster-rows-pager" aria-label="Pages" hx-swap-oob="true"' in rows
    assert "1\u201350 of 61" in rows  # everything on screen now
