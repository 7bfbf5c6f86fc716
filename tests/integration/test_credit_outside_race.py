"""Two approvers decide the same request at once: one wins, the other is told who decided
(real threads, real connections; the point is PostgreSQL, SQLite runs it too)."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from esp_registry.accounts.models import Role, User
from esp_registry.columns import utcnow
from esp_registry.credit.outside import rules
from esp_registry.credit.outside.models import (
    OutsideKind,
    OutsideTraining,
    OutsideTrainingEvent,
)
from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage
from tests import factories
from tests import outside_files as files

ROUNDS = 5


def decide_at_once(app, training_id: int, who: list[tuple[int, bool]]):  # type: ignore[no-untyped-def]
    """Each (approver, approve?) decides the request in a thread of its own, all at once."""
    barrier = threading.Barrier(len(who))
    answers: list[rules.Decided] = []
    errors: list[BaseException] = []

    def run(actor_id: int, approve: bool) -> None:
        try:
            with app.app_context():
                training = db.session.get(OutsideTraining, training_id)
                actor = db.session.get(User, actor_id)
                barrier.wait()
                note = "" if approve else "No"
                answers.append(rules.decide(training, actor, approve=approve, note=note))
                db.session.remove()
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=pair) for pair in who]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers, errors


def test_two_approvers_at_once_one_decision(ctx):
    member = factories.person("pat@example.org")
    deciders = [
        factories.person(
            f"approver{i}.oh@example.org",
            name=f"Approver {i}",
            roles=((Role.AFFILIATE_APPROVER, "OH"),),
        ).id
        for i in range(2)
    ]
    today = utcnow().date()
    details = rules.Details("Red Cross", "CPR", "", today - timedelta(days=3), today, Decimal(6))
    for round_ in range(ROUNDS):
        recorded = rules.record(member, details, OutsideKind.COMPLETED, files.pdf())
        training_id = recorded.result.subject.id
        answers, errors = decide_at_once(
            ctx, training_id, [(deciders[0], True), (deciders[1], round_ % 2 == 0)]
        )
        assert not errors, errors[:2]
        assert sorted(a.result.ok for a in answers) == [False, True]
        loser = next(a for a in answers if not a.result.ok)
        assert loser.already and "already" in loser.result.message
        db.session.expire_all()
        decisions = db.session.scalar(
            sa.select(sa.func.count()).where(
                OutsideTrainingEvent.training_id == training_id,
                OutsideTrainingEvent.action != "submitted",
            )
        )
        assert decisions == 1
    mails = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    assert mails == ROUNDS  # one e-mail per request, from the winner
