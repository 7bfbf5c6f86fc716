from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response

from esp_registry.access import (
    facilitated_offerings_query,
    load_or_404,
    may_take_session_attendance,
)
from esp_registry.attendance import rules
from esp_registry.attendance.models import AttendanceStatus
from esp_registry.catalog.models import Offering, Session
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration
from esp_registry.web import is_htmx

bp = Blueprint("attendance", __name__)

SESSION_OPTIONS = (joinedload(Session.offering).selectinload(Offering.facilitators),)


@bp.get("/facilitate")
@login_required
def facilitate() -> str:
    offerings = (
        db.session.scalars(
            facilitated_offerings_query(current_user).options(
                selectinload(Offering.sessions), joinedload(Offering.host_affiliate)
            )
        )
        .unique()
        .all()
    )
    offerings = sorted(offerings, key=lambda o: (o.starts_at is None, o.starts_at))
    return render_template("attendance/facilitate.html", offerings=offerings)


@bp.get("/sessions/<int:session_id>/roster")
@login_required
def roster(session_id: int) -> str:
    session = load_or_404(Session, session_id, may_take_session_attendance, options=SESSION_OPTIONS)
    rows = rules.roster(session)
    present = sum(1 for r in rows if r.status == AttendanceStatus.PRESENT)
    return render_template(
        "attendance/roster.html",
        session=session,
        rows=rows,
        present=present,
        closed=rules.marking_refusal(session, utcnow()),
    )


@bp.post("/sessions/<int:session_id>/attendance/<int:registration_id>")
@login_required
def mark(session_id: int, registration_id: int) -> str | Response:
    session = load_or_404(Session, session_id, may_take_session_attendance, options=SESSION_OPTIONS)
    status = request.form.get("status", "")
    registration = db.session.get(Registration, registration_id)
    if registration is None or status not in AttendanceStatus._value2member_map_:
        abort(404 if registration is None else 400)
    result = rules.mark(session, registration, AttendanceStatus(status), current_user)
    if result is None:
        abort(404)
    if is_htmx():
        return render_template(
            "attendance/_roster_row.html",
            session=session,
            row=result.row or rules.roster_row(session, registration),
            refusal=result.refusal,
            # The count above the table is swapped out-of-band so it stays true.
            count_update={
                "present": rules.present_count(session),
                "registered": rules.registered_count(session),
            },
        )
    if result.refusal:
        flash(result.refusal, "error")
    else:
        flash(
            _("%(name)s marked %(status)s.", name=registration.user.full_name, status=_(status)),
            "success",
        )
    return redirect(url_for("attendance.roster", session_id=session.id) + f"#r{registration.id}")
