"""Reference data pages for national admins (thin routes: load, check, call a rule, render)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from esp_registry.access import load_or_404, may_edit_reference_data, may_edit_reference_item
from esp_registry.extensions import db
from esp_registry.paging import more_rows, page_request
from esp_registry.reference import rules
from esp_registry.reference.forms import (
    AffiliateForm,
    JobFamilyForm,
    LocalForm,
    LocalsFilters,
    MergeLocalForm,
    ProgramForm,
)
from esp_registry.reference.models import Affiliate, JobFamily, Local, Program, ReferenceKind
from esp_registry.results import Result

bp = Blueprint("reference", __name__, url_prefix="/admin/reference")


@bp.before_request
@login_required
def national_admins_only() -> None:
    if not may_edit_reference_data(current_user):
        abort(404)


@bp.get("")
def index() -> str:
    return render_template("reference/index.html", **rules.everything_by_name())


def _refused_on_name(
    form: ProgramForm | JobFamilyForm | AffiliateForm | LocalForm, result: Result
) -> bool:
    """A refused edit is always about the name: show it next to that field."""
    if not result.ok:
        form.name.errors = [*form.name.errors, result.message]
    return not result.ok


HISTORY_PAGES = {
    ReferenceKind.PROGRAM: ("reference.program", "program_id"),
    ReferenceKind.JOB_FAMILY: ("reference.job_family", "family_id"),
    ReferenceKind.AFFILIATE: ("reference.affiliate", "affiliate_id"),
    ReferenceKind.LOCAL: ("reference.local", "local_id"),
}


def _edit_page(
    template: str, kind: ReferenceKind, subject_id: int, status: int, **context: object
) -> tuple[str, int]:
    trail = rules.history(kind, subject_id, page_request("history-rows", prefix="history_"))
    if trail.more:
        rows = more_rows("_history_rows.html", "history-rows", result=trail, text=rules.event_text)
        return rows, 200
    # The page's own address, for its pagers' links when a refused post shows it.
    endpoint, argument = HISTORY_PAGES[kind]
    page = render_template(
        template,
        trail=trail,
        event_text=rules.event_text,
        page_endpoint=endpoint,
        page_args={argument: subject_id},
        **context,
    )
    return page, status


def _edit(
    found: Program | JobFamily,
    form: ProgramForm | JobFamilyForm,
    save: Callable[..., Result],
    template: str,
    kind: ReferenceKind,
    back: str,
    **context: object,
) -> Response | tuple[str, int]:
    """GET shows the form; POST checks it and calls the rule with its fields, then
    redirects, or shows why not next to the fields (422, nothing stored)."""
    if request.method == "GET":
        return _edit_page(template, kind, found.id, 200, form=form, **context)
    if form.validate_on_submit():
        values = {field.name: field.data for field in form if field.name != "csrf_token"}
        result = save(current_user, found, **values)
        if not _refused_on_name(form, result):
            flash(result.message, result.tone)
            return redirect(back)
    db.session.rollback()
    return _edit_page(template, kind, found.id, 422, form=form, **context)


# ---------------------------------------------------------------- programs and job families


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
def program(program_id: int) -> Response | tuple[str, int]:
    found = load_or_404(Program, program_id, may_edit_reference_item)
    back = url_for("reference.program", program_id=found.id)
    return _edit(
        found, ProgramForm(obj=found), rules.edit_program, "reference/program.html",
        ReferenceKind.PROGRAM, back, program=found,
    )  # fmt: skip


@bp.route("/job-families/<int:family_id>", methods=["GET", "POST"])
def job_family(family_id: int) -> Response | tuple[str, int]:
    found = load_or_404(JobFamily, family_id, may_edit_reference_item)
    back = url_for("reference.job_family", family_id=found.id)
    return _edit(
        found, JobFamilyForm(obj=found), rules.edit_job_family, "reference/job_family.html",
        ReferenceKind.JOB_FAMILY, back, family=found,
    )  # fmt: skip


# ---------------------------------------------------------------- affiliates and their locals


def _affiliate_page(affiliate: Affiliate, status: int = 200, **forms: object) -> tuple[str, int]:
    filters = LocalsFilters(request.args)
    filters.validate()
    search = filters.q.data if not filters.q.errors else ""
    at = page_request("local-rows")
    result = rules.locals_page(affiliate, search=search or "", at=at)
    if at.more:
        return more_rows("reference/_local_rows.html", "local-rows", result=result), 200
    return _edit_page(
        "reference/affiliate.html",
        ReferenceKind.AFFILIATE,
        affiliate.id,
        status,
        affiliate=affiliate,
        form=forms.get("form") or AffiliateForm(obj=affiliate, formdata=None),
        local_form=forms.get("local_form") or LocalForm(formdata=None),
        filters=filters,
        result=result,
    )


@bp.route("/affiliates/<int:affiliate_id>", methods=["GET", "POST"])
def affiliate(affiliate_id: int) -> Response | tuple[str, int]:
    found = load_or_404(Affiliate, affiliate_id, may_edit_reference_item)
    if request.method == "GET":
        return _affiliate_page(found)
    form = AffiliateForm()
    if form.validate_on_submit():
        result = rules.edit_affiliate(
            current_user, found, name=form.name.data or "", name_es=form.name_es.data
        )
        if not _refused_on_name(form, result):
            flash(result.message, result.tone)
            return redirect(url_for("reference.affiliate", affiliate_id=found.id))
    db.session.rollback()
    return _affiliate_page(found, 422, form=form)


@bp.post("/affiliates/<int:affiliate_id>/locals")
def add_local(affiliate_id: int) -> Response | tuple[str, int]:
    found = load_or_404(Affiliate, affiliate_id, may_edit_reference_item)
    form = LocalForm()
    if form.validate_on_submit():
        result = rules.add_local(current_user, found, form.name.data or "")
        if not _refused_on_name(form, result):
            flash(result.message, result.tone)
            return redirect(url_for("reference.affiliate", affiliate_id=found.id))
    db.session.rollback()
    return _affiliate_page(found, 422, local_form=form)


def _merge_form(local: Local) -> MergeLocalForm:
    form = MergeLocalForm()
    form.into.choices = [(0, _("Choose a local"))] + [
        (other.id, other.name) for other in rules.merge_targets(local)
    ]
    return form


def _local_page(local: Local, status: int = 200, **forms: object) -> tuple[str, int]:
    return _edit_page(
        "reference/local.html",
        ReferenceKind.LOCAL,
        local.id,
        status,
        local=local,
        form=forms.get("form") or LocalForm(obj=local, formdata=None),
        merge_form=forms.get("merge_form") or _merge_form(local),
    )


@bp.route("/locals/<int:local_id>", methods=["GET", "POST"])
def local(local_id: int) -> Response | tuple[str, int]:
    found = load_or_404(Local, local_id, may_edit_reference_item)
    if request.method == "GET":
        return _local_page(found)
    form = LocalForm()
    if form.validate_on_submit():
        result = rules.rename_local(current_user, found, form.name.data or "")
        if not _refused_on_name(form, result):
            flash(result.message, result.tone)
            return redirect(url_for("reference.local", local_id=found.id))
    db.session.rollback()
    return _local_page(found, 422, form=form)


@bp.post("/locals/<int:local_id>/merge")
def merge_local(local_id: int) -> Response | tuple[str, int]:
    found = load_or_404(Local, local_id, may_edit_reference_item)
    form = _merge_form(found)
    target = db.session.get(Local, form.into.data) if form.validate_on_submit() else None
    if target is None:
        if not form.into.errors:
            form.into.errors = [_("Choose the local to merge into.")]
        return _local_page(found, 422, merge_form=form)
    result = rules.merge_locals(current_user, found, target)
    if not result.ok and not found.active:  # merged meanwhile: its page has no merge form
        flash(result.message, result.tone)
        return redirect(url_for("reference.local", local_id=found.id))
    if not result.ok:
        form.into.errors = [result.message]
        return _local_page(found, 422, merge_form=form)
    flash(result.message, result.tone)
    return redirect(url_for("reference.affiliate", affiliate_id=found.affiliate_id))


@bp.post("/locals/<int:local_id>/deactivate")
def deactivate_local(local_id: int) -> Response:
    found = load_or_404(Local, local_id, may_edit_reference_item)
    result = rules.set_local_active(current_user, found, False)
    flash(result.message, result.tone)
    return redirect(url_for("reference.local", local_id=found.id))


@bp.post("/locals/<int:local_id>/reactivate")
def reactivate_local(local_id: int) -> Response:
    found = load_or_404(Local, local_id, may_edit_reference_item)
    result = rules.set_local_active(current_user, found, True)
    flash(result.message, result.tone)
    return redirect(url_for("reference.local", local_id=found.id))
