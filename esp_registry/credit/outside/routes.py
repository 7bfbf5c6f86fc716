"""Outside PD credit pages (PRODUCT §13): load, check (access.py), call one rule, render.

The two forms that carry a file post as plain multipart forms and redirect. They raise the
request-size limit for themselves only (10 MB and a little for the other fields), before
anything reads the body (the CSRF check and the NUL-byte guard do, ahead of any view), so
every other form keeps the app's own limit; a body too large is answered with the form
again and a message next to the file field, not the server's bare 413.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from esp_registry.access import (
    load_or_404,
    may_decide_outside_training,
    may_own_outside_training,
    may_review_outside_training,
    may_see_outside_training,
    outside_training_scope,
)
from esp_registry.columns import utcnow
from esp_registry.credit.outside import queries, rules
from esp_registry.credit.outside.forms import DecisionForm, OutsideTrainingForm
from esp_registry.credit.outside.models import OutsideKind, OutsideStatus, OutsideTraining
from esp_registry.files import checks
from esp_registry.files.serving import stored_file
from esp_registry.paging import more_rows, page_request

bp = Blueprint("outside", __name__, url_prefix="/credit/outside")

UPLOAD_LIMIT = checks.MAX_BYTES + 256 * 1024  # the file and the form's other fields
SEARCH_MAX = 100


def _show_errors(form: OutsideTrainingForm | DecisionForm, errors: dict[str, str]) -> list:
    """Put a rule's errors next to their fields; those of no field come back for the summary."""
    general = []
    for name, message in errors.items():
        if name in form._fields:
            if message not in form[name].errors:
                form[name].errors = [*form[name].errors, message]
        else:
            general.append(("", message))
    return general


UPLOADS = {"outside.new", "outside.complete"}


@bp.url_value_preprocessor
def upload_limit(endpoint: str | None, _values: dict | None) -> None:
    # Runs before every before_request hook, so before anything reads the body.
    if endpoint in UPLOADS:
        request.max_content_length = UPLOAD_LIMIT


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    """An upload over the limit: its form again, with the message at the file field."""
    if request.endpoint == "outside.complete" and current_user.is_authenticated:
        training_id = (request.view_args or {}).get("training_id", 0)
        pre_approval = load_or_404(OutsideTraining, training_id, may_own_outside_training)
        return _too_large(OutsideKind.COMPLETED, pre_approval)
    if request.endpoint == "outside.new" and current_user.is_authenticated:
        return _too_large(_kind(body=False))  # the body is not read: it is too large
    abort(413)


# ---------------------------------------------------------------------------- member


@bp.get("/")
@login_required
def mine() -> str:
    at = page_request("outside-rows")
    found = queries.member_requests(current_user, at)
    if found.rows.more:
        return more_rows("credit/outside/_mine_rows.html", "outside-rows", found.rows, found=found)
    return render_template("credit/outside/mine.html", found=found)


def _kind(body: bool = True) -> OutsideKind:
    """Which form: from the query string, or a field of the posted form (`body`)."""
    kind = (request.values if body else request.args).get("kind", "")
    return OutsideKind.PRE_APPROVAL if kind == OutsideKind.PRE_APPROVAL else OutsideKind.COMPLETED


