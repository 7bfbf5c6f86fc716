"""The cohort cap and the endorsement cap hold when many requests arrive at once: real
threads, real connections (the point of the test is PostgreSQL; SQLite runs it too)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import sqlalchemy as sa

from esp_registry.accounts.models import Role, User
from esp_registry.extensions import db
from esp_registry.lft import rules
from esp_registry.lft.models import LftApplication, LftStatus
from esp_registry.lft.rules import Outcome
from tests import factories
from tests.integration.test_lft_world import DAY, GOOD, T0, make_cycle

APPLICANTS = 30


def applicants(cycle_id: int, count: int, prefix: str) -> list[int]:
    """Submitted applications of Ohio members, made in bulk."""
    users = factories.bulk_people(prefix, count)
    applications = [
        LftApplication(
            cycle_id=cycle_id,
            user_id=u.id,
            affiliate_id=u.affiliate_id,
            job_family_id=u.job_family_id,
            status=LftStatus.SUBMITTED,
            submitted_at=T0,
            **{name: getattr(GOOD, name) for name in rules.Answers.__dataclass_fields__},
        )
        for u in users
    ]
    db.session.add_all(applications)
    db.session.commit()
    return [a.id for a in applications]


def race(
    app,
    application_ids: list[int],
    act: Callable[[LftApplication, User], rules.Result],
    actor_id: int,
) -> Counter:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(application_ids))
    outcomes: list[Outcome] = []
    errors: list[BaseException] = []

    def run(application_id: int) -> None:
        try:
            barrier.wait()
            with app.app_context():
                application = db.session.get(LftApplication, application_id)
                actor = db.session.get(User, actor_id)
                outcomes.append(act(application, actor).outcome)
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in application_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors[:3]
    return Counter(outcomes)


def count(cycle_id: int, *statuses: LftStatus) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            LftApplication.cycle_id == cycle_id, LftApplication.status.in_(statuses)
        )
    )


def test_the_endorsement_cap_holds_under_concurrent_endorsements(ctx):
    rounds = 5 if db.engine.dialect.name == "postgresql" else 1
    approver = factories.person("approver.oh@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    for round_no in range(rounds):
        cycle = make_cycle(2030 + round_no, cap=4)
        ids = applicants(cycle.id, APPLICANTS, f"e{round_no}-")
        outcomes = race(
            ctx,
            ids,
            lambda a, u: rules.endorse(a, u, "ok", now=T0 + DAY),
            approver.id,
        )
        assert outcomes == Counter({Outcome.ENDORSED: 4, Outcome.CAP_REACHED: APPLICANTS - 4})
        assert count(cycle.id, LftStatus.ENDORSED) == 4


def test_the_cohort_size_holds_under_concurrent_selection(ctx):
    rounds = 5 if db.engine.dialect.name == "postgresql" else 1
    admin = factories.person("admin@example.org", roles=((Role.NATIONAL_ADMIN, None),))
    for round_no in range(rounds):
        cycle = make_cycle(2040 + round_no, cohort_size=5)
        ids = applicants(cycle.id, APPLICANTS, f"s{round_no}-")
        db.session.execute(
            sa.update(LftApplication)
            .where(LftApplication.id.in_(ids))
            .values(status=LftStatus.ENDORSED)
        )
        db.session.commit()
        outcomes = race(ctx, ids, lambda a, u: rules.select(a, u, now=T0 + DAY), admin.id)
        assert outcomes == Counter({Outcome.SELECTED: 5, Outcome.COHORT_FULL: APPLICANTS - 5})
        assert count(cycle.id, LftStatus.SELECTED) == 5
