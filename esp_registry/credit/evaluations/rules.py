"""Post-training evaluations (PRODUCT §13): "an optional short post-training survey per
offering or program; may be required before the certificate; anonymous to facilitators
(aggregates from 5 answers)"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering
from esp_registry.certificates.rules import may_download_certificate
from esp_registry.columns import utcnow
from esp_registry.credit.evaluations.models import (
    LABEL_MAX,
    MAX_QUESTIONS,
    PROMPT_MAX,
    RATING_MAX,
    RATING_MIN,
    TEXT_ANSWER_MAX,
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationReceipt,
    QuestionKind,
)
from esp_registry.extensions import db
from esp_registry.paging import Page, PageRequest, paginate
from esp_registry.reference.models import Program
from esp_registry.registrations.models import Registration
from esp_registry.results import ALLOWED, Decision, Result, done, not_now, refused

# Fewer answers than this and staff see only how many answered: with 2 or 3 answers a
# facilitator could tell who said what.
SHOW_FROM = 5
TEXT_PAGE_SIZE = 25


@dataclass(frozen=True)
class QuestionDraft:
    """A question as staff typed it, before it is saved."""

    kind: QuestionKind
    prompt: str
    low_label: str = ""
    high_label: str = ""


def default_questions() -> list[QuestionDraft]:
    """What a new evaluation starts from, so staff do not start from nothing."""
    useful = (_("Not at all useful"), _("Very useful"))
    return [
        QuestionDraft(
            QuestionKind.RATING, _("How useful was this training for your job?"), *useful
        ),
        QuestionDraft(
            QuestionKind.RATING,
            _("How well did the facilitator explain the content?"),
            _("Not at all well"),
            _("Very well"),
        ),
        QuestionDraft(
            QuestionKind.RATING,
            _("How likely are you to use what you learned in the next month?"),
            _("Not at all likely"),
            _("Very likely"),
        ),
        QuestionDraft(QuestionKind.TEXT, _("What was the most useful part?")),
        QuestionDraft(QuestionKind.TEXT, _("What should we change next time?")),
    ]


# ---------------------------------------------------------------------------- which evaluation


def evaluation_for(offering: Offering) -> Evaluation | None:
    """The offering's own evaluation, else its program's (one query, questions loaded)."""
    return db.session.scalars(
        sa.select(Evaluation)
        .where(
            sa.or_(
                Evaluation.offering_id == offering.id,
                Evaluation.program_id == offering.program_id,
            )
        )
        .options(selectinload(Evaluation.questions))
        .order_by(Evaluation.offering_id.is_(None))  # the offering's own first
        .limit(1)
    ).first()


@dataclass(frozen=True)
class EvaluationState:
    """What My trainings needs to know of one registration's evaluation."""

    evaluation_id: int
    required: bool
    answered: bool

    @property
    def owed(self) -> bool:
        return self.required and not self.answered


def evaluation_states(registration_ids: list[int]) -> dict[int, EvaluationState]:
    """For each of these registrations whose training has an evaluation: which one,
    whether it is required for the certificate, and whether the member answered — in one
    query, however many registrations (My trainings and the transcript loop over them)."""
    if not registration_ids:
        return {}
    own = aliased(Evaluation)
    programs = aliased(Evaluation)
    rows = db.session.execute(
        sa.select(
            Registration.id,
            own.id,
            own.required_for_certificate,
            programs.id,
            programs.required_for_certificate,
            EvaluationReceipt.registration_id,
        )
        .join(Offering, Offering.id == Registration.offering_id)
        .outerjoin(own, own.offering_id == Offering.id)
        .outerjoin(programs, programs.program_id == Offering.program_id)
        .outerjoin(EvaluationReceipt, EvaluationReceipt.registration_id == Registration.id)
        .where(
            Registration.id.in_(registration_ids),
            sa.or_(own.id.is_not(None), programs.id.is_not(None)),
        )
    )
    states = {}
    for registration_id, own_id, own_required, program_id, program_required, receipt in rows:
        evaluation_id, required = (
            (own_id, own_required) if own_id is not None else (program_id, program_required)
        )
        states[registration_id] = EvaluationState(
            evaluation_id, bool(required), receipt is not None
        )
    return states


