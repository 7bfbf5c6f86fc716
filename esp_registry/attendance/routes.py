from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from esp_registry.access import (
    load_or_404,
    may_take_session_attendance,
)
from esp_registry.attendance import rules
from esp_registry.attendance.dashboard import facilitated_page
from esp_registry.attendance.models import AttendanceStatus
from esp_registry.attendance.sheet import sign_in_sheet_pdf
from esp_registry.catalog.models import Offering, Session
from esp_registry.certificates.render import qr_data_uri
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.paging import more_rows, page_request
from esp_registry.registrations.models import Registration
from esp_registry.web import hours_text, is_htmx

bp = Blueprint("attendance", __name__)

SESSION_OPTIONS = (joinedload(Session.offering).selectinload(Offering.facilitators),)


@bp.get("/facilitate")
@login_required
def facilitate() -> str:
    search = request.args.get("q", "")[:100]
    at = page_request("facilitate-rows")
    result = facilitated_page(current_user, search, at)
    if at.more:
        return more_rows("attendance/_facilitate_rows.html", "facilitate-rows", result=result)
    return render_template("attendance/facilitate.html", result=result, search=search)


SEARCH_MAX = 120
ROWS_ID = "roster-rows"  # the roster's <tbody>, where "Show more" appends


def _search() -> str:
    """What the roster is searched for: in the query string, or on a form posted from it."""
    return request.values.get("q", "")[:SEARCH_MAX].strip()


def _row_context() -> dict[str, object]:
    """What every row of a roster prints the same, worked out once per page (not per row)."""
    return {
        "words": {
            "present": _("Present"),
            "absent": _("Absent"),
            "unmarked": _("Not marked"),
            "hours": _("Credited hours"),
            "save": _("Save"),
        },
        "token": generate_csrf(),
    }


def _roster_context(session: Session, **extra: object) -> dict[str, object]:
    """One page of the roster as it was asked for (search and page), with its counts."""
    search = _search()
    rows = rules.roster(session, search, at=page_request(ROWS_ID))
    return {
        "session": session,
        "rows": rows,
        "search": search,
        "keep": _kept(search, rows.page),
        "errors": {},
        "closed": rules.marking_refusal(session, utcnow()),
        "counts": rules.roster_counts(session),
        **_row_context(),
        **extra,
    }


def _kept(search: str, page: int) -> dict[str, object]:
    """The search and page a form on the roster carries, so a plain post comes back to them."""
    return {"q": search or None, "page": page if page > 1 else None}


def _asked() -> dict[str, object]:
    """The search and page the request names (a form's action carries them)."""
    return _kept(_search(), page_request(ROWS_ID).page)


def _roster_page(session: Session, errors: dict[int, str] | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "attendance/roster.html", **_roster_context(session, errors=errors or {})
    ), status


def _roster_url(session: Session, anchor: str = "") -> str:
    """Back to the page of the roster the form was posted from, searched as it was."""
    return (
        url_for(
            "attendance.roster",
            session_id=session.id,
            **_asked(),
        )
        + anchor
    )


@bp.get("/sessions/<int:session_id>/roster")
@login_required
def roster(session_id: int):  # type: ignore[no-untyped-def]
    session = load_or_404(Session, session_id, may_take_session_attendance, options=SESSION_OPTIONS)
    if is_htmx() and request.headers.get("HX-Trigger") == "search":
        return _roster_table(session)
    context = _roster_context(session)
    if context["rows"].more:
        return more_rows("attendance/_roster_rows.html", ROWS_ID, context["rows"], **context)
    return render_template("attendance/roster.html", **context)


def _roster_table(session: Session, **extra: object) -> str:
    """The table htmx swaps after a search, a page change or "mark all", with the counts
    swapped out-of-band so they stay true."""
    return render_template(
        "attendance/_roster_table.html", **_roster_context(session, count_update=True, **extra)
    )


