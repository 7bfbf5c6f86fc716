"""People and roles: the directory, a person's page, role and account changes (thin routes)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from esp_registry.access import (
    load_or_404,
    may_administer_people,
    may_administer_person,
    people_scope,
)
from esp_registry.accounts import people, rules
from esp_registry.accounts.models import Role, RoleGrant, User
from esp_registry.accounts.people_forms import DeactivateForm, DirectoryFilters, GrantRoleForm
from esp_registry.accounts.person_summary import summary_of
from esp_registry.extensions import db
from esp_registry.paging import more_rows, page_request

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.before_request
@login_required
def staff_only() -> None:
    if not may_administer_people(current_user):
        abort(404)


def _affiliate_choices() -> list[tuple[int, str]]:
    scope = people_scope(current_user)
    choices = rules.affiliate_choices()
    return [(i, n) for i, n in choices if scope is None or i in scope]


@bp.get("")
def directory() -> str | tuple[str, int]:
    filters = DirectoryFilters(request.args)
    filters.affiliate.choices = [(0, _("All affiliates")), *_affiliate_choices()]
    filters.job_family.choices = [(0, _("All job families")), *rules.job_family_choices()]
    filters.role.choices = [("", _("Any role"))] + [(r.value, people.role_name(r)) for r in Role]
    if not filters.validate():
        return render_template("people/directory.html", filters=filters, result=None), 422
    at = page_request("people-rows")
    result = people.people_page(
        people_scope(current_user),
        search=filters.q.data or "",
        affiliate_id=filters.affiliate.data or None,
        job_family_id=filters.job_family.data or None,
        role=Role(filters.role.data) if filters.role.data else None,
        at=at,
    )
    role_names = {role: people.role_name(role) for role in Role}
    if at.more:
        return more_rows("people/_rows.html", "people-rows", result, role_names=role_names)
    return render_template(
        "people/directory.html", filters=filters, result=result, role_names=role_names
    )


def _grant_form(person: User) -> GrantRoleForm:
    form = GrantRoleForm()
    form.role.choices = [
        ("", _("Choose a role")),
        *((r.value, people.role_name(r)) for r in people.grantable_roles(current_user)),
    ]
    form.affiliate_id.choices = [(0, _("Not an approver")), *rules.affiliate_choices()]
    return form


def _person_page(person: User, status: int = 200, **forms: object) -> tuple[str, int]:
    page = render_template(
        "people/person.html",
        person=person,
        summary=summary_of(person),
        trail=people.audit_trail(person),
        grant_form=forms.get("grant_form") or _grant_form(person),
        deactivate_form=forms.get("deactivate_form") or DeactivateForm(formdata=None),
        role_name=people.role_name,
        action_text=people.event_text,
        grantable=people.grantable_roles(current_user),
        may_change_account=people.may_change_account(current_user, person),
    )
    return page, status


@bp.get("/<int:user_id>")
def person(user_id: int) -> tuple[str, int]:
    return _person_page(load_or_404(User, user_id, may_administer_person))


@bp.post("/<int:user_id>/roles")
def grant(user_id: int) -> Response | tuple[str, int]:
    person = load_or_404(User, user_id, may_administer_person)
    form = _grant_form(person)
    if not form.validate_on_submit():
        return _person_page(person, 422, grant_form=form)
    result = people.grant_role(
        current_user, person, Role(form.role.data), form.affiliate_id.data or None
    )
    flash(result.message, result.tone)
    return redirect(url_for("people.person", user_id=person.id))


@bp.post("/<int:user_id>/roles/<int:grant_id>/revoke")
def revoke(user_id: int, grant_id: int) -> Response:
    person = load_or_404(User, user_id, may_administer_person)
    found = db.session.get(RoleGrant, grant_id)
    if found is None or found.user_id != person.id:
        abort(404)
    result = people.revoke_role(current_user, found)
    flash(result.message, result.tone)
    return redirect(url_for("people.person", user_id=person.id))


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id: int) -> Response | tuple[str, int]:
    person = load_or_404(User, user_id, may_administer_person)
    form = DeactivateForm()
    if not form.validate_on_submit():
        return _person_page(person, 422, deactivate_form=form)
    result = people.deactivate(current_user, person, form.reason.data or "")
    flash(result.message, result.tone)
    return redirect(url_for("people.person", user_id=person.id))


@bp.post("/<int:user_id>/reactivate")
def reactivate(user_id: int) -> Response:
    person = load_or_404(User, user_id, may_administer_person)
    result = people.reactivate(current_user, person)
    flash(result.message, result.tone)
    return redirect(url_for("people.person", user_id=person.id))
