"""Reports: pages (an htmx partial when a filter changes) and a CSV behind every table."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from esp_registry.access import may_see_reports, report_scope
from esp_registry.accounts.rules import affiliate_choices, job_family_choices
from esp_registry.catalog.models import OfferingFormat
from esp_registry.columns import utcnow
from esp_registry.csv_export import csv_response
from esp_registry.extensions import db
from esp_registry.mentoring.models import ActivityType
from esp_registry.mentoring.rules import ACTIVITY_NAMES
from esp_registry.reference.models import Program
from esp_registry.reports import charts, evaluation_queries, queries
from esp_registry.reports.forms import ReportFilters
from esp_registry.web import is_htmx

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.before_request
@login_required
def staff_only() -> None:
    if not may_see_reports(current_user):
        abort(404)


def _filters() -> tuple[ReportFilters, queries.Filters | None]:
    """The filter form and, when it is valid, what the report counts (scope included)."""
    form = ReportFilters(request.args)
    chosen = form.affiliate.data
    scope = report_scope(current_user, chosen)  # 404 for another affiliate than one's own
    form.program.choices = [("", _("All programs"))] + [
        (p.id, p.name) for p in db.session.scalars(sa.select(Program).order_by(Program.name))
    ]
    own = None if current_user.is_national_admin else current_user.approver_affiliate_ids
    form.affiliate.choices = [("", _("All my affiliates") if own else _("All affiliates"))] + [
        (i, n) for i, n in affiliate_choices() if own is None or i in own
    ]
    form.job_family.choices = [("", _("All job families")), *job_family_choices()]
    form.format.choices = [
        ("", _("All formats")),
        ("in_person", _("In person")),
        ("virtual", _("Virtual")),
        ("hybrid", _("Hybrid")),
    ]
    if not form.validate():
        return form, None
    this_year = utcnow().year
    year_to = form.year_to.data or max(this_year, form.year_from.data or this_year)
    year_from = form.year_from.data or min(year_to - 1, this_year - 1)
    form.year_from.data, form.year_to.data = year_from, year_to
    return form, queries.Filters(
        scope=scope,
        year_from=year_from,
        year_to=year_to,
        program_id=form.program.data,
        job_family_id=form.job_family.data,
        format=OfferingFormat(form.format.data) if form.format.data else None,
    )


def _page(
    template: str, form: ReportFilters, *, partial: bool = True, **context: Any
) -> tuple[str, int]:
    """The report page, or only its numbers (the part a filter changes) for htmx."""
    swap = partial and is_htmx()
    # 200 for htmx even for bad filters: htmx swaps only successful answers.
    status = 200 if context.get("report") is not None or swap else 422
    name = f"reports/_{template}.html" if swap else f"reports/{template}.html"
    chosen = {
        "year_from": form.year_from.data,
        "year_to": form.year_to.data,
        "program": form.program.data,
        "affiliate": form.affiliate.data,
        "job_family": form.job_family.data,
        "format": form.format.data,
    }
    csv_args = {k: v for k, v in chosen.items() if v}
    return render_template(name, filters=form, csv_args=csv_args, **context), status


@bp.get("")
def index() -> tuple[str, int]:
    form, _f = _filters()  # the links keep the filters (and another affiliate is a 404)
    return _page("index", form, partial=False, report={})


@bp.get("/participation")
def participation() -> tuple[str, int]:
    form, f = _filters()
    if f is None:
        return _page("participation", form, report=None)
    tables = queries.participation_tables(f)
    series = [("registrations", _("Registrations")), ("attendees", _("Attendees"))]
    report = {
        "tables": tables,
        "by_family": charts.bar_chart(
            _("Attendees by job family"),
            _("Members who attended at least one session, per job family."),
            tables["job_family"],
            [("attendees", _("Attendees"))],
        ),
        "by_affiliate": charts.bar_chart(
            _("Registrations and attendees by affiliate"),
            _("Attendees and registered members who did not attend, per affiliate."),
            [_Stacked(r) for r in tables["affiliate"]],
            [("attendees", _("Attendees")), ("missing", _("Registered, did not attend"))],
        ),
        "trend": charts.line_chart(
            _("Registrations over time"),
            _("Registrations per month.") if f.one_year else _("Registrations per year."),
            tables["period"],
            "registrations",
        ),
        "series": series,
    }
    return _page("participation", form, report=report, f=f)


class _Stacked:
    """A participation row split into attendees and registered members who did not come."""

    def __init__(self, row: queries.ParticipationRow) -> None:
        self.label = row.label
        self.attendees = row.attendees
        self.missing = max(row.registrations - row.attendees, 0)


@bp.get("/attendance")
def attendance() -> tuple[str, int]:
    form, f = _filters()
    if f is None:
        return _page("attendance", form, report=None)
    tables = queries.attendance_tables(f, latest_offerings=queries.LATEST_OFFERINGS)
    report = {
        "tables": tables,
        "by_program": charts.bar_chart(
            _("Attended and no-shows by program"),
            _("Confirmed members who attended, and those absent from every session."),
            tables["program"],
            [("attended", _("Attended")), ("no_shows", _("No-shows"))],
        ),
    }
    return _page("attendance", form, report=report, f=f)


@bp.get("/certificates")
def certificates() -> tuple[str, int]:
    form, f = _filters()
    if f is None:
        return _page("certificates", form, report=None)
    tables = {
        "month": queries.certificates_by_month(f),
        **queries.participation_tables(f, ("job_family", "affiliate")),
        "busiest": queries.busiest_trainings(f),
    }
    report = {
        "tables": tables,
        "per_month": charts.line_chart(
            _("Certificates issued per month"),
            _("Training certificates issued each month (reissues counted once)."),
            tables["month"],
            "count",
        ),
        "hours_by_family": charts.bar_chart(
            _("Credited hours by job family"),
            _("Hours credited for attended sessions, per job family."),
            tables["job_family"],
            [("hours", _("Credited hours"))],
        ),
    }
    return _page("certificates", form, report=report, f=f)


def stage_names() -> dict[str, str]:
    return {
        "started": _("Started"),
        "submitted": _("Submitted"),
        "endorsed": _("Endorsed"),
        "scored": _("Scored"),
        "selected": _("Selected"),
        "alternate": _("Alternate"),
        "confirmed": _("Confirmed"),
    }


class _Stage:
    def __init__(self, label: str, count: int) -> None:
        self.label, self.count = label, count


@bp.get("/lft")
def lft() -> tuple[str, int]:
    form, f = _filters()
    if f is None:
        return _page("lft", form, report=None)
    tables = {
        "cycle": queries.lft_pipeline(f, by_affiliate=False),
        "affiliate": queries.lft_pipeline(f, by_affiliate=True),
    }
    names = stage_names()
    latest = tables["cycle"][0] if tables["cycle"] else None
    funnel = [_Stage(names[s], getattr(latest, s)) for s in queries.STAGES] if latest else []
    report = {
        "tables": tables,
        "stages": names,
        "funnel": charts.bar_chart(
            _("Leaders for Tomorrow %(year)s: applications at each stage", year=latest.cycle)
            if latest
            else _("Leaders for Tomorrow"),
            _("How many applications reached each stage, from started to confirmed."),
            funnel,
            [("count", _("Applications"))],
        ),
    }
    return _page("lft", form, report=report, f=f)


def _activities(f: queries.Filters) -> list[queries.ActivityRow]:
    rows = queries.mentoring_hours_by_activity(f)
    return [replace(r, label=str(ACTIVITY_NAMES[ActivityType(r.key)])) for r in rows]


@bp.get("/mentoring")
def mentoring() -> tuple[str, int]:
    form, f = _filters()
    if f is None:
        return _page("mentoring", form, report=None)
    tables = {
        "affiliate": queries.mentoring_by(f, "affiliate"),
        "job_family": queries.mentoring_by(f, "job_family"),
        "activity": _activities(f),
    }
    report = {
        "tables": tables,
        "supply": charts.bar_chart(
            _("Mentors available and requests waiting, by job family"),
            _("Active mentors with a free place, and mentoring requests still waiting."),
            tables["job_family"],
            [
                ("mentors_available", _("Mentors available")),
                ("requests_waiting", _("Requests waiting")),
            ],
        ),
        "activity": charts.bar_chart(
            _("Hours logged by activity type"),
            _("Mentoring hours logged in these years, per activity type."),
            tables["activity"],
            [("hours", _("Hours"))],
        ),
    }
    return _page("mentoring", form, report=report, f=f)


@bp.get("/evaluations")
def evaluations() -> tuple[str, int]:
    form, f = _filters()
    if f is None:
        return _page("evaluations", form, report=None)
    programs = evaluation_queries.evaluations_by(f, "program")
    offerings = evaluation_queries.evaluations_by(f, "offering")
    report = {
        "tables": {"program": programs, "offering": offerings[: queries.LATEST_OFFERINGS]},
        "more_offerings": len(offerings) > queries.LATEST_OFFERINGS,
        "by_program": charts.bar_chart(
            _("Mean rating by program"),
            _("Each program's mean rating (1 to 5), where at least 5 people answered."),
            [r for r in programs if r.mean is not None],
            [("mean", _("Mean rating"))],
        ),
    }
    return _page("evaluations", form, report=report, f=f)


# ---------------------------------------------------------------------------- CSV

PARTICIPATION_HEADER = ["registrations", "attendees", "credited_hours"]
ATTENDANCE_HEADER = [
    "confirmed",
    "attended",
    "no_shows",
    "attendance_rate",
    "no_show_rate",
    "waited",
    "promoted",
    "never_seated",
    "cancelled",
    "seats_taken",
    "capacity",
    "fill_rate",
]


MENTORING_HEADER = [
    "mentors_available",
    "open_places",
    "requests_waiting",
    "active_pairings",
    "matched",
    "average_days_to_match",
    "completed",
]


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


@bp.get("/<any(participation, attendance, certificates, lft, mentoring):report>/<table>.csv")
def table_csv(report: str, table: str) -> Response:
    _form, f = _filters()
    if f is None:
        abort(404)
    if report == "participation" and table in queries.PARTICIPATION_TABLES:
        rows = queries.participation_by(f, table)
        key = ["year", "month"] if table == "period" and f.one_year else ["year"]
        key = key if table == "period" else [f"{table}_id", table]
        return csv_response(
            f"participation-by-{table}",
            key + PARTICIPATION_HEADER,
            (
                [
                    *(r.key if table == "period" else (r.key, r.label)),
                    r.registrations,
                    r.attendees,
                    r.hours,
                ]
                for r in rows
            ),
        )
    if report == "attendance" and table in queries.ATTENDANCE_TABLES:
        rows = queries.attendance_by(f, table)
        return csv_response(
            f"attendance-by-{table}",
            [f"{table}_id", table, *ATTENDANCE_HEADER],
            (
                [
                    r.key,
                    r.label,
                    r.confirmed,
                    r.attended,
                    r.no_shows,
                    _rate(r.attendance_rate),
                    _rate(r.no_show_rate),
                    r.waited,
                    r.promoted,
                    r.never_seated,
                    r.cancelled,
                    r.seats_taken,
                    r.capacity,
                    _rate(r.fill_rate),
                ]
                for r in rows
            ),
        )
    if report == "certificates" and table in ("month", "busiest"):
        rows = (
            queries.certificates_by_month(f)
            if table == "month"
            else queries.busiest_trainings(f, limit=None)
        )
        header = (
            ["year", "month", "certificates", "hours"]
            if table == "month"
            else ["offering_id", "offering", "attendees", "credited_hours"]
        )
        return csv_response(
            f"certificates-{table}",
            header,
            (
                [*r.key, r.count, r.hours]
                if table == "month"
                else [r.key, r.label, r.count, r.hours]
                for r in rows
            ),
        )
    if report == "lft" and table in ("cycle", "affiliate"):
        pipeline = queries.lft_pipeline(f, by_affiliate=table == "affiliate")
        key = ["cycle"] if table == "cycle" else ["cycle", "affiliate_id", "affiliate"]
        rates = [f"{s}_conversion" for s in queries.STAGES[1:]]
        return csv_response(
            f"lft-pipeline-by-{table}",
            [*key, *queries.STAGES, *rates],
            (
                [
                    *([r.cycle] if table == "cycle" else [r.cycle, r.key, r.label]),
                    *(getattr(r, s) for s in queries.STAGES),
                    *(_rate(r.conversion(s)) for s in queries.STAGES[1:]),
                ]
                for r in pipeline
            ),
        )
    if report == "mentoring" and table in ("affiliate", "job_family"):
        return csv_response(
            f"mentoring-by-{table}",
            [f"{table}_id", table, *MENTORING_HEADER],
            (
                [
                    r.key,
                    r.label,
                    r.mentors_available,
                    r.open_places,
                    r.requests_waiting,
                    r.active_pairings,
                    r.matched,
                    "" if r.days_to_match is None else f"{r.days_to_match:.1f}",
                    r.completed,
                ]
                for r in queries.mentoring_by(f, table)
            ),
        )
    if report == "mentoring" and table == "activity":
        return csv_response(
            "mentoring-hours-by-activity",
            ["activity", "logs", "hours"],
            ([r.key, r.logs, r.hours] for r in queries.mentoring_hours_by_activity(f)),
        )
    abort(404)


@bp.get("/registrations.csv")
def registrations_csv() -> Response:
    """Every registration in scope, streamed (constant memory for 150,000 rows)."""
    _form, f = _filters()
    if f is None:
        abort(404)
    return csv_response("registrations", queries.REGISTRATION_COLUMNS, queries.registration_rows(f))


@bp.get("/evaluations/<any(program, offering):table>.csv")
def evaluations_csv(table: str) -> Response:
    """One line per program or offering and rating question; numbers only from 5 answers."""
    _form, f = _filters()
    if f is None:
        abort(404)
    rows = evaluation_queries.evaluations_by(f, table)
    return csv_response(
        f"evaluations-by-{table}",
        [f"{table}_id", table, "answered", "question", "answers", "mean"],
        _evaluation_lines(rows),
    )


def _evaluation_lines(rows: list[evaluation_queries.EvaluationRow]) -> Iterator[list[Any]]:
    for r in rows:
        if not r.questions:
            yield [r.key, r.label, r.answered, "", "", ""]
        for q in r.questions:
            yield [r.key, r.label, r.answered, q.prompt, q.answers, q.mean]
