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