@bp.post("/sessions/<int:session_id>/attendance/mark-all")
@login_required
def mark_all(session_id: int) -> str | Response:
    session = load_or_404(Session, session_id, may_take_session_attendance, options=SESSION_OPTIONS)
    result = rules.mark_all_present(session, current_user)
    message = result.refusal or _("%(count)d marked present.", count=result.marked)
    if is_htmx():
        return _roster_table(session, message=message, message_is_error=bool(result.refusal))
    flash(message, "error" if result.refusal else "success")
    return redirect(_roster_url(session))


@bp.post("/sessions/<int:session_id>/attendance/<int:registration_id>/hours")
@login_required
def hours(session_id: int, registration_id: int):  # type: ignore[no-untyped-def]
    session = load_or_404(Session, session_id, may_take_session_attendance, options=SESSION_OPTIONS)
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        abort(404)
    result = rules.set_hours(session, registration, request.form.get("hours", ""), current_user)
    if result is None:
        abort(404)
    if is_htmx():
        # 200 even for bad input: htmx swaps only successful answers, and the row shows why.
        return render_template(
            "attendance/_roster_row.html",
            session=session,
            row=result.row,
            errors={registration.id: result.error} if result.error else {},
            keep=_asked(),
            **_row_context(),
        )
    if result.error:
        return _roster_page(session, {registration.id: result.error}, 422)
    flash(
        _(
            "%(name)s credited %(hours)s.",
            name=registration.user.full_name,
            hours=hours_text(result.row.attendance.credited_hours),
        ),
        "success",
    )
    return redirect(_roster_url(session, f"#r{registration.id}"))


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
            errors={},
            keep=_asked(),
            **_row_context(),
            # The counts above the table are swapped out-of-band so they stay true.
            counts=rules.roster_counts(session),
            count_update=True,
        )
    if result.refusal:
        flash(result.refusal, "error")
    else:
        flash(
            _("%(name)s marked %(status)s.", name=registration.user.full_name, status=_(status)),
            "success",
        )
    return redirect(_roster_url(session, f"#r{registration.id}"))


@bp.get("/sessions/<int:session_id>/check-in")
@login_required
def check_in_screen(session_id: int) -> str:
    """What the facilitator shows in the room: the session's QR code and its link."""
    session = load_or_404(Session, session_id, may_take_session_attendance, options=SESSION_OPTIONS)
    token = rules.check_in_token(session, current_app.config["SECRET_KEY"])
    link = current_app.config["PUBLIC_BASE_URL"] + url_for("attendance.check_in", token=token)
    opens, closes = rules.check_in_window(session)
    return render_template(
        "attendance/check_in_screen.html",
        session=session,
        link=link,
        qr=qr_data_uri(link),
        opens=opens,
        closes=closes,
        open_now=rules.check_in_open(session, utcnow()),
    )


@bp.route("/check-in/<token>", methods=["GET", "POST"])
@login_required
def check_in(token: str):  # type: ignore[no-untyped-def]
    """A member's self check-in. Opening the link shows one button; the POST (CSRF-protected)
    marks them present, so a link embedded elsewhere cannot check anyone in. The code works
    during its session's check-in window only."""
    secret_key = current_app.config["SECRET_KEY"]
    if request.method == "POST":
        result = rules.check_in(token, current_user, secret_key)
        return render_template(
            "attendance/check_in.html", session=result.session, token=token, result=result
        ), (200 if result.ok else 422)
    allowed = rules.check_in_refusal(token, current_user, secret_key, utcnow())
    return render_template(
        "attendance/check_in.html",
        session=allowed.session,
        token=token,
        refusal=allowed.refusal,
        result=None,
    ), (200 if allowed.ok else 422)


@bp.get("/sessions/<int:session_id>/sign-in-sheet.pdf")
@login_required
def sign_in_sheet(session_id: int) -> Response:
    session = load_or_404(Session, session_id, may_take_session_attendance, options=SESSION_OPTIONS)
    response = make_response(sign_in_sheet_pdf(session))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'inline; filename="sign-in-sheet-session-{session.id}.pdf"'
    )
    return response
