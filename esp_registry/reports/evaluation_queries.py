"""The Evaluations report (PRODUCT §13), aggregated in SQL: per program and per offering,
how many answered and the mean of each rating question — numbers only where at least 5
people answered, as on the facilitator's page.

Answers are not linked to members, so the report's scope is the offering's host affiliate
(an approver sees the trainings their affiliate hosted), not the members' affiliates, and
the job-family filter does not apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from esp_registry.catalog.models import Offering, Session
from esp_registry.credit.evaluations.models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationReceipt,
)
from esp_registry.credit.evaluations.rules import SHOW_FROM
from esp_registry.extensions import db
from esp_registry.reference.models import Program
from esp_registry.registrations.models import Registration
from esp_registry.reports.queries import Filters


@dataclass(frozen=True)
class QuestionMean:
    prompt: str
    answers: int
    mean: Decimal


@dataclass
class EvaluationRow:
    key: int
    label: str
    answered: int
    mean: Decimal | None = None  # of every rating answer, for the chart
    questions: list[QuestionMean] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.answered >= SHOW_FROM


def _mean(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"))


def _offerings_in(f: Filters) -> sa.Select[Any]:
    """The ids of the offerings the filters and the scope let through."""
    span = (
        sa.select(Session.offering_id, sa.func.min(Session.starts_at).label("starts_at"))
        .group_by(Session.offering_id)
        .subquery("span")
    )
    query = (
        sa.select(Offering.id)
        .join(span, span.c.offering_id == Offering.id)
        .where(
            span.c.starts_at >= datetime(f.year_from, 1, 1, tzinfo=UTC),
            span.c.starts_at < datetime(f.year_to + 1, 1, 1, tzinfo=UTC),
        )
    )
    if f.program_id:
        query = query.where(Offering.program_id == f.program_id)
    if f.format:
        query = query.where(Offering.format == f.format)
    if f.scope is not None:
        query = query.where(Offering.host_affiliate_id.in_(f.scope or {-1}))
    return query


def evaluations_by(f: Filters, dimension: str) -> list[EvaluationRow]:
    """One row per program (its own evaluation, over its offerings) or per offering (the
    evaluation it used), most answers first; three GROUP BY queries in all."""
    offerings = _offerings_in(f)
    by_program = dimension == "program"
    key = Offering.program_id if by_program else Offering.id
    label = Program.name if by_program else Offering.title
    answered_query = (
        sa.select(key, label, sa.func.count())
        .select_from(EvaluationReceipt)
        .join(Registration, Registration.id == EvaluationReceipt.registration_id)
        .join(Offering, Offering.id == Registration.offering_id)
        .join(Evaluation, Evaluation.id == EvaluationReceipt.evaluation_id)
        .where(Offering.id.in_(offerings))
        .group_by(key, label)
    )
    if by_program:
        answered_query = answered_query.join(Program, Program.id == Offering.program_id).where(
            Evaluation.program_id.is_not(None)
        )
    rows = {k: EvaluationRow(k, name, n) for k, name, n in db.session.execute(answered_query)}
    shown = [k for k, row in rows.items() if row.shown]
    if shown:
        ratings = (
            sa.select(
                key,
                EvaluationQuestion.position,
                EvaluationQuestion.prompt,
                sa.func.count(EvaluationAnswer.rating),
                sa.func.avg(EvaluationAnswer.rating),
            )
            .select_from(EvaluationAnswer)
            .join(EvaluationQuestion, EvaluationQuestion.id == EvaluationAnswer.question_id)
            .join(Evaluation, Evaluation.id == EvaluationQuestion.evaluation_id)
            .join(Offering, Offering.id == EvaluationAnswer.offering_id)
            .where(
                EvaluationAnswer.rating.is_not(None),
                Offering.id.in_(offerings),
                key.in_(shown),
            )
            .group_by(
                key, EvaluationQuestion.id, EvaluationQuestion.position, EvaluationQuestion.prompt
            )
            .order_by(key, EvaluationQuestion.position)
        )
        overall = (
            sa.select(key, sa.func.avg(EvaluationAnswer.rating))
            .select_from(EvaluationAnswer)
            .join(EvaluationQuestion, EvaluationQuestion.id == EvaluationAnswer.question_id)
            .join(Evaluation, Evaluation.id == EvaluationQuestion.evaluation_id)
            .join(Offering, Offering.id == EvaluationAnswer.offering_id)
            .where(
                EvaluationAnswer.rating.is_not(None),
                Offering.id.in_(offerings),
                key.in_(shown),
            )
            .group_by(key)
        )
        if by_program:
            ratings = ratings.where(Evaluation.program_id.is_not(None))
            overall = overall.where(Evaluation.program_id.is_not(None))
        for k, _position, prompt, n, mean in db.session.execute(ratings):
            rows[k].questions.append(QuestionMean(prompt, n, _mean(mean)))
        for k, mean in db.session.execute(overall):
            rows[k].mean = _mean(mean)
    return sorted(rows.values(), key=lambda r: (-r.answered, r.label, r.key))
