"""Micro-credentials demo data (PRODUCT §14), built on the starter catalog: member@ is
midway (her first submission came back Not yet, both assessors agreeing on one criterion,
with feedback), assessor@ has two submissions to score (driver@'s and custodian@'s), and
cook@ (Massachusetts) was awarded two micro-credentials this year, so her transcript
shows them and the Massachusetts rule's 10 PDPs. Dates are relative to today; each part
is added once (an attempt per member and micro-credential)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from esp_registry.accounts.models import Role, User
from esp_registry.columns import utcnow
from esp_registry.demo_builders import DemoAccount, demo_person, find_by
from esp_registry.extensions import db
from esp_registry.microcredentials import events, rules
from esp_registry.microcredentials.award import award
from esp_registry.microcredentials.models import (
    Assessment,
    AssessorRole,
    Attempt,
    AttemptStatus,
    Evidence,
    Microcredential,
    MicrocredentialAction,
    Score,
    Submission,
    SubmissionStatus,
    SubmittedEvidence,
)

DAY = timedelta(days=1)

# What each member wrote, per component (overview, artifact, reflection).
EVIDENCE = {
    "para-iep-collaboration": (
        "I support a fourth-grade student whose IEP has a reading fluency goal. The teacher "
        "and I meet for ten minutes every Monday; I keep a notebook of what I observe during "
        "guided reading and share it at that meeting.",
        "Communication plan: Mondays, ten minutes, the teacher and me; I bring the week's "
        "reading notes. Progress notes: 22 school days of words-per-minute counts (student "
        "anonymised as Student A).",
        "Writing the plan down made our Monday meetings shorter and more useful. Next I will "
        "ask to attend the annual IEP review.",
    ),
    "bus-student-behavior": (
        "Route 14 carries 52 students, kindergarten to eighth grade. Standing up while the "
        "bus moves worried me most; I follow up with the assistant principal.",
        "Posted expectations (photo): Sit, Speak kindly, Stay safe. Three-week log of the "
        "praise-ticket strategy: standing incidents fell from 9 in week one to 2 in week three.",
        "The younger students respond to praise tickets at once; the older ones to being "
        "asked to help. Next: a seat plan with the school for the two students who still stand.",
    ),
    "pgc-communication": (
        "I talk most with teachers and the office staff about work orders. A conversation "
        "about a flooded classroom went well because I explained the timeline; one about "
        "recycling did not, because I used jargon.",
        "A one-page notice for teachers, in English and Spanish, explaining how to request a "
        "repair and what happens next, with the replies I received.",
        "Teachers now send complete requests, so fewer repairs wait. Next I will ask the "
        "office to add the notice to the staff handbook.",
    ),
    "pgc-health-and-safety": (
        "Our kitchen follows the district's fire and lockdown procedures; burns, wet floors "
        "and blocked exits are the hazards I see most, and I report them to the manager.",
        "The completed checklist of my walk-through of the kitchen and serving line (six "
        "findings, each dated) and the work order I filed for the loose floor mat.",
        "The mat was fixed within a week and nobody slipped since. Next I will repeat the "
        "walk-through at the start of each term with a colleague.",
    ),
    "food-allergy-safe-service": (
        "Peanuts, tree nuts and milk are the allergens most common at our school; the nurse "
        "sends the kitchen a list each term, which we post in the office, never on the line.",
        "Allergen checklist covering storage, preparation and serving, and notes from the "
        "new cook I trained on it.",
        "We found two products whose labels had changed. Next I will review labels at every "
        "delivery, not once a term.",
    ),
}

NOT_YET_FEEDBACK = (
    "Your plan is clear, but the progress notes are not dated, so we cannot see progress on "
    "the IEP goal over 20 to 30 days. Add the date to each note and resubmit."
)


def _assessors() -> tuple[User, User]:
    first = demo_person(
        "assessor@example.org",
        "Grace Okafor",
        "MN",
        "paraeducators",
        "Paraeducator; NEA micro-credential assessor",
        "Minneapolis ESP",
        ((Role.ASSESSOR, None),),
    )
    second = demo_person(
        "second.assessor@example.org",
        "Samuel Ortiz",
        "CA",
        "clerical-services",
        "School Secretary; NEA micro-credential assessor",
        "San Diego ESP",
        ((Role.ASSESSOR, None),),
    )
    return first, second


def _attempt(member: User, microcredential: Microcredential, started: datetime) -> Attempt:
    attempt = Attempt(
        user=member,
        microcredential=microcredential,
        started_at=started,
        window_ends_on=rules.window_ends_on(started.date()),
    )
    db.session.add(attempt)
    db.session.flush()
    events.record(attempt, MicrocredentialAction.STARTED, member, started)
    for component, text in zip(
        microcredential.components, EVIDENCE[microcredential.slug], strict=True
    ):
        db.session.add(
            Evidence(
                attempt_id=attempt.id,
                component_id=component.id,
                text=text,
                revision=3,
                updated_at=started + 10 * DAY,
            )
        )
    return attempt


def _submit(attempt: Attempt, when: datetime, checked_by: User | None) -> Submission:
    """A submission of the attempt's evidence, pre-checked complete and with the assessors."""
    attempt.submissions_count += 1
    attempt.status = AttemptStatus.SUBMITTED
    submission = Submission(
        attempt=attempt,
        number=attempt.submissions_count,
        status=SubmissionStatus.ASSESSING,
        submitted_at=when,
        prechecked_at=when + DAY,
        prechecked_by_id=checked_by.id if checked_by else None,
    )
    for component, text in zip(
        attempt.microcredential.components, EVIDENCE[attempt.microcredential.slug], strict=True
    ):
        submission.evidence.append(SubmittedEvidence(component_id=component.id, text=text))
    db.session.add(submission)
    db.session.flush()
    events.record(
        attempt, MicrocredentialAction.SUBMITTED, attempt.user, when, submission=submission
    )
    events.record(
        attempt,
        MicrocredentialAction.SENT_TO_ASSESSORS,
        checked_by,
        when + DAY,
        submission=submission,
    )
    return submission


