from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from esp_registry.accounts.models import Role
from esp_registry.attendance.models import Attendance
from esp_registry.extensions import db
from esp_registry.registrations import rules as registration_rules
from tests import factories


def setup_session(**offering_fields):  # type: ignore[no-untyped-def]
    facilitator = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    offering = factories.offering(
        starts_in=-timedelta(minutes=30),
        facilitators=(facilitator,),
        registration_closes_at=None,
        **offering_fields,
    )
    member = factories.person("pat@example.org", name="Pat Member")
    # Registered before the start, as members are.
    registration = registration_rules.register(
        member, offering, now=offering.sessions[0].starts_at - timedelta(days=1)
    ).registration
    return facilitator, offering, offering.sessions[0], registration


def marks() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [
        (a.status.value, str(a.credited_hours)) for a in db.session.scalars(sa.select(Attendance))
    ]


def test_facilitator_marks_present_with_htmx_then_absent_without(client, actions):
    _, _, session, registration = setup_session()
    actions.sign_in("fac@example.org")
    roster = client.get(f"/sessions/{session.id}/roster").get_data(as_text=True)
    assert "Pat Member" in roster and "0 present of 1 registered" in roster

    url = f"/sessions/{session.id}/attendance/{registration.id}"
    response = actions.post(url, {"status": "present"}, headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in fragment
    assert 'value="present" aria-pressed="true"' in fragment
    assert 'hx-swap-oob="innerHTML">1 present of 1 registered' in fragment
    assert marks() == [("present", "5.00")]

    response = actions.post(url, {"status": "absent"})  # the plain form, no JavaScript
    assert response.status_code == 302
    assert marks() == [("absent", "0.00")]
    assert "marked absent" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_member_cannot_mark_attendance(client, actions):
    _, _, session, registration = setup_session()
    actions.sign_in("pat@example.org")
    assert client.get(f"/sessions/{session.id}/roster").status_code == 404
    url = f"/sessions/{session.id}/attendance/{registration.id}"
    assert actions.post(url, {"status": "present"}).status_code == 404
    assert marks() == []


def test_facilitator_of_another_offering_gets_404(client, actions):
    _, _, session, registration = setup_session()
    other = factories.person("other.fac@example.org", roles=((Role.FACILITATOR, None),))
    factories.offering("Their own workshop", facilitators=(other,))
    actions.sign_in("other.fac@example.org")
    assert client.get(f"/sessions/{session.id}/roster").status_code == 404
    url = f"/sessions/{session.id}/attendance/{registration.id}"
    assert (
        actions.post(url, {"status": "present"}, headers={"HX-Request": "true"}).status_code == 404
    )
    assert "Beat Privatization" not in client.get("/facilitate").get_data(as_text=True)
    assert "Their own workshop" in client.get("/facilitate").get_data(as_text=True)
    assert marks() == []


def test_approver_of_host_affiliate_and_admin_may_take_attendance(client, actions):
    _, _, session, _ = setup_session(host="OH")
    factories.person("oh@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    factories.person("tx@example.org", roles=((Role.AFFILIATE_APPROVER, "TX"),))
    factories.person("admin@example.org", roles=((Role.NATIONAL_ADMIN, None),))
    for email, expected in (
        ("oh@example.org", 200),
        ("tx@example.org", 404),
        ("admin@example.org", 200),
    ):
        actions.sign_in(email)
        assert client.get(f"/sessions/{session.id}/roster").status_code == expected, email
        actions.sign_out()


def test_anonymous_is_sent_to_sign_in(client):
    _, _, session, _ = setup_session()
    response = client.get(f"/sessions/{session.id}/roster")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]


def test_registration_of_another_offering_or_bad_status_is_refused(client, actions):
    _, _, session, _ = setup_session()
    elsewhere = factories.offering("Elsewhere")
    outsider = registration_rules.register(
        factories.person("x@example.org"), elsewhere
    ).registration
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/attendance/{outsider.id}"
    assert actions.post(url, {"status": "present"}).status_code == 404
    assert (
        actions.post(f"/sessions/{session.id}/attendance/999999", {"status": "present"}).status_code
        == 404
    )
    assert marks() == []


def test_attendance_opens_an_hour_before_the_session(client, actions):
    facilitator = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    offering = factories.offering(starts_in=timedelta(days=2), facilitators=(facilitator,))
    registration = registration_rules.register(
        factories.person("pat@example.org"), offering
    ).registration
    session = offering.sessions[0]
    actions.sign_in("fac@example.org")
    page = client.get(f"/sessions/{session.id}/roster").get_data(as_text=True)
    assert "Attendance opens one hour before" in page
    response = actions.post(
        f"/sessions/{session.id}/attendance/{registration.id}",
        {"status": "present"},
        headers={"HX-Request": "true"},
    )
    assert "Attendance opens one hour before" in response.get_data(as_text=True)
    assert marks() == []


def test_bad_status_value_is_a_clear_400(client, actions):
    _, _, session, registration = setup_session()
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/attendance/{registration.id}"
    for value in ("", "PRESENT", "maybe", "x" * 1000):
        assert actions.post(url, {"status": value}).status_code == 400
    assert marks() == []
