"""Two people act on one submission at once (real threads, real connections; the point is
PostgreSQL, SQLite runs it too): two admins pre-check it, one wins and the other is told;
the first two assessors send their scores together, and the submission is still decided."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

import sqlalchemy as sa

from esp_registry.accounts.models import Role, User
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.microcredentials import assessment, earning
from esp_registry.microcredentials.models import (
    Assessment,
    AssessorRole,
    Attempt,
    AttemptStatus,
    Microcredential,
    MicrocredentialAction,
    MicrocredentialEvent,
    Submission,
    SubmissionStatus,
)
from esp_registry.notifications.models import OutboxMessage
from esp_registry.results import Result
from tests import factories
from tests.integration.test_mc_assessment import criteria_ids, submitted

ROUNDS = 4


def at_once(app, calls: list[Callable[[], object]]) -> tuple[list, list]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(calls))
    answers: list = []
    errors: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            with app.app_context():
                answers.append(call(barrier=barrier))  # type: ignore[call-arg]
                db.session.remove()
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers, errors


def people():  # type: ignore[no-untyped-def]
    admins = [
        factories.person(
            f"admin{i}@example.org", name=f"Admin {i}", roles=((Role.NATIONAL_ADMIN, None),)
        ).id
        for i in range(2)
    ]
    for i in range(3):
        factories.person(f"a{i}@example.org", name=f"Assessor {i}", roles=((Role.ASSESSOR, None),))
    return admins


def decide(submission_id: int, admin_id: int, complete: bool, barrier: threading.Barrier) -> Result:
    submission = db.session.get(Submission, submission_id)
    admin = db.session.get(User, admin_id)
    barrier.wait()
    if complete:
        return assessment.send_to_assessors(submission, admin)
    return assessment.return_incomplete(submission, admin, "Missing component 2")


def score(
    assessment_id: int, assessor_id: int, ids: list[int], met: bool, barrier: threading.Barrier
) -> assessment.Scored:
    found = db.session.get(Assessment, assessment_id)
    by = db.session.get(User, assessor_id)
    given = {cid: assessment.Given(met, "" if met else "More, please.") for cid in ids}
    barrier.wait()
    return assessment.submit_scores(found, by, given, "")


def test_two_admins_precheck_at_once_one_decision(ctx):
    admins = people()
    mc = factories.microcredential()
    for round_ in range(ROUNDS):
        member = factories.person(f"m{round_}@example.org", name=f"Member {round_}")
        submission_id = submitted(member, mc).id

        answers, errors = at_once(
            ctx,
            [
                partial(decide, submission_id, admins[0], True),
                partial(decide, submission_id, admins[1], round_ % 2 == 0),
            ],
        )
        assert not errors, errors[:2]
        assert sorted(a.ok for a in answers) == [False, True]
        loser = next(a for a in answers if not a.ok)
        assert "already pre-checked" in loser.message
        db.session.expire_all()
        decisions = db.session.scalar(
            sa.select(sa.func.count()).where(
                MicrocredentialEvent.submission_id == submission_id,
                MicrocredentialEvent.action.in_(
                    [
                        MicrocredentialAction.SENT_TO_ASSESSORS,
                        MicrocredentialAction.RETURNED_INCOMPLETE,
                    ]
                ),
            )
        )
        assert decisions == 1
        status = db.session.get(Submission, submission_id).status
        count = db.session.scalar(
            sa.select(sa.func.count(Assessment.id)).where(Assessment.submission_id == submission_id)
        )
        assert count == (2 if status == SubmissionStatus.ASSESSING else 0)


def with_assessors(
    member: User, mc: Microcredential, admin: User
) -> tuple[Submission, dict[AssessorRole, tuple[int, int]]]:
    """A submission of `member`'s, sent to its two assessors: role → (assessment, assessor)."""
    submission = submitted(member, mc)
    assert assessment.send_to_assessors(submission, admin).ok
    pair = {
        a.role: (a.id, a.assessor_id)
        for a in db.session.scalars(
            sa.select(Assessment).where(Assessment.submission_id == submission.id)
        )
    }
    return submission, pair


def test_the_first_two_assessors_scoring_at_once_still_decide(ctx):
    people()
    admin = db.session.scalar(sa.select(User).where(User.email == "admin0@example.org"))
    mc = factories.microcredential()
    for round_ in range(ROUNDS):
        member = factories.person(f"m{round_}@example.org", name=f"Member {round_}")
        submission, pair = with_assessors(member, mc, admin)
        ids = criteria_ids(mc)
        met = round_ % 2 == 0

        answers, errors = at_once(
            ctx,
            [
                partial(score, *pair[role], ids, met)
                for role in (AssessorRole.FIRST, AssessorRole.SECOND)
            ],
        )
        assert not errors, errors[:2]
        assert all(a.result.ok for a in answers)
        db.session.expire_all()
        expected = SubmissionStatus.MET if met else SubmissionStatus.NOT_YET
        assert db.session.get(Submission, submission.id).status == expected
    kinds = db.session.scalars(sa.select(OutboxMessage.kind)).all()
    assert kinds.count("mc_awarded") == 2 and kinds.count("mc_returned") == 2


def withdraw_now(attempt_id: int, barrier: threading.Barrier) -> Result:
    attempt = db.session.get(Attempt, attempt_id)
    barrier.wait()
    return earning.withdraw(attempt, attempt.user, utcnow())


def test_a_withdrawal_and_the_deciding_score_at_once_never_deadlock(ctx):
    """The member withdraws while the second assessor sends the deciding scores: both take
    the attempt's row before the submission's, so one waits for the other (no deadlock, no
    500) and the outcome is one of the two, consistently."""
    people()
    admin = db.session.scalar(sa.select(User).where(User.email == "admin0@example.org"))
    mc = factories.microcredential()
    for round_ in range(ROUNDS):
        member = factories.person(f"w{round_}@example.org", name=f"Member {round_}")
        submission, pair = with_assessors(member, mc, admin)
        ids = criteria_ids(mc)
        first_id, first_by = pair[AssessorRole.FIRST]
        with ctx.app_context():
            assert score(first_id, first_by, ids, True, threading.Barrier(1)).result.ok
        second_id, second_by = pair[AssessorRole.SECOND]

        answers, errors = at_once(
            ctx,
            [
                partial(score, second_id, second_by, ids, True),
                partial(withdraw_now, submission.attempt_id),
            ],
        )
        assert not errors, errors[:2]
        assert len(answers) == 2
        db.session.expire_all()
        attempt = db.session.get(Attempt, submission.attempt_id)
        status = db.session.get(Submission, submission.id).status
        if attempt.status == AttemptStatus.AWARDED:
            assert status == SubmissionStatus.MET
        else:
            assert attempt.status == AttemptStatus.WITHDRAWN
            assert status == SubmissionStatus.CLOSED