def _assign(submission: Submission, first: User, second: User, when: datetime) -> list[Assessment]:
    assessments = [
        Assessment(
            submission=submission, assessor_id=first.id, role=AssessorRole.FIRST, assigned_at=when
        ),
        Assessment(
            submission=submission, assessor_id=second.id, role=AssessorRole.SECOND, assigned_at=when
        ),
    ]
    db.session.add_all(assessments)
    db.session.flush()
    return assessments


def _score(
    assessment: Assessment, when: datetime, not_yet: int | None = None, feedback: str = ""
) -> None:
    """Every criterion Met, except criterion `not_yet` (its id), Not yet with feedback."""
    criteria = [
        criterion
        for component in assessment.submission.attempt.microcredential.components
        for criterion in component.criteria
    ]
    for criterion in criteria:
        met = criterion.id != not_yet
        assessment.scores.append(
            Score(criterion_id=criterion.id, met=met, feedback="" if met else feedback)
        )
    assessment.completed_at = when
    attempt = assessment.submission.attempt
    events.record(
        attempt,
        MicrocredentialAction.SCORED,
        assessment.assessor,
        when,
        submission=assessment.submission,
    )


def _catalog() -> dict[str, Microcredential]:
    return {m.slug: m for m in db.session.scalars(sa.select(Microcredential))}


def _has_attempt(member: User, microcredential: Microcredential) -> bool:
    return find_by(Attempt, user_id=member.id, microcredential_id=microcredential.id) is not None


def seed_microcredentials_demo() -> list[DemoAccount]:
    """The assessors, member@'s returned submission, assessor@'s two to score, and cook@'s
    two awards (see the module's docstring)."""
    admin = find_by(User, email="admin@example.org")
    member = find_by(User, email="member@example.org")
    driver = find_by(User, email="driver@example.org")
    custodian = find_by(User, email="custodian@example.org")
    cook = find_by(User, email="cook@example.org")
    catalog = _catalog()
    wanted = ("para-iep-collaboration", "bus-student-behavior", "pgc-communication")
    if None in (admin, member, driver, custodian, cook) or any(s not in catalog for s in wanted):
        return []  # part of the demo world: seed_demo() makes the people and catalog first
    first, second = _assessors()
    now = utcnow().replace(minute=0, second=0, microsecond=0)

    # member@: submitted five weeks ago, returned Not yet on one criterion, now revising.
    iep = catalog["para-iep-collaboration"]
    if not _has_attempt(member, iep):
        attempt = _attempt(member, iep, now - 60 * DAY)
        submission = _submit(attempt, now - 35 * DAY, admin)
        dated_notes = iep.components[1].criteria[1].id  # "progress notes are dated…"
        for assessment, day in zip(
            _assign(submission, first, second, now - 34 * DAY), (30, 28), strict=True
        ):
            _score(assessment, now - day * DAY, dated_notes, NOT_YET_FEEDBACK)
        submission.status = SubmissionStatus.NOT_YET
        submission.decided_at = now - 28 * DAY
        attempt.status = AttemptStatus.DRAFTING
        events.record(
            attempt, MicrocredentialAction.RETURNED, None, now - 28 * DAY, submission=submission
        )

    # assessor@: two submissions waiting for scores (Samuel Ortiz assesses them second).
    for who, slug, days_ago in (
        (driver, "bus-student-behavior", 6),
        (custodian, "pgc-communication", 3),
    ):
        microcredential = catalog[slug]
        if not _has_attempt(who, microcredential):
            attempt = _attempt(who, microcredential, now - (days_ago + 40) * DAY)
            submission = _submit(attempt, now - days_ago * DAY, admin)
            _assign(submission, first, second, now - (days_ago - 1) * DAY)

    # cook@ (Massachusetts): two awards this year, so 2 micro-credentials = 10 PDPs.
    this_year = datetime(now.year, 1, 1, tzinfo=UTC)
    for slug, days_ago in (("food-allergy-safe-service", 40), ("pgc-health-and-safety", 12)):
        microcredential = catalog.get(slug)
        if microcredential is None or _has_attempt(cook, microcredential):
            continue
        # In this calendar year, even in the first days of January.
        awarded_at = max(now - days_ago * DAY, this_year + (40 - days_ago) * timedelta(minutes=1))
        attempt = _attempt(cook, microcredential, awarded_at - 70 * DAY)
        submission = _submit(attempt, awarded_at - 20 * DAY, admin)
        for assessment, day in zip(
            _assign(submission, first, second, awarded_at - 19 * DAY), (8, 3), strict=True
        ):
            _score(assessment, awarded_at - day * DAY)
        submission.status = SubmissionStatus.MET
        submission.decided_at = awarded_at
        award(attempt, awarded_at)
        events.record(
            attempt, MicrocredentialAction.AWARDED, None, awarded_at, submission=submission
        )
    db.session.commit()
    return [
        DemoAccount(
            first.email, first.full_name, "micro-credential assessor: two submissions to score"
        ),
        DemoAccount(second.email, second.full_name, "micro-credential assessor (second)"),
    ]
