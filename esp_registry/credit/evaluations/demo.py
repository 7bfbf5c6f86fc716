"""The demo's evaluation: a training that ended last week, hosted by Ohio and facilitated by
facilitator@, whose evaluation is required for the certificate. Six colleagues answered
(so facilitator@ sees the totals); custodian@ attended but has not answered yet, so My
trainings asks him to before his certificate. Added once (matched by title)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering, OfferingFormat, OfferingStatus
from esp_registry.columns import utcnow
from esp_registry.credit.evaluations import rules
from esp_registry.credit.evaluations.models import Evaluation, EvaluationReceipt, QuestionKind
from esp_registry.demo_builders import (
    demo_offering,
    demo_registration,
    expect_ok,
    find_by,
    mark_present,
)
from esp_registry.extensions import db
from esp_registry.reference.models import Affiliate

TITLE = "Building Winning Teams: custodial and food-service staff together (Columbus)"
# Colleagues from the reports demo's Ohio members; their answers, in a fixed order.
ANSWERS = [
    (5, "The role-play with the principal."),
    (4, "Meeting the cafeteria team."),
    (4, ""),
    (3, "The handouts."),
    (5, "Practical examples from our own schools."),
    (4, "Working out the shift hand-over together."),
]


def seed_evaluations_demo() -> None:
    existing = find_by(Offering, title=TITLE)
    if existing is not None and find_by(Evaluation, offering_id=existing.id) is not None:
        return
    admin = find_by(User, email="admin@example.org")
    facilitator = find_by(User, email="facilitator@example.org")
    custodian = find_by(User, email="custodian@example.org")
    if admin is None or facilitator is None or custodian is None:
        return
    day = (utcnow() - timedelta(days=8)).date()
    offering = demo_offering(
        TITLE,
        "building-winning-teams",
        [("Workshop", f"{day}T09:00", f"{day}T15:00", "5")],
        timezone="America/New_York",
        venue="Columbus Education Association, 929 E Broad St, Columbus, OH",
        format=OfferingFormat.IN_PERSON,
        host_affiliate=find_by(Affiliate, code="OH"),
        status=OfferingStatus.COMPLETED,
        capacity=30,
    )
    if facilitator not in offering.facilitators:
        offering.facilitators.append(facilitator)
    colleagues = list(
        db.session.scalars(
            sa.select(User)
            .where(User.email.like("history.oh.%@example.org"))
            .order_by(User.id)
            .limit(len(ANSWERS))
        )
    )
    session = offering.sessions[0]
    registrations = {}
    for person in [custodian, *colleagues]:
        registration = demo_registration(person, offering)
        mark_present(registration, session, facilitator)
        registrations[person.id] = registration
    db.session.commit()
    result = rules.save_evaluation(offering, rules.default_questions(), True, admin)
    expect_ok(result)
    evaluation = result.subject
    for person, (rating, text) in zip(colleagues, ANSWERS, strict=False):
        registration = registrations[person.id]
        if find_by(EvaluationReceipt, registration_id=registration.id) is not None:
            continue
        ratings = {
            q.id: max(1, rating - n % 2)
            for n, q in enumerate(evaluation.questions)
            if q.kind == QuestionKind.RATING
        }
        texts = {q.id: text for q in evaluation.questions[3:4]}
        expect_ok(rules.submit_answers(registration, evaluation, ratings, texts))
