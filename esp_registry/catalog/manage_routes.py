"""Offering management for national admins (any offering) and affiliate approvers (the
offerings their affiliate hosts): details, sessions, facilitators, status.

Every page and action works as a plain form post and redirect; htmx swaps the sessions and
facilitators parts in place and asks for confirmation before status changes. htmx swaps
only 2xx responses, so its refusals come back as 200 fragments showing the message, while
plain posts get 422.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from esp_registry.access import (
    PUBLIC_STATUSES,
    load_or_404,
    may_manage_offering,
    may_manage_offerings,
    may_manage_session,
    may_view_offering,
)
from esp_registry.catalog import management
from esp_registry.catalog.manage_forms import (
    CancelForm,
    FacilitatorForm,
    OfferingForm,
    SessionForm,
)
from esp_registry.catalog.models import Offering, OfferingFormat, PromotionMode, Session
from esp_registry.catalog.queries import OFFERING_PAGE_OPTIONS
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.paging import more_rows, page_request
from esp_registry.reference.models import Affiliate, JobFamily, Program
from esp_registry.registrations import rules as registration_rules
from esp_registry.registrations.rules import Counts
from esp_registry.web import is_htmx

bp = Blueprint("manage", __name__, url_prefix="/manage")

SESSION_OPTIONS = (joinedload(Session.offering).selectinload(Offering.sessions),)


def _may_manage_some_offering() -> None:
    # Pages without an object in the URL: members learn nothing, not even that they exist.
    if not may_manage_offerings(current_user):
        abort(404)


def _show_problems(form: FlaskForm, problems: dict[str, str]) -> None:
    for name, message in problems.items():
        field = getattr(form, name)
        field.errors = [*field.errors, message]


# --- the list ----------------------------------------------------------------------------


@bp.get("")
@login_required
def index() -> str:
    _may_manage_some_offering()
    search = request.args.get("q", "")[:100]
    at = page_request("manage-rows")
    result = management.managed_offerings(current_user, search, at)
    if at.more:
        return more_rows("manage/_rows.html", "manage-rows", result=result)
    return render_template("manage/index.html", result=result, search=search)


# --- details -----------------------------------------------------------------------------


def _offering_form(offering: Offering | None) -> OfferingForm:
    """The details form with its choices; an edit starts from the offering's values."""
    data = None
    if offering is not None:
        data = {
            "program_id": offering.program_id,
            "title": offering.title,
            "description": offering.description,
            "host_affiliate_id": offering.host_affiliate_id or 0,
            "format": offering.format.value,
            "venue": offering.venue,
            "online_url": offering.online_url,
            "timezone": offering.timezone,
            "registration_opens": management.utc_to_local(
                offering.registration_opens_at, offering.timezone
            ),
            "registration_closes": management.utc_to_local(
                offering.registration_closes_at, offering.timezone
            ),
            "capacity": offering.capacity,
            "waitlist_enabled": offering.waitlist_enabled,
            "promotion_mode": offering.promotion_mode.value,
            "offer_hours": offering.offer_hours,
            "audience_ids": [f.id for f in offering.audience],
            "requires_affiliate_approval": offering.requires_affiliate_approval,
            "parent_id": offering.parent_id or 0,
            "signatory": offering.signatory,
        }
    form = OfferingForm(data=data)
    programs = db.session.scalars(sa.select(Program).order_by(Program.name))
    form.program_id.choices = [(0, _("Choose a program")), *((p.id, p.name) for p in programs)]
    affiliates = list(db.session.scalars(sa.select(Affiliate).order_by(Affiliate.name)))
    if current_user.is_national_admin:
        form.host_affiliate_id.choices = [(0, _("National")), *((a.id, a.name) for a in affiliates)]
    else:
        mine = current_user.approver_affiliate_ids
        form.host_affiliate_id.choices = [(a.id, a.name) for a in affiliates if a.id in mine]
    form.timezone.choices = management.time_zone_choices(offering.timezone if offering else None)
    families = db.session.scalars(sa.select(JobFamily).order_by(JobFamily.name))
    form.audience_ids.choices = [(f.id, f.name) for f in families]
    conferences = [
        c
        for c in management.conference_offerings()
        if (offering is None or c.id != offering.id) and may_view_offering(current_user, c)
    ]
    form.parent_id.choices = [
        (0, _("No: a training of its own")),
        *((c.id, c.title) for c in conferences),
    ]
    return form


def _offering_data(form: OfferingForm) -> management.OfferingData:
    return management.OfferingData(
        program_id=form.program_id.data,
        title=form.title.data or "",
        description=form.description.data or "",
        host_affiliate_id=form.host_affiliate_id.data or None,
        format=OfferingFormat(form.format.data),
        venue=form.venue.data or "",
        online_url=form.online_url.data or "",
        timezone=form.timezone.data or "",
        registration_opens=form.registration_opens.data,
        registration_closes=form.registration_closes.data,
        capacity=form.capacity.data,
        waitlist_enabled=form.waitlist_enabled.data,
        promotion_mode=PromotionMode(form.promotion_mode.data),
        offer_hours=form.offer_hours.data,
        audience_ids=tuple(form.audience_ids.data or ()),
        requires_affiliate_approval=form.requires_affiliate_approval.data,
        parent_id=form.parent_id.data or None,
        signatory=form.signatory.data or "",
    )


