"""Credit units pages (thin routes: load, check, call a rule, render): the list, a unit
with its national and state rules and history, and the unit and rule forms."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from esp_registry.access import (
    credit_rule_scope,
    load_or_404,
    may_edit_credit_rule,
    may_edit_credit_unit,
    may_edit_credit_units,
    may_see_credit_unit,
    may_see_credit_units,
    may_set_credit_rule_for,
)
from esp_registry.credit.units import rules
from esp_registry.credit.units.forms import NATIONAL, NewRuleForm, RuleForm, UnitForm
from esp_registry.credit.units.models import CreditRule, CreditUnit
from esp_registry.extensions import db
from esp_registry.paging import more_rows, page_request
from esp_registry.reference.models import Affiliate
from esp_registry.results import Result

bp = Blueprint("credit_units", __name__, url_prefix="/credit/units")


@bp.before_request
@login_required
def staff_only() -> None:
    if not may_see_credit_units(current_user):
        abort(404)


@bp.get("")
def index() -> str:
    at = page_request("unit-rows")
    result = rules.units_page(at)
    if at.more:
        return more_rows("credit/units/_unit_rows.html", "unit-rows", result=result)
    return render_template(
        "credit/units/index.html", result=result, may_add=may_edit_credit_units(current_user)
    )


def _unit_form_values(form: UnitForm) -> dict[str, str]:
    return {
        "code": form.code.data or "",
        "name": form.name.data or "",
        "name_es": form.name_es.data or "",
        "description": form.description.data or "",
    }


def _refused_on_code(form: UnitForm, result: Result) -> bool:
    if not result.ok:
        target = form.name if result.subject == "name" else form.code
        target.errors = [*target.errors, result.message]
    return not result.ok


@bp.route("/new", methods=["GET", "POST"])
def new_unit() -> Response | tuple[str, int]:
    if not may_edit_credit_units(current_user):
        abort(404)
    form = UnitForm()
    if form.validate_on_submit():
        result = rules.add_unit(current_user, **_unit_form_values(form))
        if not _refused_on_code(form, result):
            flash(result.message, result.tone)
            return redirect(url_for("credit_units.unit", unit_id=result.subject.id))
    status = 422 if request.method == "POST" else 200
    db.session.rollback()
    return render_template("credit/units/unit_form.html", form=form, unit=None), status


@bp.get("/<int:unit_id>")
def unit(unit_id: int) -> tuple[str, int]:
    found = load_or_404(CreditUnit, unit_id, may_see_credit_unit)
    trail = rules.history(found, page_request("history-rows", prefix="history_"))
    if trail.more:
        text = rules.event_text
        return more_rows("_history_rows.html", "history-rows", result=trail, text=text), 200
    scope = credit_rule_scope(current_user)
    page = render_template(
        "credit/units/unit.html",
        unit=found,
        rules=rules.rules_of(found),
        rule_in_words=rules.rule_in_words,
        may_edit_rule=lambda rule: may_edit_credit_rule(current_user, rule),
        may_edit_unit=may_edit_credit_unit(current_user, found),
        may_add_rule=scope is None or bool(scope),
        trail=trail,
        event_text=rules.event_text,
        page_endpoint="credit_units.unit",
        page_args={"unit_id": found.id},
    )
    return page, 200


@bp.route("/<int:unit_id>/edit", methods=["GET", "POST"])
def edit_unit(unit_id: int) -> Response | tuple[str, int]:
    found = load_or_404(CreditUnit, unit_id, may_edit_credit_unit)
    form = UnitForm(obj=found)
    if form.validate_on_submit():
        result = rules.edit_unit(current_user, found, **_unit_form_values(form))
        if not _refused_on_code(form, result):
            flash(result.message, result.tone)
            return redirect(url_for("credit_units.unit", unit_id=found.id))
    status = 422 if request.method == "POST" else 200
    db.session.rollback()
    return render_template("credit/units/unit_form.html", form=form, unit=found), status


@bp.post("/<int:unit_id>/deactivate")
def deactivate_unit(unit_id: int) -> Response:
    found = load_or_404(CreditUnit, unit_id, may_edit_credit_unit)
    result = rules.set_unit_active(current_user, found, False)
    flash(result.message, result.tone)
    return redirect(url_for("credit_units.unit", unit_id=found.id))


@bp.post("/<int:unit_id>/reactivate")
def reactivate_unit(unit_id: int) -> Response:
    found = load_or_404(CreditUnit, unit_id, may_edit_credit_unit)
    result = rules.set_unit_active(current_user, found, True)
    flash(result.message, result.tone)
    return redirect(url_for("credit_units.unit", unit_id=found.id))


def _new_rule_form() -> NewRuleForm:
    form = NewRuleForm()
    scope = credit_rule_scope(current_user)
    choices = (
        [(NATIONAL, _("National rule (every state without its own)"))] if scope is None else []
    )
    form.scope.choices = choices + [(a.id, a.name) for a in rules.affiliates_for_rules(scope)]
    return form


@bp.route("/<int:unit_id>/rules/new", methods=["GET", "POST"])
def new_rule(unit_id: int) -> Response | tuple[str, int]:
    found = load_or_404(CreditUnit, unit_id, may_see_credit_unit)
    form = _new_rule_form()
    if not form.scope.choices:
        abort(404)
    if form.validate_on_submit():
        affiliate_id = None if form.scope.data == NATIONAL else form.scope.data
        if not may_set_credit_rule_for(current_user, affiliate_id):
            abort(404)
        affiliate = db.session.get(Affiliate, affiliate_id) if affiliate_id else None
        result = rules.add_rule(current_user, found, affiliate, form.values())
        if result.ok:
            flash(result.message, result.tone)
            return redirect(url_for("credit_units.unit", unit_id=found.id))
        form.scope.errors = [*form.scope.errors, result.message]
    status = 422 if request.method == "POST" else 200
    db.session.rollback()
    page = render_template("credit/units/rule_form.html", form=form, unit=found, rule=None)
    return page, status


@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
def rule(rule_id: int) -> Response | tuple[str, int]:
    found = load_or_404(CreditRule, rule_id, may_edit_credit_rule)
    form = RuleForm(obj=found)
    if form.validate_on_submit():
        result = rules.edit_rule(current_user, found, form.values())
        if result.ok:
            flash(result.message, result.tone)
            return redirect(url_for("credit_units.unit", unit_id=found.unit_id))
        form.hours_per_unit.errors = [*form.hours_per_unit.errors, result.message]
    status = 422 if request.method == "POST" else 200
    db.session.rollback()
    page = render_template("credit/units/rule_form.html", form=form, unit=found.unit, rule=found)
    return page, status


@bp.post("/rules/<int:rule_id>/remove")
def remove_rule(rule_id: int) -> Response:
    found = load_or_404(CreditRule, rule_id, may_edit_credit_rule)
    unit_id = found.unit_id
    result = rules.remove_rule(current_user, found)
    flash(result.message, result.tone)
    return redirect(url_for("credit_units.unit", unit_id=unit_id))