def owes_evaluation(registration_id: Any, offering_id: Any, program_id: Any) -> Any:
    """The same rule as `evaluation_states(...)` + `owed`, as an SQL condition on a
    registration's columns, for queries over many members (required trainings): its
    training's own evaluation, else its program's, is required and not yet answered."""
    own = (
        sa.select(Evaluation.required_for_certificate)
        .where(Evaluation.offering_id == offering_id)
        .scalar_subquery()
    )
    programs = (
        sa.select(Evaluation.required_for_certificate)
        .where(Evaluation.program_id == program_id)
        .scalar_subquery()
    )
    answered = sa.exists().where(EvaluationReceipt.registration_id == registration_id)
    return sa.and_(sa.func.coalesce(own, programs, sa.false()), sa.not_(answered))


def owed(states: dict[int, EvaluationState]) -> set[int]:
    """The registrations whose certificate waits for an answer."""
    return {registration_id for registration_id, state in states.items() if state.owed}


def may_answer(
    registration: Registration, hours: Decimal | None, state: EvaluationState | None, now: datetime
) -> Decision:
    """A confirmed member with credited hours answers once the training has ended (the
    certificate's own conditions), once per registration."""
    if state is None:
        return not_now(_("This training has no evaluation."), "none")
    if state.answered:
        return not_now(_("You have already answered this evaluation. Thank you!"), "answered")
    decision = may_download_certificate(registration, hours, now, evaluation_owed=False)
    if not decision.allowed:
        if decision.code == "not_ended":
            return not_now(
                _("You can answer the evaluation once the training has ended."), "not_ended"
            )
        return not_now(
            _("Only members who attended the training answer its evaluation."), "nothing"
        )
    return ALLOWED


def submit_answers(
    registration: Registration,
    evaluation: Evaluation,
    ratings: dict[int, int],
    texts: dict[int, str],
) -> Result:
    """Record that the member answered (for the certificate) and, apart, their answers
    (for the aggregates), in one transaction; a second submission is refused politely.
    Every rating question needs a rating from 1 to 5; free text is optional."""
    answers = []
    for question in evaluation.questions:
        if question.kind == QuestionKind.RATING:
            value = ratings.get(question.id)
            if value is None or not RATING_MIN <= value <= RATING_MAX:
                return refused(_("Choose a rating from 1 to 5 for every question."))
            answers.append(
                EvaluationAnswer(
                    offering_id=registration.offering_id, question_id=question.id, rating=value
                )
            )
        else:
            text = (texts.get(question.id) or "").strip()
            if len(text) > TEXT_ANSWER_MAX:
                return refused(_("Keep each answer under %(n)d characters.", n=TEXT_ANSWER_MAX))
            if text:
                answers.append(
                    EvaluationAnswer(
                        offering_id=registration.offering_id, question_id=question.id, text=text
                    )
                )
    db.session.add(EvaluationReceipt(registration_id=registration.id, evaluation_id=evaluation.id))
    try:
        db.session.flush()  # the receipt first: a second submission stops here
        db.session.add_all(answers)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return refused(_("You have already answered this evaluation. Thank you!"))
    return done(_("Thank you for answering the evaluation."))


# ---------------------------------------------------------------------------- set-up


def answers_given(evaluation: Evaluation) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(EvaluationReceipt.evaluation_id == evaluation.id)
        )
        or 0
    )


def draft_problems(drafts: list[QuestionDraft]) -> list[str]:
    """What is wrong with a set of questions, in words for staff; empty when they may be saved."""
    problems = []
    if not drafts:
        problems.append(_("Add at least one question."))
    if len(drafts) > MAX_QUESTIONS:
        problems.append(_("Keep the evaluation to %(n)d questions or fewer.", n=MAX_QUESTIONS))
    for draft in drafts:
        if (
            len(draft.prompt) > PROMPT_MAX
            or max(len(draft.low_label), len(draft.high_label)) > LABEL_MAX
        ):
            problems.append(_("A question or label is too long."))
            break
        if draft.kind == QuestionKind.RATING and not (draft.low_label and draft.high_label):
            problems.append(_("Give both ends of every rating question a label."))
            break
    return problems


def _same_questions(evaluation: Evaluation, drafts: list[QuestionDraft]) -> bool:
    saved = [
        QuestionDraft(q.kind, q.prompt, q.low_label, q.high_label) for q in evaluation.questions
    ]
    return saved == drafts


