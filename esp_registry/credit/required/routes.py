"""Required trainings: the admin pages, the overdue list for approvers (with its CSV),
and "Required for you" on My trainings (thin routes: load, check, call, render)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from esp_registry.access import (
    load_or_404,
    may_edit_requirement,
    may_manage_requirements,
    may_see_overdue,
    overdue_scope,
)
from esp_registry.accounts.rules import affiliate_choices, job_family_choices
from esp_registry.catalog.models import Offering
from esp_registry.columns import utcnow
from esp_registry.credit.required import queries
from esp_registry.credit.required.forms import OverdueFiltersForm, RequirementForm
from esp_registry.credit.required.models import RequiredTraining
from esp_registry.credit.required.requirements import (
    requirements_page,
    retire_requirement,
    save_requirement,
)
from esp_registry.csv_export import csv_response
from esp_registry.extensions import db
from esp_registry.paging import more_rows, page_request
from esp_registry.reference.models import Program
from esp_registry.web import translated

bp = Blueprint("required", __name__, url_prefix="/required-trainings")


@bp.app_template_global()
def required_for_me() -> list[queries.Due]:
    """ "Required for you" on My trainings: the signed-in member's requirements."""
    if not current_user.is_authenticated:
        return []
    return queries.required_for(current_user, utcnow())


@bp.app_template_global()
def certificate_expiry(offering: Offering | None) -> tuple[date, bool] | None:
    """The verification page's "valid until" / "expired on", for a required program."""
    if offering is None:
        return None
    return queries.certificate_expiry(offering, utcnow().date())


# ---------------------------------------------------------------------------- admin


def _admins_only() -> None:
    if not may_manage_requirements(current_user):
        abort(404)


@bp.get("/admin")
@login_required
def requirements() -> str:
    _admins_only()
    at = page_request("requirement-rows")
    found = requirements_page(at)
    if at.more:
        return more_rows("credit/required/_requirement_rows.html", "requirement-rows", result=found)
    return render_template("credit/required/requirements.html", result=found)


def _form(requirement: RequiredTraining | None) -> RequirementForm:
    form = RequirementForm(obj=None)
    if request.method == "GET" and requirement is not None:
        form.program.data = requirement.program_id
        form.job_families.data = [f.id for f in requirement.job_families]
        form.kind.data = requirement.kind.value
        form.valid_months.data = requirement.valid_months
        form.hours_per_year.data = requirement.hours_per_year
    programs = db.session.scalars(sa.select(Program).order_by(Program.name))
    form.program.choices = [("", _("Choose a program"))] + [(p.id, translated(p)) for p in programs]
    form.job_families.choices = job_family_choices()
    return form


def _edit(requirement: RequiredTraining | None) -> Response | tuple[str, int]:
    form = _form(requirement)
    if request.method == "POST":
        if form.validate_on_submit():
            result = save_requirement(
                current_user,
                requirement,
                program=form.program.data,
                job_families=form.job_families.data,
                kind=form.kind.data,
                valid_months=form.valid_months.data,
                hours_per_year=form.hours_per_year.data,
            )
            if result.ok:
                flash(result.message, result.tone)
                return redirect(url_for("required.requirements"))
            form.program.errors = [*form.program.errors, result.message]
        db.session.rollback()
        status = 422
    else:
        status = 200
    page = render_template(
        "credit/required/requirement_form.html", form=form, requirement=requirement
    )
    return page, status


@bp.route("/admin/new", methods=["GET", "POST"])
@login_required
def new_requirement() -> Response | tuple[str, int]:
    _admins_only()
    return _edit(None)


@bp.route("/admin/<int:requirement_id>", methods=["GET", "POST"])
@login_required
def requirement(requirement_id: int) -> Response | tuple[str, int]:
    found = load_or_404(RequiredTraining, requirement_id, may_edit_requirement)
    return _edit(found)


@bp.post("/admin/<int:requirement_id>/retire")
@login_required
def retire(requirement_id: int) -> Response:
    found = load_or_404(RequiredTraining, requirement_id, may_edit_requirement)
    result = retire_requirement(found)
    flash(result.message, result.tone)
    return redirect(url_for("required.requirements"))


# ---------------------------------------------------------------------------- overdue list


def _overdue_filters() -> tuple[OverdueFiltersForm, queries.OverdueFilters | None]:
    if not may_see_overdue(current_user):
        abort(404)
    form = OverdueFiltersForm(request.args)
    own = None if current_user.is_national_admin else current_user.approver_affiliate_ids
    form.affiliate.choices = [("", _("All my affiliates") if own else _("All affiliates"))] + [
        (i, n) for i, n in affiliate_choices() if own is None or i in own
    ]
    current = db.session.scalars(
        queries.current_requirements().join(RequiredTraining.program).order_by(Program.name)
    )
    form.requirement.choices = [("", _("All requirements"))] + [
        (r.id, translated(r.program)) for r in current
    ]
    scope = overdue_scope(current_user, form.affiliate.data)  # another state's: 404
    if not form.validate():
        return form, None
    return form, queries.OverdueFilters(
        scope=scope, requirement_id=form.requirement.data, search=form.q.data or ""
    )


@bp.get("/overdue")
@login_required
def overdue() -> tuple[str, int]:
    form, filters = _overdue_filters()
    at = page_request("overdue-rows")
    result = queries.overdue_page(filters, utcnow(), at) if filters else None
    if at.more and result is not None:
        return more_rows("credit/required/_overdue_rows.html", "overdue-rows", result=result), 200
    csv_args = {
        k: v for k, v in request.args.items() if k in ("affiliate", "requirement", "q") and v
    }
    page = render_template(
        "credit/required/overdue.html", filters=form, result=result, csv_args=csv_args
    )
    return page, 200 if result is not None else 422


OVERDUE_HEADER = [
    "member",
    "email",
    "affiliate",
    "requirement",
    "status",
    "expired_on",
    "hours_last_year",
    "target_hours",
]


@bp.get("/overdue.csv")
@login_required
def overdue_csv() -> Response:
    _form, filters = _overdue_filters()
    if filters is None:
        abort(400)
    rows = (
        [
            row.full_name,
            row.email,
            row.affiliate_code,
            row.program_name,
            row.standing.value,
            row.expired_on.isoformat() if row.expired_on else "",
            row.hours if row.kind.value == "hours" else "",
            row.target.normalize() if row.target is not None else "",
        ]
        for row in queries.overdue_rows(filters, utcnow())
    )
    return csv_response("overdue-required-trainings", OVERDUE_HEADER, rows)
