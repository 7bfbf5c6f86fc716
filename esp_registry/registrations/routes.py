from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from esp_registry.access import (
    load_or_404,
    may_approve_registration,
    may_review_approvals,
    may_see_registration,
    may_staff_cancel,
    may_view_offering,
)
from esp_registry.catalog.models import Offering
from esp_registry.catalog.queries import OFFERING_PAGE_OPTIONS
from esp_registry.columns import utcnow
from esp_registry.paging import more_rows, page_request
from esp_registry.registrations import calendar, rules
from esp_registry.registrations.models import Registration
from esp_registry.registrations.queries import approvals_page, registration_box
from esp_registry.registrations.queries import my_trainings as my_trainings_query
from esp_registry.web import is_htmx, safe_next

bp = Blueprint("registrations", __name__)

# What registering reads of the offering (its audience, parent and dates, for the rules and
# the e-mail), in one query: a popular training's rush sends hundreds of these at once.
REGISTER_OPTIONS = (
    joinedload(Offering.parent),
    joinedload(Offering.sessions),
    joinedload(Offering.audience),
)


def _box(offering: Offering, result: rules.Result | None = None) -> str:
    return render_template(
        "catalog/_registration_box.html",
        box=registration_box(offering, current_user, utcnow(), result),
        result=result,
    )


def _after(registration: Registration, result: rules.Result) -> str | Response:
    """Answer an action on a registration where it was taken: the offering page's box,
    the My trainings list (htmx), or a redirect with a message (plain form)."""
    target = request.headers.get("HX-Target") if is_htmx() else None
    if target == "registration":
        return _box(registration.offering, result)
    if target == "my-trainings":
        return render_template(
            "registrations/_my_trainings.html",
            trainings=my_trainings_query(current_user, utcnow()),
            result=result,
        )
    flash(result.message, "success" if result.ok else "error")
    if request.form.get("back") == "offering":
        return redirect(url_for("catalog.offering", offering_id=registration.offering_id))
    return redirect(url_for("registrations.my_trainings"))


@bp.post("/offerings/<int:offering_id>/register")
@login_required
def register(offering_id: int) -> str | Response:
    offering = load_or_404(Offering, offering_id, may_view_offering, options=REGISTER_OPTIONS)
    result = rules.register(current_user, offering)
    if is_htmx():
        return _box(offering, result)
    flash(result.message, "success" if result.ok else "error")
    return redirect(url_for("catalog.offering", offering_id=offering.id))


@bp.get("/my-trainings")
@login_required
def my_trainings() -> str:
    at = page_request("past-rows")
    trainings = my_trainings_query(current_user, utcnow(), at)
    if at.more:
        return more_rows("registrations/_past_rows.html", "past-rows", result=trainings.past_page)
    return render_template("registrations/my_trainings.html", trainings=trainings)


@bp.post("/registrations/<int:registration_id>/cancel")
@login_required
def cancel(registration_id: int) -> str | Response:
    registration = load_or_404(Registration, registration_id, may_see_registration)
    return _after(registration, rules.cancel(registration, by=current_user))


@bp.post("/registrations/<int:registration_id>/accept")
@login_required
def accept(registration_id: int) -> str | Response:
    registration = load_or_404(Registration, registration_id, may_see_registration)
    return _after(registration, rules.accept_offer(registration))


@bp.get("/registrations/<int:registration_id>/calendar.ics")
@login_required
def ics(registration_id: int) -> Response:
    registration = load_or_404(Registration, registration_id, may_see_registration)
    return calendar.ics_response(registration.offering)


@bp.get("/offerings/<int:offering_id>/calendar.ics")
def offering_ics(offering_id: int) -> Response:
    offering = load_or_404(Offering, offering_id, may_view_offering, options=OFFERING_PAGE_OPTIONS)
    return calendar.ics_response(offering)


@bp.route("/waitlist/leave/<token>", methods=["GET", "POST"])
def leave_by_link(token: str) -> str | tuple[str, int]:
    """The link in waitlist e-mails: one button, no sign-in needed (the link is signed).
    GET only shows the button, so mail scanners that follow links change nothing; a dead
    link (expired, or the member is no longer on that waitlist) says so, and does nothing."""
    link = rules.read_leave_link(token[:300])
    if link.works and request.method == "POST":
        result = rules.leave_by_link(link)
        if result.ok:
            return render_template("registrations/left_waitlist.html", result=result)
        link = rules.LeaveLink(result.registration, problem=result)
    if not link.works:
        page = render_template("registrations/leave_waitlist.html", link=link, token=token)
        return page, 404 if link.registration is None else 410
    return render_template("registrations/leave_waitlist.html", link=link, token=token)


# ---------------------------------------------------------------------------- staff


@bp.get("/approvals")
@login_required
def approvals() -> str:
    if not may_review_approvals(current_user):
        abort(404)
    search = request.args.get("q", "")[:100]
    at = page_request("approvals")
    result = approvals_page(current_user, search, at)
    if at.more:
        return more_rows("registrations/_approval_rows.html", "approvals", result=result)
    return render_template("registrations/approvals.html", result=result, search=search)


def _decided(registration: Registration, result: rules.Result) -> str | Response:
    if is_htmx():
        return render_template(
            "registrations/_approval_row.html", registration=registration, result=result
        )
    flash(result.message, "success" if result.ok else "error")
    return redirect(url_for("registrations.approvals"))


@bp.post("/registrations/<int:registration_id>/approve")
@login_required
def approve(registration_id: int) -> str | Response:
    registration = load_or_404(Registration, registration_id, may_approve_registration)
    return _decided(registration, rules.approve(registration, current_user))


@bp.post("/registrations/<int:registration_id>/decline")
@login_required
def decline(registration_id: int) -> str | Response:
    registration = load_or_404(Registration, registration_id, may_approve_registration)
    reason = request.form.get("reason", "")
    return _decided(registration, rules.decline(registration, current_user, reason))


@bp.post("/registrations/<int:registration_id>/staff-cancel")
@login_required
def staff_cancel(registration_id: int) -> Response:
    registration = load_or_404(Registration, registration_id, may_staff_cancel)
    result = rules.cancel(
        registration, by=current_user, reason=request.form.get("reason", ""), staff=True
    )
    flash(result.message, "success" if result.ok else "error")
    back = url_for("catalog.offering", offering_id=registration.offering_id)
    return redirect(safe_next(request.form.get("next"), back))
