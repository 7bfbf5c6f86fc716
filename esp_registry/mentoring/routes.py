"""Supporting Our Own mentoring pages (PRODUCT §8): load, check, call one rule, render.

Every action works as a plain form post and redirect; htmx swaps the row or section that
shows the new truth. htmx swaps only 2xx responses, so its refusals come back as 200
fragments showing the message, while plain posts get 422 or a flashed message.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from esp_registry.access import (
    load_or_404,
    may_delete_mentoring_log,
    may_edit_mentoring_request,
    may_match_mentoring,
    may_match_request,
    may_see_mentoring_request,
    may_see_pairing,
    may_staff_pairing,
    may_take_part_in_pairing,
    mentoring_scope,
)
from esp_registry.certificates.rules import display_code
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.mentoring import queries, rules
from esp_registry.mentoring.forms import LogForm, MatchForm, MentorForm, RequestForm
from esp_registry.mentoring.models import (
    ActivityType,
    MentoringLog,
    MentoringPairing,
    MentoringRequest,
    MentoringRole,
    MentorProfile,
)
from esp_registry.paging import more_rows, page_request
from esp_registry.web import is_htmx, safe_next

bp = Blueprint("mentoring", __name__, url_prefix="/mentoring")


@bp.app_template_filter("day")
def day(value: date | datetime | None) -> str:
    """A calendar date, e.g. 'September 1, 2026'; an instant as its date in the mentoring
    time zone."""
    if isinstance(value, datetime):
        value = rules.today(value)
    return format_date(value, "long") if value else ""


def _show_errors(form: MentorForm | RequestForm | LogForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        if name in form._fields and message not in form[name].errors:
            form[name].errors = [*form[name].errors, message]


def _tone(result: rules.Result) -> str:
    return "success" if result.ok else "error"


# ---------------------------------------------------------------------------- overview


@bp.get("/")
@login_required
def index() -> str:
    eligible = rules.is_eligible_mentor(current_user.id)
    mine = queries.my_mentoring(current_user, eligible)
    return render_template(
        "mentoring/index.html",
        mine=mine,
        mentor_status=rules.shown_mentor_status(mine.profile, eligible) if mine.profile else None,
        may_match=may_match_mentoring(current_user),
    )


# ---------------------------------------------------------------------------- mentors


@bp.route("/mentor", methods=["GET", "POST"])
@login_required
def mentor() -> tuple[str, int] | Response:
    now = utcnow()
    profile = rules.profile_of(current_user)
    form = MentorForm(obj=profile)
    form.fill_choices()
    if request.method == "GET" and profile is None:
        form.fill_from_member(current_user)
    result = None
    if form.validate_on_submit():
        result = rules.volunteer(current_user, form.details(), now)
        if result.ok:
            flash(result.message, "success")
            return redirect(url_for("mentoring.mentor"))
        _show_errors(form, result.errors)
    elif form.is_submitted():
        problems = rules.mentor_problems(form.details())
        _show_errors(form, {k: v for k, v in problems.items() if not form[k].errors})
    eligibility = rules.mentor_eligibility(current_user, now)
    profile = rules.profile_of(current_user)
    return render_template(
        "mentoring/mentor.html",
        form=form,
        profile=profile,
        eligibility=eligibility,
        status=rules.shown_mentor_status(profile, eligibility.eligible) if profile else None,
        load=rules.active_pairings_count(profile.id) if profile else 0,
        program=rules.soo_program(),
        result=result,
    ), (422 if request.method == "POST" else 200)


def _own_profile() -> MentorProfile:
    profile = rules.profile_of(current_user)
    if profile is None:
        abort(404)
    return profile


@bp.post("/mentor/pause")
@login_required
def pause() -> Response:
    result = rules.pause(_own_profile())
    flash(result.message, _tone(result))
    return redirect(url_for("mentoring.mentor"))


@bp.post("/mentor/resume")
@login_required
def resume() -> Response:
    result = rules.resume(_own_profile())
    flash(result.message, _tone(result))
    return redirect(url_for("mentoring.mentor"))


@bp.post("/mentor/withdraw")
@login_required
def withdraw_mentor() -> Response:
    result = rules.withdraw_as_mentor(_own_profile())
    flash(result.message, _tone(result))
    return redirect(url_for("mentoring.mentor"))


# ---------------------------------------------------------------------------- mentees


@bp.route("/request", methods=["GET", "POST"])
@login_required
def ask() -> tuple[str, int] | Response:
    """The member's request for a mentor: the form, or the open request they made."""
    now = utcnow()
    form = RequestForm()
    form.fill_choices()
    if request.method == "GET":
        form.fill_from_member(current_user)
    earliest = rules.years_before(rules.today(now), rules.NEW_TO_THE_JOB_YEARS)
    form.started_job_on.render_kw = {
        "min": earliest.isoformat(),
        "max": rules.today(now).isoformat(),
    }
    result = None
    if form.validate_on_submit():
        result = rules.ask_for_mentor(current_user, form.details(), now)
        if result.ok or result.outcome == rules.Outcome.ALREADY:
            flash(result.message, _tone(result))
            return redirect(url_for("mentoring.ask"))
        _show_errors(form, result.errors)
    elif form.is_submitted():
        problems = rules.request_problems(form.details(), rules.today(now))
        _show_errors(form, {k: v for k, v in problems.items() if not form[k].errors})
    return render_template(
        "mentoring/request.html",
        form=form,
        open_request=rules.open_request_of(current_user),
        mentor_pairing=rules.active_pairing_as_mentee(current_user),
        latest=queries.latest_request(current_user),
        earliest_start=earliest,
        today=rules.today(now),
        result=result,
    ), (422 if request.method == "POST" else 200)


