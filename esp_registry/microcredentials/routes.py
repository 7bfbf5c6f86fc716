"""The member's micro-credential pages (PRODUCT §14): the catalog and stacks (public), and a
member's own attempts: start, write evidence (autosaved), attach files, submit, read the
feedback of a returned version, withdraw, ask for a coach. Load, check, call one rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from esp_registry.access import (
    load_or_404,
    may_see_microcredential_draft_file,
    may_see_microcredential_submitted_file,
    may_work_on_microcredential_attempt,
)
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.files import checks
from esp_registry.files.serving import stored_file
from esp_registry.microcredentials import earning, queries, rules
from esp_registry.microcredentials.forms import ConfirmForm, EvidenceForm, FileForm
from esp_registry.microcredentials.models import (
    Attempt,
    Evidence,
    Microcredential,
    Stack,
    SubmissionStatus,
    SubmittedEvidence,
)
from esp_registry.microcredentials.wording import in_language
from esp_registry.paging import more_rows, page_request
from esp_registry.reference.models import JobFamily
from esp_registry.web import by_translated_name, is_htmx, local_time

bp = Blueprint("microcredentials", __name__, url_prefix="/microcredentials")

UPLOAD_LIMIT = checks.MAX_BYTES + 256 * 1024  # the file and the form's token


@bp.app_template_filter("mc_text")
def mc_text(item: object, field: str) -> str:
    return in_language(item, field)


@bp.app_template_global("mc_days_left")
def mc_days_left(window_ends_on: date, today: date) -> int:
    return rules.days_left(window_ends_on, today)


@bp.app_template_global("saved_time")
def saved_time(value: datetime) -> Markup:
    """When evidence was saved: the time in UTC, which the page's script shows in the
    reader's own time zone (a member's device knows it; the server does not)."""
    return Markup('<time datetime="{}" data-local-time>{} UTC</time>').format(
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), local_time(value)
    )


@bp.url_value_preprocessor
def upload_limit(endpoint: str | None, _values: dict | None) -> None:
    # Runs before anything reads the body (the CSRF check does).
    if endpoint == "microcredentials.attach":
        request.max_content_length = UPLOAD_LIMIT


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> Response:
    if request.endpoint == "microcredentials.attach" and current_user.is_authenticated:
        attempt_id = (request.view_args or {}).get("attempt_id", 0)
        attempt = _attempt(attempt_id)
        flash(str(checks.TOO_BIG), "error")
        return redirect(url_for("microcredentials.attempt", attempt_id=attempt.id))
    abort(413)


# ---------------------------------------------------------------------------- catalog


def _families() -> list[JobFamily]:
    return by_translated_name(db.session.scalars(sa.select(JobFamily)))


@bp.get("/")
def index() -> str:
    slug = request.args.get("family", "")[:60]
    family = None
    if slug and slug != "all":
        family = db.session.scalar(sa.select(JobFamily).where(JobFamily.slug == slug))
    at = page_request("mc-rows")
    result = queries.catalog(family, at)
    standing = queries.progress(current_user, [m.id for m in result.items])
    if result.more:
        return more_rows("microcredentials/_rows.html", "mc-rows", result, standing=standing)
    return render_template(
        "microcredentials/index.html",
        result=result,
        family=family,
        families=_families(),
        standing=standing,
    )


@bp.get("/<int:microcredential_id>")
def detail(microcredential_id: int) -> str:
    found = db.session.get(
        Microcredential, microcredential_id, options=list(queries.DETAIL_OPTIONS)
    )
    if found is None or not found.active:
        abort(404)
    context: dict = {"mc": found, "decision": None, "open_attempt": None}
    if found.stack is not None:
        context["stack_members"] = queries.stack_members(found.stack)
    if current_user.is_authenticated:
        context["decision"] = earning.may_start(current_user, found)
        context["open_attempt"] = earning.open_attempt(current_user, found)
        context["form"] = ConfirmForm()
        context["ends_on"] = rules.window_ends_on(earning.today_of(utcnow()))
    return render_template("microcredentials/detail.html", **context)


@bp.get("/stacks/<int:stack_id>")
def stack(stack_id: int) -> str:
    found = db.session.get(Stack, stack_id)
    if found is None:
        abort(404)
    members = queries.stack_members(found)
    standing = queries.progress(current_user, [m.id for m in members])
    awarded = sum(1 for status in standing.values() if status.value == "awarded")
    return render_template(
        "microcredentials/stack.html",
        stack=found,
        members=members,
        standing=standing,
        awarded=awarded,
    )


@bp.post("/<int:microcredential_id>/start")
@login_required
def start(microcredential_id: int) -> Response:
    found = db.session.get(Microcredential, microcredential_id)
    if found is None or not found.active:
        abort(404)
    result = earning.start(current_user, found, utcnow())
    flash(result.message, result.tone)
    if result.ok:
        return redirect(url_for("microcredentials.attempt", attempt_id=result.subject.id))
    return redirect(url_for("microcredentials.detail", microcredential_id=found.id))


# ---------------------------------------------------------------------------- mine


@bp.get("/mine")
@login_required
def mine() -> str:
    at = page_request("attempt-rows")
    result = queries.my_attempts(current_user, at)
    today = earning.today_of(utcnow())
    if result.more:
        return more_rows("microcredentials/_attempt_rows.html", "attempt-rows", result, today=today)
    return render_template("microcredentials/mine.html", result=result, today=today)


# ---------------------------------------------------------------------------- one attempt


def _attempt(attempt_id: int) -> Attempt:
    return load_or_404(
        Attempt, attempt_id, may_work_on_microcredential_attempt, options=queries.ATTEMPT_OPTIONS
    )


def _attempt_page(attempt: Attempt, status: int = 200, forms: dict | None = None) -> tuple:
    now = utcnow()
    drafts = earning.drafts_by_component(attempt)
    forms = forms or {}
    evidence_forms = {}
    for component in attempt.microcredential.components:
        draft = drafts.get(component.id)
        evidence_forms[component.id] = forms.get(component.id) or EvidenceForm(
            formdata=None,
            text=draft.text if draft else "",
            revision=draft.revision if draft else 0,
        )
    latest = attempt.submissions[-1] if attempt.submissions else None
    returned = latest if latest and latest.status == SubmissionStatus.NOT_YET else None
    work = earning.may_work_on(attempt, now)
    return render_template(
        "microcredentials/attempt.html",
        attempt=attempt,
        mc=attempt.microcredential,
        drafts=drafts,
        evidence_forms=evidence_forms,
        file_form=FileForm(formdata=None),
        confirm=ConfirmForm(),
        latest=latest,
        returned=returned,
        feedback=queries.feedback_of(returned) if returned else None,
        work=work,
        missing=earning.missing_components(attempt, drafts) if work.allowed else [],
        coach=earning.may_request_coach(attempt),
        today=earning.today_of(now),
    ), status


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int) -> tuple:
    return _attempt_page(_attempt(attempt_id))


@bp.post("/attempts/<int:attempt_id>/components/<int:component_id>")
@login_required
def save(attempt_id: int, component_id: int) -> Response | tuple:
    """Autosave (htmx: the status line answers) or the plain "Save" button (redirects)."""
    found = _attempt(attempt_id)
    form = EvidenceForm()
    if not form.validate():
        message = next(iter(form.errors.values()))[0]
        if is_htmx():
            return render_template(
                "microcredentials/_save_status.html",
                component_id=component_id,
                saved=None,
                message=message,
                revision=None,
                missing=None,
            ), 200
        form.text.errors = [message]  # shown at the text, whichever field it is about
        return _attempt_page(found, 422, {component_id: form})
    saved = earning.save_evidence(
        found, component_id, form.text.data or "", form.revision.data or 0, utcnow()
    )
    if is_htmx():
        return render_template(
            "microcredentials/_save_status.html",
            component_id=component_id,
            saved=saved,
            message=saved.result.message,
            revision=saved.revision if saved.result.ok else None,
            missing=(
                earning.missing_components(found, earning.drafts_by_component(found))
                if saved.result.ok
                else None
            ),
        ), 200
    if saved.result.ok:
        flash(_("Saved."), "success")
        return redirect(
            url_for("microcredentials.attempt", attempt_id=found.id) + f"#component-{component_id}"
        )
    form.text.errors = [saved.result.message]
    return _attempt_page(found, 409 if saved.stale else 422, {component_id: form})


@bp.post("/attempts/<int:attempt_id>/components/<int:component_id>/file")
@login_required
def attach(attempt_id: int, component_id: int) -> Response:
    found = _attempt(attempt_id)
    form = FileForm()
    data = form.file_bytes() if form.validate() else None
    if data is None:
        flash(_("Choose a file to attach."), "error")
    else:
        result = earning.attach_file(found, component_id, data, form.file_name(), utcnow())
        flash(result.message, result.tone)
    return redirect(
        url_for("microcredentials.attempt", attempt_id=found.id) + f"#component-{component_id}"
    )


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int) -> Response:
    found = _attempt(attempt_id)
    if ConfirmForm().validate():
        result = earning.submit(found, current_user, utcnow())
        flash(result.message, result.tone)
    return redirect(url_for("microcredentials.attempt", attempt_id=found.id))


@bp.route("/attempts/<int:attempt_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(attempt_id: int) -> Response | str:
    """A confirmation page; its button withdraws."""
    found = _attempt(attempt_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate():
        result = earning.withdraw(found, current_user, utcnow())
        flash(result.message, result.tone)
        return redirect(url_for("microcredentials.attempt", attempt_id=found.id))
    if not found.is_open:
        return redirect(url_for("microcredentials.attempt", attempt_id=found.id))
    return render_template("microcredentials/withdraw.html", attempt=found, form=form)


@bp.post("/attempts/<int:attempt_id>/coach")
@login_required
def coach(attempt_id: int) -> Response:
    found = _attempt(attempt_id)
    if ConfirmForm().validate():
        result = earning.request_coach(found, current_user, utcnow())
        flash(result.message, result.tone)
    return redirect(url_for("microcredentials.attempt", attempt_id=found.id))


@bp.get("/attempts/<int:attempt_id>/versions/<int:number>")
@login_required
def version(attempt_id: int, number: int) -> str:
    """One submitted version as it was sent (never edited), with its feedback once decided."""
    found = _attempt(attempt_id)
    submission = next((s for s in found.submissions if s.number == number), None)
    if submission is None:
        abort(404)
    return render_template(
        "microcredentials/version.html",
        attempt=found,
        mc=found.microcredential,
        submission=submission,
        evidence=queries.submitted_evidence(submission),
        feedback=queries.feedback_of(submission),
    )


# ---------------------------------------------------------------------------- files


@bp.get("/evidence/<int:submitted_evidence_id>/file")
@login_required
def submitted_file(submitted_evidence_id: int) -> Response:
    found = load_or_404(
        SubmittedEvidence, submitted_evidence_id, may_see_microcredential_submitted_file
    )
    return stored_file(found.file_key, found.file_type, f"evidence-{found.id}")


@bp.get("/drafts/<int:evidence_id>/file")
@login_required
def draft_file(evidence_id: int) -> Response:
    found = load_or_404(Evidence, evidence_id, may_see_microcredential_draft_file)
    return stored_file(found.file_key, found.file_type, f"draft-{found.id}")
