"""Pages load what they show up front: the query count does not grow with the rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from esp_registry.accounts.models import Role
from esp_registry.attendance import rules as attendance_rules
from esp_registry.attendance.models import AttendanceStatus
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration, RegistrationStatus
from tests import factories


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def queries_for(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with counted() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_catalog_queries_do_not_grow_with_offerings(client):
    for i in range(3):
        factories.offering(f"Workshop {i}", sessions=2, audience=("paraeducators",), host="OH")
    few = queries_for(client, "/?job_family=paraeducators")
    for i in range(3, 40):
        factories.offering(f"Workshop {i}", sessions=2, audience=("paraeducators",), host="TX")
    many = queries_for(client, "/?job_family=paraeducators")
    assert many == few


def add_attendees(offering, session, facilitator, start: int, stop: int) -> None:  # type: ignore[no-untyped-def]
    members = [
        factories.person(f"m{i}@example.org", name=f"Member {i:03}") for i in range(start, stop)
    ]
    registrations = [
        Registration(user_id=m.id, offering_id=offering.id, status=RegistrationStatus.CONFIRMED)
        for m in members
    ]
    db.session.add_all(registrations)
    db.session.commit()
    for registration in registrations[::2]:
        attendance_rules.mark(session, registration, AttendanceStatus.PRESENT, facilitator)


def test_roster_queries_do_not_grow_with_attendees(client, actions):
    facilitator = factories.person("fac@example.org", roles=((Role.FACILITATOR, None),))
    offering = factories.offering(
        capacity=None, starts_in=-timedelta(minutes=10), facilitators=(facilitator,)
    )
    session = offering.sessions[0]
    add_attendees(offering, session, facilitator, 0, 10)
    actions.sign_in("fac@example.org")
    url = f"/sessions/{session.id}/roster"
    few = queries_for(client, url)
    add_attendees(offering, session, facilitator, 10, 120)
    many = queries_for(client, url)
    assert many == few
    assert "Member 119" in client.get(url + "?page=5").get_data(as_text=True)


def test_my_trainings_queries_do_not_grow_with_registrations(client, actions):
    member = factories.person("pat@example.org")
    actions.sign_in("pat@example.org")

    def register_for(count: int, offset: int) -> None:
        for i in range(offset, offset + count):
            offering = factories.offering(f"Training {i}", host="OH", sessions=2)
            db.session.add(
                Registration(user_id=member.id, offering_id=offering.id, status="confirmed")
            )
        db.session.commit()

    register_for(2, 0)
    few = queries_for(client, "/my-trainings")
    register_for(20, 2)
    assert queries_for(client, "/my-trainings") == few
