"""Registration through HTTP: waitlists, approvals, leaving by e-mail link, calendars."""

from __future__ import annotations

import re

import sqlalchemy as sa

from esp_registry.accounts.models import Role
from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage
from esp_registry.registrations import rules
from esp_registry.registrations.models import Registration
from tests import factories
from tests.conftest import Actions

HTMX = {"HX-Request": "true"}


def status_of(registration_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Registration, registration_id).status.value


def test_full_offering_page_offers_the_waitlist_and_updates_counts(client, actions):
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    rules.register(factories.person("a@example.org"), offering)
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    assert "Full" in page and "0 on the waitlist" in page and "Join the waitlist" in page
    fragment = actions.post(
        f"/offerings/{offering.id}/register", headers={**HTMX, "HX-Target": "registration"}
    ).get_data(as_text=True)
    assert "<html" not in fragment
    assert "number 1 on the waitlist" in fragment and "1 on the waitlist" in fragment
    assert "Leave the waitlist" in fragment
    # A plain reload shows the same truth.
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    assert "number 1 on the waitlist" in page


def test_cancel_from_my_trainings_with_htmx_promotes_the_next(client, actions):
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    mine = rules.register(factories.person("pat@example.org"), offering).registration
    waiting = rules.register(factories.person("b@example.org"), offering).registration
    actions.sign_in("pat@example.org")
    page = client.get("/my-trainings").get_data(as_text=True)
    assert 'hx-confirm="Cancel your registration for' in page
    fragment = actions.post(
        f"/registrations/{mine.id}/cancel", headers={**HTMX, "HX-Target": "my-trainings"}
    ).get_data(as_text=True)
    assert 'id="my-trainings"' in fragment and "<html" not in fragment
    assert "The registration is cancelled" in fragment and "Cancelled or declined" in fragment
    assert (status_of(mine.id), status_of(waiting.id)) == ("cancelled", "confirmed")


def test_my_trainings_shows_waitlist_position_and_pending(client, actions):
    full = factories.offering("Full one", capacity=1, waitlist_enabled=True)
    approval = factories.offering("Needs approval", requires_affiliate_approval=True)
    rules.register(factories.person("a@example.org"), full)
    rules.register(factories.person("b@example.org"), full)
    member = factories.person("pat@example.org")
    rules.register(member, full)
    rules.register(member, approval)
    actions.sign_in("pat@example.org")
    page = client.get("/my-trainings").get_data(as_text=True)
    assert "On a waitlist" in page and "number 2 on the waitlist" in page
    assert "Waiting for approval" in page and "Needs approval" in page


def test_leave_waitlist_from_the_email_link(client):
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    rules.register(factories.person("a@example.org"), offering)
    waiting = rules.register(factories.person("b@example.org"), offering).registration
    body = db.session.scalar(
        sa.select(OutboxMessage.body_text).where(OutboxMessage.kind == "registration_waitlisted")
    )
    link = re.search(r"http://verify\.test(/waitlist/leave/\S+)", body).group(1)
    page = client.get(link)  # a mail scanner following the link changes nothing
    assert page.status_code == 200 and status_of(waiting.id) == "waitlisted"
    response = Actions(client).post(link)
    assert "You have left the waitlist" in response.get_data(as_text=True)
    assert status_of(waiting.id) == "cancelled"
    assert client.get(link[:-3] + "abc").status_code == 404  # tampered link
    assert client.get("/waitlist/leave/garbage").status_code == 404


def test_accept_offered_seat_through_the_page(client, actions):
    offering = factories.offering(
        capacity=1, waitlist_enabled=True, promotion_mode="offer", offer_hours=12
    )
    first = rules.register(factories.person("a@example.org"), offering).registration
    mine = rules.register(factories.person("pat@example.org"), offering).registration
    rules.cancel(first, by=first.user)
    actions.sign_in("pat@example.org")
    page = client.get("/my-trainings").get_data(as_text=True)
    assert "A seat is held for you until" in page
    response = actions.post(f"/registrations/{mine.id}/accept")
    assert response.status_code == 302 and status_of(mine.id) == "confirmed"


