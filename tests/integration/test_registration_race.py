"""Many members race for a few seats while others cancel: real threads, real connections."""

from __future__ import annotations

import re
import threading
from collections import Counter

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering
from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage
from esp_registry.registrations import rules
from esp_registry.registrations.models import Registration
from esp_registry.registrations.rules import Outcome
from tests import factories

CAPACITY = 10
HOLDERS = 5  # confirmed members who cancel during the race; 5 seats are open at the start
RACERS = 50


def make_people(prefix: str, count: int) -> list[int]:
    users = factories.bulk_people(prefix, count)
    db.session.commit()
    return [u.id for u in users]


def run_race(app, round_no: int) -> None:  # type: ignore[no-untyped-def]
    offering = factories.offering(f"Race {round_no}", capacity=CAPACITY, waitlist_enabled=True)
    holders = make_people(f"holder{round_no}-", HOLDERS)
    for user_id in holders:
        rules.register(db.session.get(User, user_id), offering)
    racers = make_people(f"racer{round_no}-", RACERS)
    offering_id = offering.id
    barrier = threading.Barrier(RACERS + HOLDERS)
    outcomes: dict[int, Outcome] = {}
    errors: list[BaseException] = []

    def race(user_id: int, cancel: bool) -> None:
        try:
            barrier.wait()
            with app.app_context():
                user = db.session.get(User, user_id)
                target = db.session.get(Offering, offering_id)
                if cancel:
                    registration = db.session.scalar(
                        sa.select(Registration).filter_by(user_id=user_id, offering_id=offering_id)
                    )
                    outcomes[user_id] = rules.cancel(registration, by=user).outcome
                else:
                    outcomes[user_id] = rules.register(user, target).outcome
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=race, args=(uid, False)) for uid in racers]
    threads += [threading.Thread(target=race, args=(uid, True)) for uid in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors[:3]
    assert all(outcomes[uid] == Outcome.CANCELLED for uid in holders)
    assert {outcomes[uid] for uid in racers} <= {Outcome.CONFIRMED, Outcome.WAITLISTED}

    db.session.expire_all()
    registrations = db.session.scalars(
        sa.select(Registration).where(Registration.offering_id == offering_id)
    ).all()
    by_status = Counter(r.status.value for r in registrations)
    assert len(registrations) == RACERS + HOLDERS  # one registration per member, none lost
    assert by_status["confirmed"] == CAPACITY  # never more; and the freed seats were refilled
    assert by_status["cancelled"] == HOLDERS
    positions = sorted(rules.waitlist_positions([offering_id]).values())
    assert positions == list(range(1, by_status["waitlisted"] + 1))

    mail = Counter(
        (to, kind)
        for to, kind in db.session.execute(
            sa.select(OutboxMessage.to_email, OutboxMessage.kind).where(
                OutboxMessage.registration_id.in_([r.id for r in registrations])
            )
        )
    )
    promoted = {to for (to, kind) in mail if kind == "registration_promoted"}
    assert all(mail[(to, "registration_promoted")] == 1 for to in promoted)
    confirmed = {r.user.email for r in registrations if r.status.value == "confirmed"}
    assert promoted <= confirmed
    # Every racer got exactly one answer by e-mail for their own registration.
    for r in registrations:
        if r.user_id in racers:
            first = (
                mail[(r.user.email, "registration_confirmed")]
                + mail[(r.user.email, "registration_waitlisted")]
            )
            assert first == 1


def test_fifty_race_for_five_open_seats_while_five_confirmed_cancel(ctx):
    rounds = 20 if db.engine.dialect.name == "postgresql" else 3
    for round_no in range(rounds):
        run_race(ctx, round_no)


WAITLIST_RACERS = 50
WAITLIST_SEATS = 10
TOLD = re.compile(r"number (\d+) on the waitlist")


def run_waitlist_race(app, round_no: int) -> None:  # type: ignore[no-untyped-def]
    offering = factories.offering(
        f"Waitlist race {round_no}", capacity=WAITLIST_SEATS, waitlist_enabled=True
    )
    racers = make_people(f"queue{round_no}-", WAITLIST_RACERS)
    offering_id = offering.id
    barrier = threading.Barrier(WAITLIST_RACERS)
    results: dict[int, tuple[Outcome, int | None, str, int]] = {}
    errors: list[BaseException] = []

    def race(user_id: int) -> None:
        try:
            barrier.wait()
            with app.app_context():
                result = rules.register(
                    db.session.get(User, user_id), db.session.get(Offering, offering_id)
                )
                results[user_id] = (
                    result.outcome,
                    result.position,
                    result.message,
                    result.registration.id,
                )
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=race, args=(uid,)) for uid in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors[:3]
    outcomes = Counter(outcome for outcome, *_ in results.values())
    assert outcomes == {Outcome.CONFIRMED: WAITLIST_SEATS, Outcome.WAITLISTED: 40}

    db.session.expire_all()
    stored = rules.waitlist_positions([offering_id])
    told = {
        registration_id: position
        for outcome, position, _message, registration_id in results.values()
        if outcome == Outcome.WAITLISTED
    }
    assert sorted(told.values()) == list(range(1, 41))  # each number told once
    assert told == stored  # and it is the member's own, in (waitlisted_at, id) order
    for outcome, position, message, _registration_id in results.values():
        if outcome == Outcome.WAITLISTED:
            assert [int(n) for n in TOLD.findall(message)] == [position]
    mailed = {
        registration_id: [int(n) for n in TOLD.findall(body)]
        for registration_id, body in db.session.execute(
            sa.select(OutboxMessage.registration_id, OutboxMessage.body_text).where(
                OutboxMessage.kind == "registration_waitlisted",
                OutboxMessage.registration_id.in_(told),
            )
        )
    }
    assert mailed == {registration_id: [position] for registration_id, position in told.items()}


def test_fifty_race_for_ten_seats_and_each_is_told_their_own_waitlist_position(ctx):
    rounds = 5 if db.engine.dialect.name == "postgresql" else 2
    for round_no in range(rounds):
        run_waitlist_race(ctx, round_no)
