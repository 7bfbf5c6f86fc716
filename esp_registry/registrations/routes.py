from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from esp_registry.access import load_or_404, may_see_registration, may_view_offering
from esp_registry.catalog.models import Offering
from esp_registry.catalog.queries import OFFERING_PAGE_OPTIONS
from esp_registry.columns import utcnow
from esp_registry.registrations import rules
from esp_registry.registrations.models import Registration
from esp_registry.registrations.queries import my_trainings as my_trainings_query
from esp_registry.web import is_htmx

bp = Blueprint("registrations", __name__)


@bp.post("/offerings/<int:offering_id>/register")
@login_required
def register(offering_id: int) -> str | Response:
    offering = load_or_404(Offering, offering_id, may_view_offering, options=OFFERING_PAGE_OPTIONS)
    result = rules.register(current_user, offering)
    if is_htmx():
        return render_template(
            "catalog/_registration_box.html",
            offering=offering,
            mine=result.registration,
            seats_left=rules.seats_left(offering),
            result=result,
        )
    flash(result.message, "success" if result.ok else "error")
    return redirect(url_for("catalog.offering", offering_id=offering.id))


@bp.get("/my-trainings")
@login_required
def my_trainings() -> str:
    return render_template(
        "registrations/my_trainings.html", trainings=my_trainings_query(current_user, utcnow())
    )


@bp.post("/registrations/<int:registration_id>/cancel")
@login_required
def cancel(registration_id: int) -> Response:
    registration = load_or_404(Registration, registration_id, may_see_registration)
    result = rules.cancel(registration)
    flash(result.message, "success" if result.ok else "error")
    return redirect(url_for("registrations.my_trainings"))