@bp.route("/offerings/new", methods=["GET", "POST"])
@login_required
def new_offering() -> tuple[str, int] | Response:
    _may_manage_some_offering()
    form = _offering_form(None)
    if form.validate_on_submit():
        saved = management.save_offering(None, _offering_data(form), current_user, utcnow())
        if saved.obj is not None:
            flash(_("Draft saved. Add its sessions, then publish it."), "success")
            return redirect(url_for("manage.offering", offering_id=saved.obj.id))
        _show_problems(form, saved.problems)
    status = 422 if request.method == "POST" else 200
    return render_template("manage/offering_form.html", form=form, offering=None), status


@bp.route("/offerings/<int:offering_id>/edit", methods=["GET", "POST"])
@login_required
def edit_offering(offering_id: int) -> tuple[str, int] | Response:
    offering = load_or_404(
        Offering, offering_id, may_manage_offering, options=OFFERING_PAGE_OPTIONS
    )
    if refusal := management.editing_refusal(offering):
        flash(refusal, "error")
        return redirect(url_for("manage.offering", offering_id=offering.id))
    form = _offering_form(offering)
    if form.validate_on_submit():
        saved = management.save_offering(offering, _offering_data(form), current_user, utcnow())
        if saved.ok:
            flash(_("Changes saved."), "success")
            return redirect(url_for("manage.offering", offering_id=offering_id))
        _show_problems(form, saved.problems)
    status = 422 if request.method == "POST" else 200
    return render_template("manage/offering_form.html", form=form, offering=offering), status


# --- one offering's page -----------------------------------------------------------------


