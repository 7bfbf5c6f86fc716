"""Two tabs save the same component at once, two taps start or submit at once: one wins,
the other is told, and the database holds one truth (real threads, real connections; the
point is PostgreSQL, SQLite runs it too)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.microcredentials import earning
from esp_registry.microcredentials.models import (
    Attempt,
    AttemptStatus,
    Evidence,
    Microcredential,
    Submission,
)
from tests import factories

ROUNDS = 4


def at_once(app, count: int, act: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(count)
    answers: list[Any] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                answers.append(act(index))
                db.session.remove()
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers, errors


def test_two_tabs_saving_the_same_revision_one_wins(ctx):
    pat = factories.person("pat@example.org")
    mc = factories.microcredential("Raced", components=1)
    attempt_id = earning.start(pat, mc, utcnow()).subject.id
    component_id = mc.components[0].id
    for round_number in range(ROUNDS):
        db.session.expire_all()
        found = earning.draft_of(attempt_id, component_id)
        revision = found.revision if found else 0

        def save(index: int, revision: int = revision, n: int = round_number) -> earning.Saved:
            attempt = db.session.get(Attempt, attempt_id)
            return earning.save_evidence(
                attempt, component_id, f"tab {index} round {n}", revision, utcnow()
            )

        answers, errors = at_once(ctx, 2, save)
        assert not errors, errors
        assert sorted(a.result.ok for a in answers) == [False, True]
        (winner,) = [a for a in answers if a.result.ok]
        (loser,) = [a for a in answers if not a.result.ok]
        assert loser.stale and winner.revision == revision + 1
        db.session.expire_all()
        kept = db.session.scalars(sa.select(Evidence)).one()
        assert kept.revision == revision + 1 and kept.text.endswith(f"round {round_number}")


def test_two_taps_on_start_and_on_submit_make_one(ctx):
    pat = factories.person("pat@example.org")
    mc = factories.microcredential("Raced", components=1)
    pat_id, mc_id = pat.id, mc.id

    def start(_index: int):  # type: ignore[no-untyped-def]
        return earning.start(
            db.session.get(User, pat_id), db.session.get(Microcredential, mc_id), utcnow()
        )

    answers, errors = at_once(ctx, 3, start)
    assert not errors, errors
    assert sorted(a.ok for a in answers) == [False, False, True]
    db.session.expire_all()
    (attempt,) = db.session.scalars(sa.select(Attempt)).all()
    assert earning.save_evidence(attempt, mc.components[0].id, "words", 0, utcnow()).result.ok
    attempt_id = attempt.id

    def submit(_index: int):  # type: ignore[no-untyped-def]
        return earning.submit(
            db.session.get(Attempt, attempt_id), db.session.get(User, pat_id), utcnow()
        )

    answers, errors = at_once(ctx, 3, submit)
    assert not errors, errors
    assert sorted(a.ok for a in answers) == [False, False, True]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 1
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.submissions_count == 1