def test_approver_sees_and_decides_only_their_affiliate(client, actions):
    offering = factories.offering(requires_affiliate_approval=True, capacity=5)
    ohio = rules.register(factories.person("oh.member@example.org", state="OH"), offering)
    texas = rules.register(factories.person("tx.member@example.org", state="TX"), offering)
    factories.person("approver@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    actions.sign_in("approver@example.org")
    page = client.get("/approvals").get_data(as_text=True)
    assert "oh.member" not in page  # e-mails are not shown, names are
    assert page.count('class="card"') == 1

    for action, data in (("approve", {}), ("decline", {"reason": "No"})):
        url = f"/registrations/{texas.registration.id}/{action}"
        assert actions.post(url, data).status_code == 404
        assert actions.post(url, data, headers=HTMX).status_code == 404
    assert status_of(texas.registration.id) == "pending_approval"

    fragment = actions.post(
        f"/registrations/{ohio.registration.id}/approve", headers=HTMX
    ).get_data(as_text=True)
    assert "<html" not in fragment and "Confirmed" in fragment
    assert status_of(ohio.registration.id) == "confirmed"


def test_decline_without_reason_says_so_and_changes_nothing(client, actions):
    offering = factories.offering(requires_affiliate_approval=True)
    pending = rules.register(factories.person("m@example.org"), offering).registration
    factories.person("approver@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    actions.sign_in("approver@example.org")
    fragment = actions.post(
        f"/registrations/{pending.id}/decline", {"reason": ""}, headers=HTMX
    ).get_data(as_text=True)
    assert "Say why" in fragment and status_of(pending.id) == "pending_approval"
    actions.post(f"/registrations/{pending.id}/decline", {"reason": "Cohort is for leaders"})
    assert status_of(pending.id) == "declined"


def test_members_and_anonymous_cannot_reach_approvals(client, actions):
    offering = factories.offering(requires_affiliate_approval=True)
    pending = rules.register(factories.person("m@example.org"), offering).registration
    assert "/signin" in client.get("/approvals").headers["Location"]
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    assert client.get("/approvals").status_code == 404
    assert actions.post(f"/registrations/{pending.id}/approve").status_code == 404
    assert actions.post(f"/registrations/{pending.id}/staff-cancel").status_code == 404
    assert status_of(pending.id) == "pending_approval"


def test_calendar_file(client, actions):
    offering = factories.offering("Two days", sessions=2)
    response = client.get(f"/offerings/{offering.id}/calendar.ics")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    assert body.count("BEGIN:VEVENT") == 2 and "SUMMARY:Two days: Day 1" in body
    assert f"http://verify.test/offerings/{offering.id}" in body.replace("\r\n ", "")


def test_staff_cancel_from_the_manage_page_promotes_and_notifies(client, actions):
    offering = factories.offering(capacity=1, waitlist_enabled=True, host="OH")
    first = rules.register(factories.person("a@example.org", name="Ann First"), offering)
    second = rules.register(factories.person("b@example.org", name="Bo Second"), offering)
    factories.person("oh@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    actions.sign_in("oh@example.org")
    page = client.get(f"/manage/offerings/{offering.id}").get_data(as_text=True)
    assert "Ann First" in page and "number 1 on the waitlist" in page
    back = f"/manage/offerings/{offering.id}#registrations"
    response = actions.post(
        f"/registrations/{first.registration.id}/staff-cancel",
        {"reason": "Moved to another district", "next": back},
    )
    assert response.status_code == 302 and response.headers["Location"] == back
    assert status_of(first.registration.id) == "cancelled"
    assert status_of(second.registration.id) == "confirmed"
    kinds = set(db.session.scalars(sa.select(OutboxMessage.kind)))
    assert {"registration_cancelled", "registration_promoted"} <= kinds
    evil = actions.post(
        f"/registrations/{second.registration.id}/staff-cancel", {"next": "//evil.example"}
    )
    assert evil.headers["Location"] == f"/offerings/{offering.id}"


def test_forbidden_transitions_through_http_change_nothing(client, actions):
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    mine = rules.register(factories.person("pat@example.org"), offering).registration
    factories.person("oh@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    actions.sign_in("pat@example.org")
    # No seat on offer: accepting is refused with a message.
    response = actions.post(f"/registrations/{mine.id}/accept")
    assert "no seat on offer" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert status_of(mine.id) == "confirmed"
    actions.post(f"/registrations/{mine.id}/cancel")
    # Cancelling twice: the second is refused.
    again = actions.post(
        f"/registrations/{mine.id}/cancel", headers={**HTMX, "HX-Target": "my-trainings"}
    )
    assert "not active" in again.get_data(as_text=True)
    actions.sign_out()
    actions.sign_in("oh@example.org")
    # A confirmed or cancelled registration is not waiting for approval.
    fragment = actions.post(f"/registrations/{mine.id}/approve", headers=HTMX).get_data(
        as_text=True
    )
    assert "not waiting for approval" in fragment
    fragment = actions.post(
        f"/registrations/{mine.id}/decline", {"reason": "x"}, headers=HTMX
    ).get_data(as_text=True)
    assert "not waiting for approval" in fragment
    assert status_of(mine.id) == "cancelled"


def test_an_offering_for_other_job_families_shows_no_register_button_but_says_why(client, actions):
    offering = factories.offering("For cooks", audience=("food-services",))
    factories.person("pat@example.org")  # a paraeducator
    actions.sign_in("pat@example.org")
    page = client.get(f"/offerings/{offering.id}").get_data(as_text=True)
    box = page.split('id="registration"')[1].split("</div>")[0]
    assert "This training is for other job families than yours (Paraeducators)." in box
    assert 'href="/?job_family=paraeducators"' in box and "Trainings for Paraeducators" in box
    assert "<button" not in box and "/register" not in box
    # The rule behind the page answers the same if the post is sent anyway.
    response = actions.post(f"/offerings/{offering.id}/register")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0


def test_a_started_training_is_under_today_without_cancel_and_says_whom_to_ask(client, actions):
    from datetime import timedelta

    started = factories.offering("Started an hour ago", starts_in=-timedelta(hours=1))
    upcoming = factories.offering("Next month")
    member = factories.person("pat@example.org")
    mine = db.session.get(Registration, _confirmed(member, started))
    rules.register(member, upcoming)
    actions.sign_in("pat@example.org")
    page = client.get("/my-trainings").get_data(as_text=True)
    today = page.split("Today / in progress")[1].split("<h2>")[0]
    later = page.split(">Upcoming</h2>")[1].split("<h2>")[0]
    assert "Started an hour ago" in today and "Started an hour ago" not in later
    assert "ask the organisers to cancel" in today
    assert f"/registrations/{mine.id}/cancel" not in page
    assert "Next month" in later and "Cancel registration" in later
    # Its offering page offers no Cancel either.
    offering_page = client.get(f"/offerings/{started.id}").get_data(as_text=True)
    assert "ask the organisers to cancel" in offering_page
    assert f"/registrations/{mine.id}/cancel" not in offering_page


def _confirmed(member, offering) -> int:  # type: ignore[no-untyped-def]
    """A confirmed seat on an offering that has already started (register refuses by then)."""
    registration = Registration(
        offering_id=offering.id, user_id=member.id, status=rules.Status.CONFIRMED
    )
    db.session.add(registration)
    db.session.commit()
    return registration.id


def test_a_certificate_is_offered_and_downloaded_only_once_the_training_has_ended(client, actions):
    from datetime import timedelta

    from esp_registry.attendance.models import AttendanceStatus
    from esp_registry.attendance.rules import mark

    facilitator = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    ongoing = factories.offering("Marked at the door", starts_in=-timedelta(hours=1))
    member = factories.person("pat@example.org")
    registration = db.session.get(Registration, _confirmed(member, ongoing))
    mark(ongoing.sessions[0], registration, AttendanceStatus.PRESENT, facilitator)
    actions.sign_in("pat@example.org")
    page = client.get("/my-trainings").get_data(as_text=True)
    assert "Marked at the door" in page.split("Today / in progress")[1]
    assert "Download certificate" not in page
    assert "Your certificate will be ready once the training has ended." in page
    download = client.get(f"/registrations/{registration.id}/certificate.pdf")
    assert download.status_code == 302 and download.headers["Location"].endswith("/my-trainings")
    assert "Marked at the door" not in client.get("/transcript").get_data(as_text=True)
    # Once the session is over, the same page offers it and the link works.
    session = ongoing.sessions[0]
    session.starts_at -= timedelta(hours=8)
    session.ends_at -= timedelta(hours=8)
    db.session.commit()
    page = client.get("/my-trainings").get_data(as_text=True)
    assert "Today / in progress" not in page and "Download certificate" in page
    download = client.get(f"/registrations/{registration.id}/certificate.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert "Marked at the door" in client.get("/transcript").get_data(as_text=True)
