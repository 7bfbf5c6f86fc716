"""Leaders for Tomorrow pages (PRODUCT §5): load, check, call one rule, render.

Every action works as a plain form post and redirect; htmx swaps the row or fragment that
shows the new truth. htmx swaps only 2xx responses, so its refusals come back as 200
fragments showing the message, while plain posts get 422 or a flashed message.
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from esp_registry.access import (
    lft_affiliate_scope,
    load_or_404,
    may_edit_lft_application,
    may_endorse_lft_application,
    may_manage_lft,
    may_review_lft_nationally,
    may_score_lft_application,
    may_view_lft_application,
)
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.lft import cycles as cycle_rules
from esp_registry.lft import queries, rules
from esp_registry.lft.export import applications_csv
from esp_registry.lft.forms import AlternateForm, ApplicationForm, CycleForm, ReviewFilters
from esp_registry.lft.models import LftApplication, LftCycle
from esp_registry.paging import more_rows, page_request
from esp_registry.reference.models import Affiliate, JobFamily
from esp_registry.web import is_htmx, safe_next

bp = Blueprint("lft", __name__, url_prefix="/lft")


def _cycle(cycle_id: int) -> LftCycle:
    cycle = db.session.get(LftCycle, cycle_id)
    if cycle is None:
        abort(404)
    return cycle


def _may_work_on_affiliate_queue() -> None:
    if not (current_user.is_national_admin or current_user.approver_affiliate_ids):
        abort(404)


def _show_errors(form: ApplicationForm | CycleForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        if name in form._fields:
            form[name].errors = [*form[name].errors, message]


# ---------------------------------------------------------------------------- members


@bp.get("/")
@login_required
def index() -> str:
    now = utcnow()
    return render_template(
        "lft/index.html",
        cycle=queries.current_cycle(now),
        mine=queries.my_applications(current_user),
        shown_status=queries.shown_status,
        now=now,
        may_review=may_review_lft_nationally(current_user),
        may_manage=may_manage_lft(current_user),
        may_endorse=bool(current_user.approver_affiliate_ids),
    )


def _word_counts(form: ApplicationForm) -> dict[str, int]:
    return {e.field: rules.word_count(form[e.field].data) for e in rules.ESSAYS}


@bp.route("/cycles/<int:cycle_id>/apply", methods=["GET", "POST"])
@login_required
def apply(cycle_id: int) -> tuple[str, int] | Response:
    cycle = _cycle(cycle_id)
    application = rules.application_of(current_user, cycle)
    if application is not None and application.status != rules.Status.DRAFT:
        return redirect(url_for("lft.application", application_id=application.id))
    form = ApplicationForm(obj=application)
    result = None
    if form.validate_on_submit():
        answers = form.answers()
        if request.form.get("action") == "submit":
            result = rules.submit(current_user, cycle, answers)
        else:
            result = rules.save_draft(current_user, cycle, answers)
        if result.ok and result.application is not None:
            flash(result.message, "success")
            if result.outcome == rules.Outcome.SUBMITTED:
                return redirect(url_for("lft.application", application_id=result.application.id))
            return redirect(url_for("lft.apply", cycle_id=cycle.id))
        _show_errors(form, result.errors)
    elif form.is_submitted():
        # Shape errors first; show the rules' messages (word limits...) beside them at once.
        complete = request.form.get("action") == "submit"
        problems = rules.answer_problems(form.answers(), complete=complete)
        _show_errors(form, {k: v for k, v in problems.items() if not form[k].errors})
    status = 422 if request.method == "POST" else 200
    return render_template(
        "lft/apply.html",
        cycle=cycle,
        form=form,
        application=application,
        result=result,
        counts=_word_counts(form),
        essays=rules.ESSAYS,
        is_open=cycle.is_open(utcnow()),
    ), status


@bp.post("/words/<field>")
@login_required
def words(field: str) -> str:
    """The live word count of one answer (htmx, as the member types)."""
    limit = rules.WORD_LIMITS.get(field)
    if limit is None:
        abort(404)
    count = rules.word_count(request.form.get(field, "")[: 4 * 8000])
    return render_template("lft/_words.html", field=field, count=count, limit=limit)


@bp.post("/cycles/<int:cycle_id>/autosave")
@login_required
def autosave(cycle_id: int) -> str:
    """Save the draft while the member writes (htmx); the page shows when it was saved."""
    cycle = _cycle(cycle_id)
    form = ApplicationForm()
    if not form.validate():
        return render_template("lft/_autosave.html", result=None, problem=True)
    result = rules.save_draft(current_user, cycle, form.answers())
    return render_template("lft/_autosave.html", result=result, problem=not result.ok)


@bp.get("/applications/<int:application_id>")
@login_required
def application(application_id: int) -> str:
    application = load_or_404(
        LftApplication, application_id, may_view_lft_application, options=queries.PAGE_OPTIONS
    )
    if may_edit_lft_application(current_user, application):
        return render_template(
            "lft/my_application.html",
            application=application,
            status=queries.shown_status(application),
            history=queries.applicant_history(application),
            essays=rules.ESSAYS,
            may_withdraw=rules.may_withdraw(application),
        )
    scorer = may_score_lft_application(current_user, application)
    return render_template(
        "lft/staff_application.html",
        application=application,
        trail=queries.staff_trail(application),
        essays=rules.ESSAYS,
        may_endorse=may_endorse_lft_application(current_user, application),
        may_score=scorer and rules.may_be_scored(application),
        scores=queries.scores_by_reviewer(application) if scorer else {},
        has_scored=scorer and rules.has_scored(application, current_user),
        may_manage=may_manage_lft(current_user),
    )


def _member_action(application: LftApplication, result: rules.Result) -> Response:
    flash(result.message, "success" if result.ok else "error")
    return redirect(url_for("lft.application", application_id=application.id))


@bp.post("/applications/<int:application_id>/withdraw")
@login_required
def withdraw(application_id: int) -> Response:
    application = load_or_404(LftApplication, application_id, may_edit_lft_application)
    return _member_action(application, rules.withdraw(application))


@bp.post("/applications/<int:application_id>/confirm")
@login_required
def confirm(application_id: int) -> Response:
    application = load_or_404(LftApplication, application_id, may_edit_lft_application)
    return _member_action(application, rules.confirm_place(application))


@bp.post("/applications/<int:application_id>/refuse")
@login_required
def refuse(application_id: int) -> Response:
    application = load_or_404(LftApplication, application_id, may_edit_lft_application)
    comment = request.form.get("comment", "")
    return _member_action(application, rules.refuse_place(application, comment))


# ---------------------------------------------------------------------------- affiliate

SEARCH_MAX = 100


def _search() -> str:
    return request.args.get("q", "")[:SEARCH_MAX].strip()


@bp.get("/cycles/<int:cycle_id>/queue")
@login_required
def queue(cycle_id: int) -> str:
    _may_work_on_affiliate_queue()
    cycle = _cycle(cycle_id)
    search = _search()
    context = {
        "cycle": cycle,
        "queue": queries.affiliate_queue(
            cycle, lft_affiliate_scope(current_user), search=search, at=page_request("lft-queue")
        ),
        "search": search,
        "now": utcnow(),
    }
    if context["queue"].applications.more:
        return more_rows(
            "lft/_queue_rows.html", "lft-queue", context["queue"].applications, **context
        )
    return render_template("lft/queue.html", **context)


def _decided(application: LftApplication, result: rules.Result) -> str | Response:
    if is_htmx():
        counts, remaining = queries.queue_counts(
            application.cycle, lft_affiliate_scope(current_user)
        )
        return render_template(
            "lft/_queue_decided.html",
            application=application,
            result=result,
            counts=counts,
            remaining=remaining,
            cycle=application.cycle,
            now=utcnow(),
        )
    flash(result.message, "success" if result.ok else "error")
    back = url_for("lft.queue", cycle_id=application.cycle_id)
    return redirect(safe_next(request.form.get("next"), back))


@bp.post("/applications/<int:application_id>/endorse")
@login_required
def endorse(application_id: int) -> str | Response:
    application = load_or_404(LftApplication, application_id, may_endorse_lft_application)
    result = rules.endorse(
        application,
        current_user,
        request.form.get("comment", ""),
        internal=bool(request.form.get("internal")),
    )
    return _decided(application, result)


@bp.post("/applications/<int:application_id>/decline")
@login_required
def decline(application_id: int) -> str | Response:
    application = load_or_404(LftApplication, application_id, may_endorse_lft_application)
    result = rules.decline(
        application,
        current_user,
        request.form.get("comment", ""),
        internal=bool(request.form.get("internal")),
    )
    return _decided(application, result)


@bp.get("/cycles/<int:cycle_id>/applications.csv")
@login_required
def export(cycle_id: int) -> Response:
    _may_work_on_affiliate_queue()
    cycle = _cycle(cycle_id)
    body = applications_csv(cycle, lft_affiliate_scope(current_user))
    name = f"lft-{cycle.year}-applications.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ---------------------------------------------------------------------------- national


@bp.get("/cycles/<int:cycle_id>/review")
@login_required
def review(cycle_id: int) -> str:
    if not may_review_lft_nationally(current_user):
        abort(404)
    cycle = _cycle(cycle_id)
    filters = ReviewFilters(request.args)
    affiliate_id, family_id = filters.chosen("affiliate"), filters.chosen("family")
    sort = filters.sort(request.args.get("sort"))
    search = _search()
    rows = queries.national_review(
        cycle,
        current_user,
        affiliate_id=affiliate_id,
        job_family_id=family_id,
        sort=sort,
        search=search,
        at=page_request("review-list"),
    )
    context = {
        "cycle": cycle,
        "rows": rows,
        "sort": sort,
        "search": search,
        "may_manage": may_manage_lft(current_user),
        "selected": rules.selected_count(cycle.id),
    }
    if rows.more:
        return more_rows("lft/_review_rows.html", "review-list", rows, **context)
    if is_htmx() and request.headers.get("HX-Target") == "review-rows":
        return render_template("lft/_review_rows.html", **context)
    return render_template(
        "lft/review.html",
        affiliates=db.session.scalars(sa.select(Affiliate).order_by(Affiliate.name)).all(),
        families=db.session.scalars(sa.select(JobFamily).order_by(JobFamily.name)).all(),
        chosen_affiliate=affiliate_id,
        chosen_family=family_id,
        **context,
    )


@bp.route("/applications/<int:application_id>/score", methods=["GET", "POST"])
@login_required
def score(application_id: int) -> tuple[str, int] | Response:
    application = load_or_404(
        LftApplication, application_id, may_score_lft_application, options=queries.PAGE_OPTIONS
    )
    result = None
    if request.method == "POST":
        given = {}
        for criterion in application.cycle.criteria:
            value = request.form.get(f"criterion_{criterion.id}", "")
            given[criterion.id] = int(value) if value in {"1", "2", "3", "4", "5"} else None
        result = rules.score(application, current_user, given)
        if result.ok:
            flash(result.message, "success")
            return redirect(url_for("lft.score", application_id=application.id))
    scored = rules.has_scored(application, current_user)
    table = queries.scores_by_reviewer(application)
    mine = next((s for u, s in table.items() if u.id == current_user.id), {})
    return render_template(
        "lft/score.html",
        application=application,
        essays=rules.ESSAYS,
        result=result,
        mine=mine,
        has_scored=scored,
        others={u: s for u, s in table.items() if u.id != current_user.id} if scored else {},
        open_for_scoring=rules.may_be_scored(application),
    ), (422 if result is not None else 200)


def _selection(application_id: int, act, form: AlternateForm | None = None) -> Response:  # type: ignore[no-untyped-def]
    application = load_or_404(LftApplication, application_id, may_score_lft_application)
    if not may_manage_lft(current_user):
        abort(404)
    if form is not None and not form.validate():
        result = rules.Result(rules.Outcome.INVALID, " ".join(map(str, form.rank.errors)))
    else:
        result = act(application)
    flash(result.message, "success" if result.ok else "error")
    back = url_for("lft.review", cycle_id=application.cycle_id)
    return redirect(safe_next(request.form.get("next"), back))


@bp.post("/applications/<int:application_id>/select")
@login_required
def select(application_id: int) -> Response:
    return _selection(application_id, lambda a: rules.select(a, current_user))


@bp.post("/applications/<int:application_id>/alternate")
@login_required
def alternate(application_id: int) -> Response:
    form = AlternateForm()
    return _selection(
        application_id, lambda a: rules.name_alternate(a, current_user, form.rank.data), form
    )


@bp.post("/applications/<int:application_id>/reset")
@login_required
def reset(application_id: int) -> Response:
    return _selection(application_id, lambda a: rules.reset_decision(a, current_user))


@bp.route("/cycles/<int:cycle_id>/release", methods=["GET", "POST"])
@login_required
def release(cycle_id: int) -> Response | str:
    """GET says what releasing will do and whom it e-mails; the POST of its form does it."""
    if not may_manage_lft(current_user):
        abort(404)
    cycle = _cycle(cycle_id)
    if request.method == "GET":
        return render_template(
            "lft/release.html", cycle=cycle, preview=rules.release_preview(cycle)
        )
    result = rules.release_decisions(cycle, current_user)
    flash(result.message, "success" if result.ok else "error")
    return redirect(url_for("lft.review", cycle_id=cycle_id))


# ---------------------------------------------------------------------------- cycles


@bp.get("/cycles")
@login_required
def cycles() -> str:
    if not may_manage_lft(current_user):
        abort(404)
    return render_template("lft/cycles.html", cycles=queries.cycles())


def _cycle_data(form: CycleForm) -> cycle_rules.CycleData:
    return cycle_rules.CycleData(
        year=form.year.data,
        opens=form.opens.data,
        closes=form.closes.data,
        review_deadline=form.review_deadline.data,
        decision_date=form.decision_date.data,
        cohort_size=form.cohort_size.data,
        max_endorsements_per_affiliate=form.max_endorsements_per_affiliate.data,
        confirm_within_days=form.confirm_within_days.data,
        criteria=cycle_rules.parse_criteria(form.criteria.data or ""),
    )


DEFAULT_RUBRIC = (
    "Leadership experience: what the applicant has led and how\n"
    "Commitment to ESP members: service to their local and state\n"
    "Vision: a concrete plan to use what they learn\n"
    "Communication: clarity of the essays"
)


@bp.route("/cycles/new", methods=["GET", "POST"])
@bp.route("/cycles/<int:cycle_id>/edit", methods=["GET", "POST"])
@login_required
def edit_cycle(cycle_id: int | None = None) -> tuple[str, int] | Response:
    if not may_manage_lft(current_user):
        abort(404)
    cycle = _cycle(cycle_id) if cycle_id is not None else None
    form = CycleForm()
    if request.method == "GET" and cycle is not None:
        form.year.data = cycle.year
        form.opens.data = cycle_rules.to_local(cycle.opens_at)
        form.closes.data = cycle_rules.to_local(cycle.closes_at)
        form.review_deadline.data = cycle_rules.to_local(cycle.review_deadline)
        form.decision_date.data = cycle_rules.to_local(cycle.decision_date)
        form.cohort_size.data = cycle.cohort_size
        form.max_endorsements_per_affiliate.data = cycle.max_endorsements_per_affiliate
        form.confirm_within_days.data = cycle.confirm_within_days
        form.criteria.data = cycle_rules.criteria_text(cycle)
    elif request.method == "GET":
        form.criteria.data = DEFAULT_RUBRIC
    if form.validate_on_submit():
        saved, problems = cycle_rules.save_cycle(_cycle_data(form), cycle)
        if saved is not None:
            flash(_("Cycle %(year)s saved.", year=saved.year), "success")
            return redirect(url_for("lft.cycles"))
        _show_errors(form, problems)
    status = 422 if request.method == "POST" else 200
    return render_template("lft/cycle_form.html", form=form, cycle=cycle), status


@bp.cli.command("lapse")
def lapse_command() -> None:
    """Offer places not confirmed in time to the first alternates."""
    click.echo(f"{rules.lapse_unconfirmed()} unconfirmed place(s) lapsed.")