def save_evaluation(
    target: Program | Offering,
    drafts: list[QuestionDraft],
    required: bool,
    by: User,
    now: datetime | None = None,
) -> Result:
    """Create or change the evaluation of a program (all its offerings) or of one offering
    (replacing the program's there). Once someone has answered, its questions stay as they
    are (the aggregates would mix answers to different questions); "required for the
    certificate" may still change."""
    problems = draft_problems(drafts)
    if problems:
        return refused(" ".join(problems))
    is_program = isinstance(target, Program)
    evaluation = db.session.scalars(
        sa.select(Evaluation)
        .where((Evaluation.program_id if is_program else Evaluation.offering_id) == target.id)
        .options(selectinload(Evaluation.questions))
    ).first()
    if evaluation is None:
        evaluation = Evaluation(
            program_id=target.id if is_program else None,
            offering_id=None if is_program else target.id,
        )
        db.session.add(evaluation)
    elif not _same_questions(evaluation, drafts) and answers_given(evaluation):
        return refused(_("People have already answered, so the questions cannot change any more."))
    if evaluation.id is None or not _same_questions(evaluation, drafts):
        evaluation.questions.clear()
        db.session.flush()  # the old positions go before the new ones take them
        evaluation.questions.extend(
            EvaluationQuestion(
                position=n,
                kind=d.kind,
                prompt=d.prompt,
                low_label=d.low_label,
                high_label=d.high_label,
            )
            for n, d in enumerate(drafts, start=1)
        )
    evaluation.required_for_certificate = required
    evaluation.updated_at = now or utcnow()
    evaluation.updated_by_id = by.id
    try:
        db.session.commit()
    except IntegrityError:  # set up at the same moment by someone else
        db.session.rollback()
        return refused(_("Someone else saved this evaluation at the same time. Please try again."))
    return done(_("The evaluation is saved."), evaluation)


def remove_evaluation(evaluation: Evaluation) -> Result:
    """An evaluation nobody has answered yet may be removed (a training's own then falls
    back to its program's); once answered it stays, so the totals and the certificates
    it gated keep their meaning — it can be made optional instead."""
    if answers_given(evaluation):
        return refused(
            _("People have already answered, so this evaluation stays. You can make it optional.")
        )
    db.session.delete(evaluation)
    db.session.commit()
    return done(_("The evaluation is removed."))


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class RatingResult:
    question: EvaluationQuestion
    counts: dict[int, int]  # rating → how many gave it
    mean: Decimal | None  # to one decimal place

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class OfferingResults:
    evaluation: Evaluation | None
    answered: int
    ratings: list[RatingResult] = field(default_factory=list)
    texts: dict[int, Page[EvaluationAnswer]] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.answered >= SHOW_FROM


SHOW_FROM_MESSAGE = _l("Results appear once %(n)d people have answered (%(so_far)d so far).")


def offering_results(offering: Offering, text_page: PageRequest | None = None) -> OfferingResults:
    """How many answered the offering's evaluation and, from 5 answers on, per rating
    question the count per value and the mean, and the free-text answers in the order of
    their random ids (stable, but not the order people answered); aggregated in SQL."""
    evaluation = evaluation_for(offering)
    if evaluation is None:
        return OfferingResults(None, 0)
    answered = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(EvaluationReceipt)
            .join(Registration, Registration.id == EvaluationReceipt.registration_id)
            .where(
                EvaluationReceipt.evaluation_id == evaluation.id,
                Registration.offering_id == offering.id,
            )
        )
        or 0
    )
    results = OfferingResults(evaluation, answered)
    if not results.shown:
        return results
    counts: dict[int, dict[int, int]] = {}
    for question_id, rating, n in db.session.execute(
        sa.select(EvaluationAnswer.question_id, EvaluationAnswer.rating, sa.func.count())
        .where(EvaluationAnswer.offering_id == offering.id, EvaluationAnswer.rating.is_not(None))
        .group_by(EvaluationAnswer.question_id, EvaluationAnswer.rating)
    ):
        counts.setdefault(question_id, {})[rating] = n
    for question in evaluation.questions:
        if question.kind != QuestionKind.RATING:
            continue
        per_value = {
            v: counts.get(question.id, {}).get(v, 0) for v in range(RATING_MIN, RATING_MAX + 1)
        }
        total = sum(per_value.values())
        mean = (
            (Decimal(sum(v * n for v, n in per_value.items())) / total).quantize(Decimal("0.1"))
            if total
            else None
        )
        results.ratings.append(RatingResult(question, per_value, mean))
    texts = [q for q in evaluation.questions if q.kind == QuestionKind.TEXT]
    for question in texts:
        query = sa.select(EvaluationAnswer).where(
            EvaluationAnswer.offering_id == offering.id,
            EvaluationAnswer.question_id == question.id,
            EvaluationAnswer.text.is_not(None),
        )
        # One pager for the page: every free-text question turns its page together.
        results.texts[question.id] = paginate(
            query, EvaluationAnswer.id, size=TEXT_PAGE_SIZE, at=text_page
        )
    return results
