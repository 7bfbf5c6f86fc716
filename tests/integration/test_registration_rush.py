"""Registering holds up in a rush: the POST sends the same few queries however many are
registered or waiting, answers with the small box fragment, and tells the stored position."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration, RegistrationStatus
from esp_registry.registrations.rules import waitlist_positions
from tests import factories
from tests.conftest import csrf_token
from tests.integration.test_query_counts import counted

HTMX = {"HX-Request": "true"}


def fill(offering, status: RegistrationStatus, count: int, prefix: str) -> None:  # type: ignore[no-untyped-def]
    people = factories.bulk_people(prefix, count)
    stamp = utcnow()
    for person in people:
        db.session.add(
            Registration(
                user_id=person.id,
                offering_id=offering.id,
                status=status,
                waitlisted_at=stamp if status == RegistrationStatus.WAITLISTED else None,
            )
        )
        stamp += timedelta(seconds=1)
    db.session.commit()


def register(client, actions, email: str, offering_id: int):  # type: ignore[no-untyped-def]
    """Sign in as `email` and press Register (htmx); the queries of the POST alone."""
    factories.person(email, name=email.split("@")[0].title())
    actions.sign_in(email)
    token = csrf_token(client)
    with counted() as statements:
        response = client.post(
            f"/offerings/{offering_id}/register", data={"csrf_token": token}, headers=HTMX
        )
    actions.sign_out()
    assert response.status_code == 200
    return response.get_data(as_text=True), len(statements)


def test_register_queries_do_not_grow_with_the_registered_or_the_waitlist(client, actions):
    offering = factories.offering("Popular training", capacity=45, waitlist_enabled=True)
    first, few = register(client, actions, "ana@example.org", offering.id)
    assert "You are registered." in first and "44 seats left" in first

    fill(offering, RegistrationStatus.CONFIRMED, 40, "seated")
    later, many = register(client, actions, "ben@example.org", offering.id)
    assert "You are registered." in later and "3 seats left" in later
    assert many == few and few <= 10

    fill(offering, RegistrationStatus.CONFIRMED, 3, "last")
    fill(offering, RegistrationStatus.WAITLISTED, 30, "queued")
    waiting, queued = register(client, actions, "cleo@example.org", offering.id)
    assert queued == few
    told = int(re.search(r"you are number (\d+) on the waitlist", waiting).group(1))
    assert told == 31 and "31 on the waitlist" in waiting
    stored = db.session.scalar(
        sa.select(Registration).join(Registration.user).where(User.email == "cleo@example.org")
    )
    assert waitlist_positions([offering.id])[stored.id] == told
    # The answer is the box htmx swaps in, not a page.
    assert waiting.lstrip().startswith('<div id="registration"') and len(waiting) < 3000