def _form_page(
    form: OutsideTrainingForm,
    kind: OutsideKind,
    *,
    pre_approval: OutsideTraining | None = None,
    general: list | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return render_template(
        "credit/outside/form.html",
        form=form,
        kind=kind,
        pre_approval=pre_approval,
        general=general or [],
        today=utcnow().date(),
    ), status


def _too_large(kind: OutsideKind, pre_approval: OutsideTraining | None = None) -> tuple[str, int]:
    form = OutsideTrainingForm(formdata=None)
    if pre_approval is not None:
        _fill_from(form, pre_approval)
    form.proof.errors = [str(checks.TOO_BIG)]
    return _form_page(form, kind, pre_approval=pre_approval, status=413)


def _submit(
    form: OutsideTrainingForm, kind: OutsideKind, pre_approval: OutsideTraining | None
) -> tuple[str, int] | Response:
    if form.validate_on_submit():
        recorded = rules.record(
            current_user, form.details(), kind, form.proof_bytes(), pre_approval=pre_approval
        )
        if recorded.result.ok:
            flash(recorded.result.message, "success")
            return redirect(url_for("outside.request_page", training_id=recorded.result.subject.id))
        general = _show_errors(form, recorded.errors)
        return _form_page(form, kind, pre_approval=pre_approval, general=general, status=422)
    if form.is_submitted() and not form.errors.keys() & {"starts_on", "ends_on", "hours"}:
        # The fields parsed: show the date and hours rules next to them at the same time.
        problems = rules.detail_problems(form.details(), kind, utcnow().date())
        _show_errors(form, {k: v for k, v in problems.items() if k in ("ends_on", "hours")})
    status = 422 if form.is_submitted() else 200
    return _form_page(form, kind, pre_approval=pre_approval, status=status)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> tuple[str, int] | Response:
    """Record a completed outside training (proof required), or ask for pre-approval."""
    return _submit(OutsideTrainingForm(), _kind(), None)


def _fill_from(form: OutsideTrainingForm, pre_approval: OutsideTraining) -> None:
    for name in ("provider", "title", "starts_on", "ends_on", "hours"):
        form[name].data = getattr(pre_approval, name)
    form.summary.data = pre_approval.description


@bp.route("/<int:training_id>/complete", methods=["GET", "POST"])
@login_required
def complete(training_id: int) -> tuple[str, int] | Response:
    """After attending, the member records the completion of a pre-approved training: the
    proof and the actual hours; it goes to the approvers again, marked "pre-approved"."""
    pre_approval = load_or_404(OutsideTraining, training_id, may_own_outside_training)
    if not (
        pre_approval.kind == OutsideKind.PRE_APPROVAL
        and pre_approval.status == OutsideStatus.APPROVED
    ):
        abort(404)
    done = rules.completion_of(pre_approval)
    if done is not None:
        flash(_("You already recorded the completion of this training."), "info")
        return redirect(url_for("outside.request_page", training_id=done.id))
    form = OutsideTrainingForm()
    if request.method == "GET":
        _fill_from(form, pre_approval)
    return _submit(form, OutsideKind.COMPLETED, pre_approval)


# ---------------------------------------------------------------------------- one request


def _as_typed(hours: Decimal) -> Decimal:
    """3.00 as 3 and 2.50 as 2.5: the hours field shows what a person would type."""
    return hours.quantize(Decimal(1)) if hours == hours.to_integral_value() else hours.normalize()


def _request_context(training: OutsideTraining, form: DecisionForm | None = None) -> dict:
    decides = may_decide_outside_training(current_user, training)
    if decides and form is None:
        form = DecisionForm(formdata=None, hours=_as_typed(training.hours))
    return {
        "training": training,
        "events": queries.events_of(training),
        "decides": decides,
        "own": training.user_id == current_user.id,
        "form": form,
        "completion": (
            rules.completion_of(training)
            if training.kind == OutsideKind.PRE_APPROVAL
            and training.status == OutsideStatus.APPROVED
            else None
        ),
    }


def _load(training_id: int, may) -> OutsideTraining:  # type: ignore[no-untyped-def]
    return load_or_404(OutsideTraining, training_id, may, options=queries.PAGE_OPTIONS)


@bp.get("/<int:training_id>")
@login_required
def request_page(training_id: int) -> str:
    training = _load(training_id, may_see_outside_training)
    return render_template("credit/outside/request.html", **_request_context(training))


@bp.post("/<int:training_id>/decide")
@login_required
def decide(training_id: int) -> tuple[str, int] | Response:
    training = _load(training_id, may_decide_outside_training)
    form = DecisionForm()
    approve = request.form.get("decision") == "approve"
    if form.validate():
        note = form.decision_note.data or ""
        decided = rules.decide(
            training, current_user, approve=approve, hours=form.hours.data, note=note
        )
        if decided.result.ok or decided.already:
            flash(decided.result.message, decided.result.tone)
            return redirect(url_for("outside.request_page", training_id=training.id))
        _show_errors(form, decided.errors)
    context = _request_context(training, form)
    return render_template("credit/outside/request.html", **context), 422


@bp.get("/<int:training_id>/proof")
@login_required
def proof(training_id: int) -> Response:
    """The proof file, to the member and those who decide (404 for everyone else): served
    as the type its content was found to be, never sniffed, never run, never cached by a
    shared cache."""
    training = _load(training_id, may_see_outside_training)
    return stored_file(
        training.proof_key, training.proof_type, f"outside-training-{training.id}-proof"
    )


# ---------------------------------------------------------------------------- approvers


def _status() -> OutsideStatus:
    value = request.args.get("status", "")
    return OutsideStatus(value) if value in set(OutsideStatus) else OutsideStatus.PENDING


@bp.get("/queue")
@login_required
def queue() -> str:
    if not may_review_outside_training(current_user):
        abort(404)
    search = request.args.get("q", "")[:SEARCH_MAX].strip()
    status = _status()
    rows = queries.queue(
        outside_training_scope(current_user), status, search, page_request("queue-rows")
    )
    if rows.more:
        return more_rows("credit/outside/_queue_rows.html", "queue-rows", rows, rows=rows)
    return render_template("credit/outside/queue.html", rows=rows, search=search, status=status)
