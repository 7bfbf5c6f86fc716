from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.registrations import rules
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.registrations.rules import Outcome
from tests import factories


def statuses(offering_id: int) -> list[str]:
    db.session.expire_all()
    return [
        r.status.value
        for r in db.session.scalars(
            sa.select(Registration).where(Registration.offering_id == offering_id)
        )
    ]


def test_register_through_the_page(client, actions):
    offering = factories.offering(capacity=3)
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    response = actions.post(f"/offerings/{offering.id}/register")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are registered" in page
    assert "2 seats left" in page
    assert statuses(offering.id) == ["confirmed"]
    assert "Beat Privatization workshop" in client.get("/my-trainings").get_data(as_text=True)


def test_register_with_htmx_returns_the_box_only(client, actions):
    offering = factories.offering(capacity=1)
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    response = actions.post(f"/offerings/{offering.id}/register", headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in fragment and 'id="registration"' in fragment
    assert "You are registered" in fragment and "Full" in fragment


def test_anonymous_is_sent_to_sign_in(client):
    offering = factories.offering()
    response = client.post(f"/offerings/{offering.id}/register")
    assert response.status_code in (302, 400)  # no session yet: CSRF or sign-in first
    from tests.conftest import Actions

    response = Actions(client).post(f"/offerings/{offering.id}/register")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    assert client.get("/my-trainings").headers["Location"].startswith("/signin")
    assert statuses(offering.id) == []


def test_double_click_makes_one_registration(ctx):
    offering = factories.offering()
    member = factories.person("pat@example.org")
    first = rules.register(member, offering)
    second = rules.register(member, offering)
    assert (first.outcome, second.outcome) == (Outcome.CONFIRMED, Outcome.ALREADY)
    assert statuses(offering.id) == ["confirmed"]


def test_full_offering_refuses_and_says_so(ctx):
    offering = factories.offering(capacity=1)
    rules.register(factories.person("a@example.org"), offering)
    result = rules.register(factories.person("b@example.org"), offering)
    assert result.outcome == Outcome.FULL and "full" in result.message
    assert statuses(offering.id) == ["confirmed"]


def test_refusals_change_nothing(ctx):
    now = utcnow()
    member = factories.person("pat@example.org", job_family="custodial-and-maintenance")
    cases = [
        (factories.offering("Cancelled", status="cancelled"), Outcome.UNAVAILABLE),
        (
            factories.offering("Not yet", registration_opens_at=now + timedelta(days=1)),
            Outcome.NOT_OPEN,
        ),
        (
            factories.offering(
                "Over",
                registration_closes_at=now - timedelta(days=1),
                registration_opens_at=now - timedelta(days=9),
            ),
            Outcome.CLOSED,
        ),
        (factories.offering("Started", starts_in=-timedelta(hours=1)), Outcome.CLOSED),
        (factories.offering("Bus only", audience=("transportation-services",)), Outcome.AUDIENCE),
    ]
    for offering, outcome in cases:
        result = rules.register(member, offering, now=now)
        assert result.outcome == outcome, offering.title
        assert result.message
        assert statuses(offering.id) == []


def test_pre_conference_needs_confirmed_conference_registration(ctx):
    conference = factories.offering("Conference", program="esp-national-conference")
    pre = factories.offering(
        "Pre-conference", program="stepping-up-to-the-plate", parent_id=conference.id
    )
    member = factories.person("pat@example.org")
    refused = rules.register(member, pre)
    assert refused.outcome == Outcome.NEEDS_PARENT and "Conference" in refused.message
    assert rules.register(member, conference).ok
    assert rules.register(member, pre).outcome == Outcome.CONFIRMED


def test_cancel_own_registration_and_register_again(client, actions):
    offering = factories.offering(capacity=1)
    member = factories.person("pat@example.org")
    registration = rules.register(member, offering).registration
    actions.sign_in("pat@example.org")
    response = actions.post(f"/registrations/{registration.id}/cancel")
    assert response.status_code == 302
    assert statuses(offering.id) == ["cancelled"]
    assert "Cancelled" in client.get("/my-trainings").get_data(as_text=True)
    assert actions.post(f"/offerings/{offering.id}/register").status_code == 302
    assert statuses(offering.id) == ["confirmed"]


def test_cannot_cancel_someone_elses_registration(client, actions):
    offering = factories.offering()
    other = rules.register(factories.person("other@example.org"), offering).registration
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    assert actions.post(f"/registrations/{other.id}/cancel").status_code == 404
    assert statuses(offering.id) == ["confirmed"]


def test_bad_register_requests_do_not_error(client, actions):
    factories.person("pat@example.org")
    actions.sign_in("pat@example.org")
    assert actions.post("/offerings/999999/register").status_code == 404
    assert client.post("/offerings/abc/register").status_code in (400, 404)
    assert client.get("/offerings/1/register").status_code == 405


def test_twenty_members_race_for_the_last_two_seats(ctx):
    """Real threads, each with its own connection: exactly two get the seats."""
    offering = factories.offering(capacity=5)
    for i in range(3):
        rules.register(factories.person(f"early{i}@example.org"), offering)
    racers = [factories.person(f"racer{i}@example.org").id for i in range(20)]
    offering_id = offering.id
    barrier = threading.Barrier(len(racers))
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []

    def race(user_id: int) -> None:
        try:
            with ctx.app_context():
                from esp_registry.accounts.models import User
                from esp_registry.catalog.models import Offering

                user = db.session.get(User, user_id)
                target = db.session.get(Offering, offering_id)
                barrier.wait()
                outcomes.append(rules.register(user, target).outcome)
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=race, args=(uid,)) for uid in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(outcomes).count(Outcome.CONFIRMED) == 2
    assert outcomes.count(Outcome.FULL) == 18
    assert statuses(offering_id).count(RegistrationStatus.CONFIRMED.value) == 5
