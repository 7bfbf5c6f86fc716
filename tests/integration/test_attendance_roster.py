"""Roster in full (PRODUCT §6): mark all, credited hours, search, audit, query counts."""

from __future__ import annotations

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
    assert "Member 498" in page and "250 present of 500 registered" in page
    assert page.count("Last changed by") == 250


def test_mark_all_rule_is_idempotent(client):
    facilitator, offering, session, _ = setup_session()
    add_members(offering, ["Ana Ruiz"])
    assert rules.mark_all_present(session, facilitator).marked == 2
    assert rules.mark_all_present(session, facilitator).marked == 0
    assert [e.change for e in db.session.scalars(sa.select(AttendanceEvent))] == [
        AttendanceChange.MARK_ALL
    ] * 2