@bp.post("/requests/<int:request_id>/withdraw")
@login_required
def withdraw_request(request_id: int) -> Response:
    mentoring_request = load_or_404(MentoringRequest, request_id, may_edit_mentoring_request)
    result = rules.withdraw_request(mentoring_request)
    flash(result.message, _tone(result))
    return redirect(url_for("mentoring.ask"))


# ---------------------------------------------------------------------------- matching


SEARCH_MAX = 100
REQUEST_SUGGESTIONS = 25  # on a request's page; the queue shows SUGGESTIONS_SHOWN


def _search() -> str:
    return request.values.get("q", "")[:SEARCH_MAX].strip()


def _kept(search: str, page: int) -> dict[str, object]:
    """The queue's search and page, carried by its forms so a plain post comes back."""
    return {"q": search or None, "page": page if page > 1 else None}


def _queue_context() -> dict[str, object]:
    search = _search()
    at = page_request("request-rows")
    queue = queries.matching_queue(mentoring_scope(current_user), search=search, at=at)
    return {"queue": queue, "search": search, "keep": _kept(search, queue.rows.page)}


@bp.get("/requests")
@login_required
def queue() -> str:
    if not may_match_mentoring(current_user):
        abort(404)
    context = _queue_context()
    rows = context["queue"].rows  # type: ignore[attr-defined]
    if rows.more:
        return more_rows("mentoring/_request_rows.html", "request-rows", rows, **context)
    return render_template("mentoring/queue.html", **context)


@bp.get("/pairings")
@login_required
def pairings() -> str:
    """Every active pairing of the staff member's affiliates, ending soonest first."""
    if not may_match_mentoring(current_user):
        abort(404)
    search = _search()
    found = queries.active_pairings_page(
        mentoring_scope(current_user), search=search, at=page_request("pairing-rows")
    )
    if found.more:
        return more_rows("mentoring/_pairing_rows.html", "pairing-rows", found, pairings=found)
    return render_template("mentoring/pairings.html", pairings=found, search=search)


@bp.get("/requests/<int:request_id>")
@login_required
def request_page(request_id: int) -> str:
    """A request: its member sees its status; staff see the mentors ranked for it."""
    mentoring_request = load_or_404(
        MentoringRequest, request_id, may_see_mentoring_request, options=queries.REQUEST_OPTIONS
    )
    staff = may_match_request(current_user, mentoring_request)
    ranked = queries.Ranked([], 0)
    profiles = {}
    if staff and mentoring_request.status == "open":
        found = queries.ranked_for([mentoring_request.id], REQUEST_SUGGESTIONS)
        ranked, profiles = found[mentoring_request.id], queries.suggested_profiles(found)
    return render_template(
        "mentoring/request_page.html",
        mentoring_request=mentoring_request,
        staff=staff,
        suggestions=ranked.suggestions,
        available=ranked.available,
        profiles=profiles,
    )


@bp.post("/requests/<int:request_id>/match")
@login_required
def match(request_id: int) -> str | Response:
    mentoring_request = load_or_404(MentoringRequest, request_id, may_match_request)
    form = MatchForm()
    profile = (
        db.session.get(MentorProfile, form.mentor_profile_id.data) if form.validate() else None
    )
    if profile is None:
        result = rules.Result(rules.Outcome.INVALID, _("Choose a mentor from the suggestions."))
    else:
        result = rules.confirm_match(mentoring_request, profile, current_user)
    if is_htmx():
        # The queue's page again: counts, the mentor's new load in other rows, the pairing.
        return render_template("mentoring/_queue.html", result=result, **_queue_context())
    flash(result.message, _tone(result))
    back = url_for("mentoring.queue", **_kept(_search(), page_request("request-rows").page))
    return redirect(safe_next(request.form.get("next"), back))


