"""The e-mailed waitlist leave link (issue 11): it only ever takes a member off the
waitlist it was sent for, or declines a seat on offer; it expires; it never cancels a
confirmed seat; a dead link says so plainly and changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app
from itsdangerous import URLSafeSerializer

from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage
from esp_registry.registrations import rules
from esp_registry.registrations.models import Registration
from tests import factories
from tests.conftest import Actions

LINK = re.compile(r"http://verify\.test(/waitlist/leave/\S+)")
DEAD = "This link no longer works: you are no longer on the waitlist"


def status_of(registration_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Registration, registration_id).status.value


def leave_links(email: str) -> list[str]:
    """The leave links mailed to this person, oldest first."""
    bodies = db.session.scalars(
        sa.select(OutboxMessage.body_text)
        .where(OutboxMessage.to_email == email)
        .order_by(OutboxMessage.id)
    )
    return [m.group(1) for body in bodies if (m := LINK.search(body))]


def mail_kinds(email: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.kind)
            .where(OutboxMessage.to_email == email)
            .order_by(OutboxMessage.id)
        )
    )


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def test_a_link_from_the_waitlist_does_not_cancel_the_seat_after_promotion(client):
    conference = factories.offering(
        "Conference", program="esp-national-conference", capacity=1, waitlist_enabled=True
    )
    pre = factories.offering(
        "Pre-conference", program="stepping-up-to-the-plate", parent_id=conference.id
    )
    first = rules.register(factories.person("a@example.org"), conference).registration
    member = factories.person("pat@example.org")
    mine = rules.register(member, conference).registration
    (link,) = leave_links("pat@example.org")
    page = client.get(link)  # read while still waiting: the button is there
    assert page.status_code == 200 and 'method="post"' in text(page)

    rules.cancel(first, by=first.user)  # pat is promoted, then takes a pre-conference seat
    assert status_of(mine.id) == "confirmed"
    pre_mine = rules.register(member, pre).registration
    assert status_of(pre_mine.id) == "confirmed"

    page = client.get(link)
    assert page.status_code == 410 and DEAD in text(page) and 'method="post"' not in text(page)
    assert 'href="/my-trainings"' in text(page)
    response = Actions(client).post(link)  # the form read before the promotion, sent after
    assert response.status_code == 410 and DEAD in text(response)
    assert (status_of(mine.id), status_of(pre_mine.id)) == ("confirmed", "confirmed")
    assert "registration_cancelled" not in mail_kinds("pat@example.org")


def test_leaving_and_joining_again_kills_the_old_link(client):
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    rules.register(factories.person("a@example.org"), offering)
    member = factories.person("pat@example.org")
    waiting = rules.register(member, offering).registration
    (old,) = leave_links("pat@example.org")
    assert rules.cancel(waiting, by=member).ok
    again = rules.register(member, offering).registration
    assert again.id == waiting.id and status_of(again.id) == "waitlisted"
    old_again, new = leave_links("pat@example.org")
    assert old_again == old and new != old

    assert client.get(old).status_code == 410
    response = Actions(client).post(old)
    assert response.status_code == 410 and DEAD in text(response)
    assert status_of(again.id) == "waitlisted"

    response = Actions(client).post(new)  # the link of the current entry works
    assert response.status_code == 200 and "You have left the waitlist" in text(response)
    assert status_of(again.id) == "cancelled"
    assert Actions(client).post(new).status_code == 410  # and only once


def test_a_link_expires(client, monkeypatch):
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    rules.register(factories.person("a@example.org"), offering)
    waiting = rules.register(factories.person("pat@example.org"), offering).registration
    (link,) = leave_links("pat@example.org")
    token = link.rsplit("/", 1)[1]
    now = utcnow()
    assert rules.read_leave_link(token, now=now + rules.LEAVE_LINK_MAX_AGE - timedelta(1)).works
    assert not rules.read_leave_link(token, now=now + rules.LEAVE_LINK_MAX_AGE + timedelta(1)).works

    later = now + rules.LEAVE_LINK_MAX_AGE + timedelta(days=1)
    monkeypatch.setattr(rules, "utcnow", lambda: later)
    page = client.get(link)
    assert page.status_code == 410 and "This link has expired" in text(page)
    assert 'href="/my-trainings"' in text(page)
    assert Actions(client).post(link).status_code == 410
    assert status_of(waiting.id) == "waitlisted"


@pytest.mark.parametrize("kind", ["signature", "payload", "old format", "garbage"])
def test_a_tampered_or_old_link_changes_nothing(client, kind):
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    first = rules.register(factories.person("a@example.org"), offering).registration
    rules.register(factories.person("pat@example.org"), offering)
    (link,) = leave_links("pat@example.org")
    if kind == "signature":
        link = link[:-3] + ("abc" if not link.endswith("abc") else "xyz")
    elif kind == "payload":  # someone else's registration, with this link's signature
        _payload, stamp, signature = link.rsplit("/", 1)[1].split(".")
        entry = "2000-01-01T00:00:00.000000+00:00"
        forged = rules._leave_serializer().dump_payload([first.id, entry]).decode()
        link = f"/waitlist/leave/{forged}.{stamp}.{signature}"
    elif kind == "old format":  # signed with the old salt: just the registration id
        old = URLSafeSerializer(current_app.config["SECRET_KEY"], salt="leave-waitlist")
        link = "/waitlist/leave/" + old.dumps(first.id)
    else:
        link = "/waitlist/leave/garbage"
    page = client.get(link)
    assert page.status_code == 404 and "This link does not work" in text(page)
    response = Actions(client).post(link)
    assert response.status_code == 404
    assert status_of(first.id) == "confirmed"
    assert rules.waitlist_positions([offering.id]) != {}


def test_the_link_declines_a_seat_on_offer_and_the_next_person_is_offered_it(client):
    offering = factories.offering(
        capacity=1, waitlist_enabled=True, promotion_mode="offer", offer_hours=12
    )
    first = rules.register(factories.person("a@example.org"), offering).registration
    mine = rules.register(factories.person("pat@example.org"), offering).registration
    after = rules.register(factories.person("c@example.org"), offering).registration
    rules.cancel(first, by=first.user)
    db.session.refresh(mine)
    assert mine.holds_offer
    waitlisted_link, offered_link = leave_links("pat@example.org")
    assert mail_kinds("pat@example.org") == ["registration_waitlisted", "seat_offered"]

    page = client.get(offered_link)
    assert page.status_code == 200 and "Decline the seat and leave the waitlist" in text(page)
    response = Actions(client).post(offered_link)
    assert response.status_code == 200
    assert "You have declined the seat and left the waitlist" in text(response)
    assert status_of(mine.id) == "cancelled"
    db.session.refresh(after)
    assert after.holds_offer  # the seat went to the next person
    assert client.get(waitlisted_link).status_code == 410  # the first link died with it


def test_an_accepted_offer_kills_the_link(client):
    offering = factories.offering(
        capacity=1, waitlist_enabled=True, promotion_mode="offer", offer_hours=12
    )
    first = rules.register(factories.person("a@example.org"), offering).registration
    mine = rules.register(factories.person("pat@example.org"), offering).registration
    rules.cancel(first, by=first.user)
    assert rules.accept_offer(mine).ok
    for link in leave_links("pat@example.org"):
        assert Actions(client).post(link).status_code == 410
    assert status_of(mine.id) == "confirmed"


def test_a_dead_link_says_so_in_spanish(client):
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    first = rules.register(factories.person("a@example.org"), offering).registration
    rules.register(factories.person("pat@example.org"), offering)
    (link,) = leave_links("pat@example.org")
    rules.cancel(first, by=first.user)
    page = client.get(link, headers={"Accept-Language": "es"})
    assert page.status_code == 410
    assert "Este enlace ya no funciona: ya no está en la lista de espera" in text(page)
