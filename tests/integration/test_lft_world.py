"""Builders for Leaders for Tomorrow tests (imported by the other test_lft_* modules)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from esp_registry.accounts.models import Role, User
from esp_registry.extensions import db
from esp_registry.lft import rules
from esp_registry.lft.models import LftApplication, LftCriterion, LftCycle, LftStatus
from esp_registry.notifications.models import OutboxMessage
from tests import factories

# The clock every LFT test runs on: the cycle is open at T0.
T0 = datetime(2027, 1, 10, 15, 0, tzinfo=UTC)
DAY = timedelta(days=1)
GOOD = rules.Answers(
    leadership_experience="Building representative for six years; I led our contract campaign.",
    essay_why="To learn how to organise ESP members across job families.",
    essay_vision="Run a new-member orientation in every building of our district.",
    years_as_esp=8,
    president_name="Pat Lee",
    president_email="pat.lee@local.example.org",
    commitment=True,
)


def make_cycle(
    year: int = 2027,
    *,
    cohort_size: int = 20,
    cap: int | None = None,
    criteria: tuple[str, ...] = ("Leadership", "Commitment", "Vision"),
    around: datetime = T0,
) -> LftCycle:
    """A cycle open at `around` (T0 for rule tests; the real clock for page tests)."""
    cycle = LftCycle(
        year=year,
        opens_at=around - 10 * DAY,
        closes_at=around + 20 * DAY,
        review_deadline=around + 40 * DAY,
        decision_date=around + 60 * DAY,
        cohort_size=cohort_size,
        max_endorsements_per_affiliate=cap,
        confirm_within_days=14,
    )
    for position, name in enumerate(criteria):
        cycle.criteria.append(
            LftCriterion(position=position, name=name, description=f"{name}, 1 to 5")
        )
    db.session.add(cycle)
    db.session.commit()
    return cycle


def admin() -> User:
    return factories.person(
        "admin@example.org", name="Dana Admin", state="DC", roles=((Role.NATIONAL_ADMIN, None),)
    )


def approver(state: str = "OH") -> User:
    return factories.person(
        f"approver.{state.lower()}@example.org",
        name=f"Approver {state}",
        state=state,
        roles=((Role.AFFILIATE_APPROVER, state),),
    )


def reviewer(n: int = 1) -> User:
    return factories.person(
        f"reviewer{n}@example.org", name=f"Reviewer {n}", roles=((Role.REVIEWER, None),)
    )


def member(n: int = 1, state: str = "OH", job_family: str = "paraeducators") -> User:
    return factories.person(
        f"applicant{n}.{state.lower()}@example.org",
        name=f"Applicant {n} {state}",
        state=state,
        job_family=job_family,
    )


def submitted(user: User, cycle: LftCycle, now: datetime = T0, **answers: object) -> LftApplication:
    result = rules.submit(user, cycle, replace(GOOD, **answers), now=now)
    assert result.outcome == rules.Outcome.SUBMITTED, result
    assert result.application is not None
    return result.application


def endorsed(
    user: User, cycle: LftCycle, by: User | None = None, now: datetime = T0
) -> LftApplication:
    application = submitted(user, cycle, now)
    by = by or db.session.scalar(sa.select(User).where(User.email.like("approver.%"))) or admin()
    result = rules.endorse(application, by, "Strong local leader.", now=now + DAY)
    assert result.outcome == rules.Outcome.ENDORSED, result
    return application


def mail(kind: str | None = None) -> list[tuple[str, str]]:
    query = sa.select(OutboxMessage.to_email, OutboxMessage.kind).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return [(to, k) for to, k in db.session.execute(query)]


def statuses(cycle: LftCycle) -> dict[str, LftStatus]:
    db.session.expire_all()
    return {
        a.user.email: a.status
        for a in db.session.scalars(
            sa.select(LftApplication).where(LftApplication.cycle_id == cycle.id)
        )
    }


def test_the_world_builds(ctx):
    cycle = make_cycle()
    assert [c.name for c in cycle.criteria] == ["Leadership", "Commitment", "Vision"]
    assert submitted(member(), cycle).status == LftStatus.SUBMITTED