def _offering_page(
    offering: Offering,
    *,
    session_form: SessionForm | None = None,
    facilitator_form: FacilitatorForm | None = None,
    cancel_form: CancelForm | None = None,
    action_error: str | None = None,
    messages: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The whole page; `messages` are refusals shown in the sessions or facilitators part.
    Its registrations are paged ("Show more" asks for their next rows only)."""
    search = request.args.get("q", "")[:100]
    at = page_request("registration-rows")
    registrations = management.offering_registrations(offering, search, at)
    positions = registration_rules.waitlist_positions([offering.id])
    if at.more:
        rows = more_rows(
            "manage/_registration_rows.html",
            "registration-rows",
            result=registrations,
            offering=offering,
            positions=positions,
        )
        return rows, status
    counts = registration_rules.offering_counts([offering.id]).get(offering.id, Counts())
    return render_template(
        "manage/offering.html",
        offering=offering,
        counts=counts,
        editable=management.editing_refusal(offering) is None,
        can_complete=management.complete_refusal(offering, utcnow()) is None,
        public=offering.status in PUBLIC_STATUSES,
        # A new session starts with its program's usual hours.
        session_form=session_form
        or SessionForm(
            formdata=None, data={"contact_hours": offering.program.default_contact_hours}
        ),
        facilitator_form=facilitator_form or FacilitatorForm(formdata=None),
        cancel_form=cancel_form or CancelForm(formdata=None),
        action_error=action_error,
        messages=messages or {},
        result=registrations,
        search=search,
        positions=positions,
    ), status


@bp.get("/offerings/<int:offering_id>")
@login_required
def offering(offering_id: int) -> tuple[str, int]:
    found = load_or_404(Offering, offering_id, may_manage_offering, options=OFFERING_PAGE_OPTIONS)
    return _offering_page(found)


def _back_to(offering: Offering, part: str = "") -> Response:
    return redirect(url_for("manage.offering", offering_id=offering.id) + part)


PARTS = {"sessions": SessionForm, "facilitators": FacilitatorForm}


def _part(
    name: str, offering: Offering, form: FlaskForm | None = None, message: str = "", ok: bool = True
) -> str:
    """The sessions or facilitators part of an offering's page, as htmx swaps it."""
    return render_template(
        f"manage/_{name}.html",
        offering=offering,
        form=form or PARTS[name](formdata=None),
        editable=management.editing_refusal(offering) is None,
        message=message,
        ok=ok,
    )


def _after_part_action(
    name: str, offering: Offering, result: management.ActionResult
) -> str | tuple[str, int] | Response:
    if is_htmx():
        return _part(name, offering, message=result.message, ok=result.ok)
    if not result.ok:
        return _offering_page(offering, messages={name: result.message}, status=422)
    flash(result.message, "success")
    return _back_to(offering, f"#{name}")


# --- sessions ----------------------------------------------------------------------------


def _session_data(form: SessionForm) -> management.SessionData:
    return management.SessionData(
        title=form.title.data or "",
        day=form.day.data,
        starts=form.starts.data,
        ends=form.ends.data,
        contact_hours=form.contact_hours.data,
    )


@bp.post("/offerings/<int:offering_id>/sessions")
@login_required
def add_session(offering_id: int) -> str | tuple[str, int] | Response:
    offering = load_or_404(
        Offering, offering_id, may_manage_offering, options=OFFERING_PAGE_OPTIONS
    )
    form = SessionForm()
    if form.validate_on_submit():
        saved = management.save_session(offering, None, _session_data(form))
        if saved.ok:
            message = _("Session added.")
            if is_htmx():
                return _part("sessions", offering, message=message)
            flash(message, "success")
            return _back_to(offering, "#sessions")
        _show_problems(form, saved.problems)
    if is_htmx():
        return _part("sessions", offering, form)
    return _offering_page(offering, session_form=form, status=422)


def _session_form(session: Session) -> SessionForm:
    zone = session.offering.timezone
    starts = management.utc_to_local(session.starts_at, zone)
    ends = management.utc_to_local(session.ends_at, zone)
    return SessionForm(
        data={
            "title": session.title,
            "day": starts.date() if starts else None,
            "starts": starts.time() if starts else None,
            "ends": ends.time() if ends else None,
            "contact_hours": session.contact_hours,
        }
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int) -> tuple[str, int] | Response:
    session = load_or_404(Session, session_id, may_manage_session, options=SESSION_OPTIONS)
    if refusal := management.editing_refusal(session.offering):
        flash(refusal, "error")
        return _back_to(session.offering)
    form = _session_form(session)
    if form.validate_on_submit():
        saved = management.save_session(session.offering, session, _session_data(form))
        if saved.ok:
            flash(_("Session saved."), "success")
            return _back_to(session.offering, "#sessions")
        _show_problems(form, saved.problems)
    status = 422 if request.method == "POST" else 200
    return render_template("manage/session_form.html", form=form, session=session), status


@bp.post("/sessions/<int:session_id>/remove")
@login_required
def remove_session(session_id: int) -> str | tuple[str, int] | Response:
    session = load_or_404(Session, session_id, may_manage_session, options=SESSION_OPTIONS)
    offering = session.offering
    return _after_part_action("sessions", offering, management.remove_session(session))


# --- facilitators ------------------------------------------------------------------------


@bp.post("/offerings/<int:offering_id>/facilitators")
@login_required
def assign_facilitator(offering_id: int) -> str | tuple[str, int] | Response:
    offering = load_or_404(
        Offering, offering_id, may_manage_offering, options=OFFERING_PAGE_OPTIONS
    )
    form = FacilitatorForm()
    if form.validate_on_submit():
        result = management.assign_facilitator(offering, form.email.data or "")
        if result.ok:
            if is_htmx():
                return _part("facilitators", offering, message=result.message)
            flash(result.message, "success")
            return _back_to(offering, "#facilitators")
        _show_problems(form, {"email": result.message})
    if is_htmx():
        return _part("facilitators", offering, form)
    return _offering_page(offering, facilitator_form=form, status=422)


@bp.post("/offerings/<int:offering_id>/facilitators/<int:user_id>/remove")
@login_required
def unassign_facilitator(offering_id: int, user_id: int) -> str | tuple[str, int] | Response:
    offering = load_or_404(
        Offering, offering_id, may_manage_offering, options=OFFERING_PAGE_OPTIONS
    )
    result = management.unassign_facilitator(offering, user_id)
    return _after_part_action("facilitators", offering, result)


# --- status ------------------------------------------------------------------------------


def _after_status_action(
    offering: Offering, result: management.ActionResult, cancel_form: CancelForm | None = None
) -> tuple[str, int] | Response:
    if is_htmx():
        # The status touches the whole page; htmx swaps the body with it (a 200).
        flash(result.message, "success" if result.ok else "error")
        db.session.expire_all()
        fresh = load_or_404(
            Offering, offering.id, may_manage_offering, options=OFFERING_PAGE_OPTIONS
        )
        return _offering_page(fresh, cancel_form=cancel_form)
    if not result.ok:
        return _offering_page(
            offering, cancel_form=cancel_form, action_error=result.message, status=422
        )
    flash(result.message, "success")
    return _back_to(offering)


@bp.post("/offerings/<int:offering_id>/publish")
@login_required
def publish(offering_id: int) -> tuple[str, int] | Response:
    offering = load_or_404(
        Offering, offering_id, may_manage_offering, options=OFFERING_PAGE_OPTIONS
    )
    return _after_status_action(offering, management.publish(offering))


@bp.post("/offerings/<int:offering_id>/complete")
@login_required
def complete(offering_id: int) -> tuple[str, int] | Response:
    offering = load_or_404(
        Offering, offering_id, may_manage_offering, options=OFFERING_PAGE_OPTIONS
    )
    return _after_status_action(offering, management.complete(offering, utcnow()))


@bp.post("/offerings/<int:offering_id>/cancel")
@login_required
def cancel(offering_id: int) -> tuple[str, int] | Response:
    offering = load_or_404(
        Offering, offering_id, may_manage_offering, options=OFFERING_PAGE_OPTIONS
    )
    form = CancelForm()
    if not form.validate_on_submit():
        return _after_status_action(
            offering, management.ActionResult(False, _("Please check the reason.")), form
        )
    result = management.cancel(offering, current_user, form.reason.data or "", utcnow())
    return _after_status_action(offering, result, None if result.ok else form)
