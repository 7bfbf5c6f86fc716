"""Pre-check and assessment pages (PRODUCT §14): load, check (access.py), call one rule,
render. National admins pre-check and (re)assign; assessors score what is assigned to them."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from esp_registry.access import (
    load_or_404,
    may_assess_microcredentials,
    may_precheck_microcredential_submission,
    may_precheck_microcredentials,
    may_reassign_microcredential_assessment,
    may_score_microcredential_assessment,
)
from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.microcredentials import assess_queries as queries
from esp_registry.microcredentials import assessment
from esp_registry.microcredentials.assess_forms import (
    PrecheckForm,
    ReassignForm,
    given_of,
    score_form_for,
)
from esp_registry.microcredentials.models import Assessment, Submission, SubmissionStatus
from esp_registry.paging import more_rows, page_request
from esp_registry.results import refused
from esp_registry.web import page_language

bp = Blueprint("mc_assessment", __name__, url_prefix="/microcredentials/assess")

SEARCH_MAX = 100


def evidence_file_url(submitted_evidence_id: int) -> str:
    """The frozen file's address, served by the member side's route (same checks)."""
    return f"{request.script_root}/microcredentials/evidence/{submitted_evidence_id}/file"


@bp.app_context_processor
def _evidence_links() -> dict:
    return {"mc_evidence_file_url": evidence_file_url}


# ---------------------------------------------------------------------------- pre-check


def _queue_status() -> SubmissionStatus:
    value = request.args.get("status", "")
    statuses = {s.value for s in queries.QUEUE_STATUSES}
    return SubmissionStatus(value) if value in statuses else SubmissionStatus.PRECHECK


@bp.get("/precheck")
@login_required
def precheck_queue() -> str:
    if not may_precheck_microcredentials(current_user):
        abort(404)
    search = request.args.get("q", "")[:SEARCH_MAX].strip()
    status = _queue_status()
    rows = queries.precheck_queue(status, search, page_request("precheck-rows"))
    if rows.more:
        return more_rows(
            "microcredentials/assess/_precheck_rows.html", "precheck-rows", rows, rows=rows
        )
    return render_template(
        "microcredentials/assess/precheck_queue.html", rows=rows, search=search, status=status
    )


def _load_submission(submission_id: int) -> Submission:
    return load_or_404(
        Submission,
        submission_id,
        may_precheck_microcredential_submission,
        options=queries.PAGE_OPTIONS,
    )


def _submission_page(
    submission: Submission, form: PrecheckForm | None = None, status: int = 200
) -> tuple[str, int]:
    exclude = {a.assessor_id for a in submission.assessments} | {submission.attempt.user_id}
    unfinished = [a for a in submission.assessments if a.completed_at is None]
    choices = queries.assessor_choices(exclude) if unfinished else []
    return render_template(
        "microcredentials/assess/submission.html",
        submission=submission,
        attempt=submission.attempt,
        evidence=queries.evidence_by_component(submission),
        form=form or PrecheckForm(formdata=None),
        choices=choices,
        events=queries.events_of(submission),
        needs_lead=submission.status == SubmissionStatus.LEAD
        and not any(a.role.value == "lead" for a in submission.assessments),
    ), status


@bp.get("/submissions/<int:submission_id>")
@login_required
def submission_page(submission_id: int) -> tuple[str, int]:
    return _submission_page(_load_submission(submission_id))


@bp.post("/submissions/<int:submission_id>/precheck")
@login_required
def precheck(submission_id: int) -> tuple[str, int] | Response:
    submission = _load_submission(submission_id)
    form = PrecheckForm()
    if not form.validate():
        return _submission_page(submission, form, 422)
    decision = request.form.get("decision")
    if decision not in ("complete", "incomplete"):
        abort(400)  # the page's two buttons send one of these; nothing else decides
    if decision == "complete":
        result = assessment.send_to_assessors(submission, current_user)
    else:
        result = assessment.return_incomplete(submission, current_user, form.note.data or "")
        if not result.ok and submission.status == SubmissionStatus.PRECHECK:
            form.note.errors = [*form.note.errors, result.message]
            return _submission_page(submission, form, 422)
    flash(result.message, result.tone)
    return redirect(url_for("mc_assessment.submission_page", submission_id=submission_id))


@bp.post("/submissions/<int:submission_id>/lead")
@login_required
def assign_lead(submission_id: int) -> Response:
    submission = _load_submission(submission_id)
    result = assessment.assign_lead_now(submission, current_user)
    flash(result.message, result.tone)
    return redirect(url_for("mc_assessment.submission_page", submission_id=submission_id))


@bp.post("/assessments/<int:assessment_id>/reassign")
@login_required
def reassign(assessment_id: int) -> Response:
    found = load_or_404(Assessment, assessment_id, may_reassign_microcredential_assessment)
    form = ReassignForm()
    exclude = {a.assessor_id for a in found.submission.assessments}
    form.assessor_id.choices = [
        (user.id, user.full_name)
        for user, _n in queries.assessor_choices(exclude | {found.submission.attempt.user_id})
    ]
    if form.validate():
        to = db.session.get(User, form.assessor_id.data)
        assert to is not None  # a choice offered is an existing assessor
        result = assessment.reassign(found, to, current_user)
    else:
        result = refused(_("Choose an assessor from the list."))
    flash(result.message, result.tone)
    return redirect(url_for("mc_assessment.submission_page", submission_id=found.submission_id))


# ---------------------------------------------------------------------------- assessors


@bp.get("/mine")
@login_required
def mine() -> str:
    if not may_assess_microcredentials(current_user):
        abort(404)
    rows = queries.my_assessments(current_user, page_request("assessment-rows"))
    if rows.more:
        return more_rows(
            "microcredentials/assess/_mine_rows.html", "assessment-rows", rows, rows=rows
        )
    return render_template("microcredentials/assess/mine.html", rows=rows)


@bp.route("/assessments/<int:assessment_id>", methods=["GET", "POST"])
@login_required
def score(assessment_id: int) -> tuple[str, int] | Response:
    found = load_or_404(
        Assessment,
        assessment_id,
        may_score_microcredential_assessment,
        options=queries.ASSESSMENT_OPTIONS,
    )
    submission = found.submission
    criteria = assessment.criteria_of(submission.attempt.microcredential)
    form = score_form_for(criteria, page_language())
    status = 200
    if request.method == "POST":
        if form.validate():
            scored = assessment.submit_scores(
                found, current_user, given_of(form, criteria), form.comment.data or ""
            )
            if scored.result.ok or not scored.errors:
                flash(scored.result.message, scored.result.tone)
                return redirect(url_for("mc_assessment.score", assessment_id=assessment_id))
            _show_errors(form, scored.errors)
        else:
            # Shape first; the rules' own (feedback for Not yet) at the same time.
            problems = assessment.score_problems(criteria, given_of(form, criteria), "")
            _show_errors(form, {k: v for k, v in problems.items() if k != "comment"})
        status = 422
    return render_template(
        "microcredentials/assess/score.html",
        assessment=found,
        submission=submission,
        attempt=submission.attempt,
        evidence=queries.evidence_by_component(submission),
        form=form,
        mine=queries.scores_by_criterion(found),
        others=assessment.visible_assessments(submission, found),
    ), status


def _show_errors(form: object, errors: dict) -> None:
    """A rule's errors next to their fields: a criterion's on its choice (or its feedback
    when the choice is made), the comment's on the comment."""
    for key, message in errors.items():
        if key == "comment":
            field = form["comment"]  # type: ignore[index]
        else:
            choice = form[f"c{key}"]  # type: ignore[index]
            if not choice.data and choice.errors:
                continue  # the form already says "choose"
            field = form[f"f{key}"] if choice.data else choice  # type: ignore[index]
        if message not in field.errors:
            field.errors = [*field.errors, message]
