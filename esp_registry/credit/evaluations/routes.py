"""Evaluations: staff set them up and read the aggregates; members answer once."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from esp_registry.access import (
    facilitated_offerings_query,
    load_or_404,
    may_answer_evaluation,
    may_open_evaluations,
    may_remove_evaluation,
    may_see_evaluation_results,
    may_set_up_offering_evaluation,
    may_set_up_program_evaluation,
)
from esp_registry.attendance.rules import credited_hours
from esp_registry.catalog.models import Offering
from esp_registry.columns import utcnow
from esp_registry.credit.evaluations import rules
from esp_registry.credit.evaluations.forms import (
    SetupForm,
    answer_form_for,
    answers_of,
    drafts_of,
)
from esp_registry.credit.evaluations.models import Evaluation
from esp_registry.extensions import db
from esp_registry.paging import more_rows, page_request, paginate
from esp_registry.reference.models import Program
from esp_registry.registrations.models import Registration

bp = Blueprint("evaluations", __name__, url_prefix="/evaluations")

PAGE_SIZE = 25


@bp.get("/")
@login_required
def index() -> str:
    """The offerings this person facilitates or manages, with their evaluation; for
    national admins also the programs (an evaluation for all of a program's offerings)."""
    if not may_open_evaluations(current_user):
        abort(404)
    offerings = paginate(
        facilitated_offerings_query(current_user).options(
            joinedload(Offering.program), selectinload(Offering.sessions)
        ),
        Offering.created_at.desc(),
        Offering.id.desc(),
        size=PAGE_SIZE,
        at=page_request("offering-rows"),
    )
    programs = None
    if current_user.is_national_admin:
        programs = paginate(
            sa.select(Program),
            Program.name,
            Program.id,
            size=PAGE_SIZE,
            at=page_request("program-rows", "p"),
        )
    program_ids = {o.program_id for o in offerings.items} | {
        p.id for p in (programs.items if programs else [])
    }
    found = db.session.scalars(
        sa.select(Evaluation)
        .options(selectinload(Evaluation.questions))
        .where(
            sa.or_(
                Evaluation.offering_id.in_([o.id for o in offerings.items]),
                Evaluation.program_id.in_(program_ids),
            )
        )
    ).all()
    if offerings.more or (programs is not None and programs.more):
        rows_id, rows = (
            ("offering-rows", offerings) if offerings.more else ("program-rows", programs)
        )
        return more_rows(
            f"credit/evaluations/_{rows_id.replace('-', '_')}.html",
            rows_id,
            rows,
            offerings=offerings,
            programs=programs,
            by_offering={e.offering_id: e for e in found if e.offering_id},
            by_program={e.program_id: e for e in found if e.program_id},
            may_set_up=may_set_up_offering_evaluation,
        )
    by_offering = {e.offering_id: e for e in found if e.offering_id}
    by_program = {e.program_id: e for e in found if e.program_id}
    return render_template(
        "credit/evaluations/index.html",
        offerings=offerings,
        programs=programs,
        by_offering=by_offering,
        by_program=by_program,
        may_set_up=may_set_up_offering_evaluation,
    )


def _setup(target: Program | Offering, current: Evaluation | None, inherited: Evaluation | None):  # type: ignore[no-untyped-def]
    form = SetupForm()
    result = None
    answered = rules.answers_given(current) if current is not None else 0
    if request.method == "GET":
        source = current or inherited
        if source is not None:
            form.fill(drafts_of(source), source.required_for_certificate)
        else:
            form.fill(rules.default_questions(), False)
    elif form.validate_on_submit():
        # Once answered, the questions are shown disabled (not sent): keep them as they are.
        drafts = drafts_of(current) if answered and current is not None else form.drafts()
        result = rules.save_evaluation(
            target, drafts, form.required_for_certificate.data, current_user
        )
        if result.ok:
            flash(result.message, "success")
            return redirect(request.path)
    if answered and current is not None:
        form.fill(drafts_of(current), form.required_for_certificate.data)
    return render_template(
        "credit/evaluations/setup.html",
        form=form,
        target=target,
        is_program=isinstance(target, Program),
        current=current,
        inherited=inherited,
        answered=answered,
        result=result,
    ), (422 if request.method == "POST" else 200)


def _evaluation_of(**where: int) -> Evaluation | None:
    return db.session.scalars(sa.select(Evaluation).filter_by(**where)).first()


@bp.route("/programs/<int:program_id>/setup", methods=["GET", "POST"])
@login_required
def setup_program(program_id: int):  # type: ignore[no-untyped-def]
    program = load_or_404(Program, program_id, may_set_up_program_evaluation)
    return _setup(program, _evaluation_of(program_id=program.id), None)


@bp.route("/offerings/<int:offering_id>/setup", methods=["GET", "POST"])
@login_required
def setup_offering(offering_id: int):  # type: ignore[no-untyped-def]
    offering = load_or_404(Offering, offering_id, may_set_up_offering_evaluation)
    current = _evaluation_of(offering_id=offering.id)
    inherited = _evaluation_of(program_id=offering.program_id)
    return _setup(offering, current, inherited)


@bp.post("/<int:evaluation_id>/remove")
@login_required
def remove(evaluation_id: int) -> Response:
    evaluation = load_or_404(Evaluation, evaluation_id, may_remove_evaluation)
    back = (
        url_for("evaluations.setup_offering", offering_id=evaluation.offering_id)
        if evaluation.offering_id
        else url_for("evaluations.setup_program", program_id=evaluation.program_id)
    )
    result = rules.remove_evaluation(evaluation)
    flash(result.message, result.tone)
    return redirect(back)


@bp.get("/offerings/<int:offering_id>/results")
@login_required
def results(offering_id: int) -> str:
    offering = load_or_404(Offering, offering_id, may_see_evaluation_results)
    # Every free-text question has its own "Show more" (#text-rows-<question id>).
    target = request.headers.get("HX-Target", "")
    rows_id = target if target.startswith("text-rows-") else "text-rows"
    found = rules.offering_results(offering, page_request(rows_id))
    question_id = rows_id.removeprefix("text-rows-")
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    plain = re.fullmatch(r"[0-9]{1,9}", question_id) is not None
    more = found.texts.get(int(question_id)) if plain else None
    if more is not None and more.more:
        return more_rows("credit/evaluations/_text_rows.html", rows_id, more)
    return render_template(
        "credit/evaluations/results.html",
        offering=offering,
        results=found,
        show_from=rules.SHOW_FROM,
        may_set_up=may_set_up_offering_evaluation(current_user, offering),
    )


@bp.route("/registrations/<int:registration_id>", methods=["GET", "POST"])
@login_required
def answer(registration_id: int) -> tuple[str, int] | Response:
    """The member's evaluation of a training they attended; once only."""
    registration = load_or_404(Registration, registration_id, may_answer_evaluation)
    evaluation = rules.evaluation_for(registration.offering)
    if evaluation is None:
        abort(404)
    hours = credited_hours([registration.id]).get(registration.id)
    state = rules.evaluation_states([registration.id]).get(registration.id)
    decision = rules.may_answer(registration, hours, state, utcnow())
    form = answer_form_for(evaluation)
    result = None
    if decision.allowed and form.validate_on_submit():
        ratings, texts = answers_of(form, evaluation)
        result = rules.submit_answers(registration, evaluation, ratings, texts)
        flash(result.message, result.tone)
        return redirect(url_for("registrations.my_trainings"))
    if request.method == "POST" and not decision.allowed:
        flash(decision.reason, "info")
        return redirect(url_for("registrations.my_trainings"))
    return render_template(
        "credit/evaluations/answer.html",
        form=form,
        evaluation=evaluation,
        registration=registration,
        decision=decision,
        state=state,
    ), (422 if request.method == "POST" else 200)