# ---------------------------------------------------------------------------- pairings


def _pairing(pairing_id: int, may) -> MentoringPairing:  # type: ignore[no-untyped-def]
    return load_or_404(MentoringPairing, pairing_id, may, options=queries.PAIRING_OPTIONS)


def _pairing_context(pairing: MentoringPairing, log_form: LogForm | None = None) -> dict:
    now = utcnow()
    role = pairing.role_of(current_user.id)
    if log_form is None:
        log_form = LogForm(formdata=None)
        log_form.on_date.data = min(rules.today(now), pairing.ends_on)
    log_form.on_date.render_kw = {
        "min": pairing.starts_on.isoformat(),
        "max": min(rules.today(now), pairing.ends_on).isoformat(),
    }
    return {
        "pairing": pairing,
        "role": role,
        "staff": may_staff_pairing(current_user, pairing),
        "logs": queries.pairing_logs(pairing),
        "totals": rules.totals(pairing),
        "certificates": queries.pairing_certificates(pairing),
        "form": log_form,
        "activities": list(ActivityType),
        "activity_names": rules.ACTIVITY_NAMES,
        "roles": list(MentoringRole),
        "today": rules.today(now),
        "days_left": rules.days_left(pairing, now),
        "end_error": None,
        "display_code": display_code,
    }


@bp.get("/pairings/<int:pairing_id>")
@login_required
def pairing(pairing_id: int) -> str:
    found = _pairing(pairing_id, may_see_pairing)
    return render_template("mentoring/pairing.html", **_pairing_context(found))


@bp.post("/pairings/<int:pairing_id>/logs")
@login_required
def log_activity(pairing_id: int) -> tuple[str, int] | Response:
    found = _pairing(pairing_id, may_take_part_in_pairing)
    form = LogForm()
    result = None
    if not found.is_active:
        result = rules.Result(
            rules.Outcome.NOT_ACTIVE, _("This pairing is over: no more activities.")
        )
    elif form.validate_on_submit():
        result = rules.log_activity(found, current_user, form.entry())
        _show_errors(form, result.errors)
    else:
        problems = rules.log_problems(found, form.entry(), rules.today(utcnow()))
        _show_errors(form, {k: v for k, v in problems.items() if not form[k].errors})
    if result is not None and result.ok:
        if not is_htmx():
            flash(result.message, "success")
            return redirect(url_for("mentoring.pairing", pairing_id=found.id) + "#activity-log")
        form = None  # a fresh form for the next activity
    found = queries.pairing_for_page(pairing_id)
    assert found is not None
    context = _pairing_context(found, form)
    context["result"] = result
    if is_htmx():
        return render_template("mentoring/_logs.html", **context), 200
    return render_template("mentoring/pairing.html", **context), 422


@bp.post("/logs/<int:log_id>/delete")
@login_required
def delete_log(log_id: int) -> str | Response:
    log = load_or_404(MentoringLog, log_id, may_delete_mentoring_log)
    pairing_id = log.pairing_id
    result = rules.delete_log(log, current_user)
    if is_htmx():
        found = queries.pairing_for_page(pairing_id)
        assert found is not None
        context = _pairing_context(found)
        context["result"] = result
        return render_template("mentoring/_logs.html", **context)
    flash(result.message, _tone(result))
    return redirect(url_for("mentoring.pairing", pairing_id=pairing_id) + "#activity-log")


@bp.post("/pairings/<int:pairing_id>/end")
@login_required
def end(pairing_id: int) -> tuple[str, int] | Response:
    found = _pairing(pairing_id, may_see_pairing)
    result = rules.end_pairing(found, current_user, request.form.get("reason", "")[:4000])
    back = url_for("mentoring.pairing", pairing_id=pairing_id)
    if result.outcome == rules.Outcome.INVALID and not request.form.get("next"):
        found = queries.pairing_for_page(pairing_id)
        assert found is not None
        context = _pairing_context(found)
        context["end_error"] = result.errors.get("reason", result.message)
        return render_template("mentoring/pairing.html", **context), 422
    flash(result.message, _tone(result))
    return redirect(safe_next(request.form.get("next"), back))


@bp.post("/pairings/<int:pairing_id>/complete")
@login_required
def complete(pairing_id: int) -> Response:
    found = _pairing(pairing_id, may_staff_pairing)
    result = rules.complete_pairing(found, current_user)
    flash(result.message, _tone(result))
    back = url_for("mentoring.pairing", pairing_id=pairing_id)
    return redirect(safe_next(request.form.get("next"), back))
