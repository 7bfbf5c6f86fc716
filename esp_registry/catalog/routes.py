from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from esp_registry.access import load_or_404, may_view_offering
from esp_registry.catalog import queries
from esp_registry.catalog.models import Offering, OfferingFormat
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.paging import more_rows, page_request
from esp_registry.reference.models import Affiliate, JobFamily
from esp_registry.registrations.queries import registration_box
from esp_registry.web import is_htmx

bp = Blueprint("catalog", __name__)


def _filters_from_request(job_family: JobFamily | None = None) -> queries.CatalogFilters:
    args = request.args
    if job_family is None and args.get("job_family"):
        job_family = db.session.scalar(
            sa.select(JobFamily).where(JobFamily.slug == args.get("job_family", "")[:60])
        )
    fmt = args.get("format", "")
    host, host_affiliate = args.get("host", "")[:20], None
    if host and host != "national":
        host_affiliate = db.session.scalar(sa.select(Affiliate).where(Affiliate.code == host))
        host = host if host_affiliate is not None else ""  # a code of no state: no filter
    return queries.CatalogFilters(
        job_family=job_family,
        host=host,
        host_affiliate=host_affiliate,
        format=OfferingFormat(fmt) if fmt in OfferingFormat._value2member_map_ else None,
        text=args.get("q", "").strip()[:100],
    )


def _catalog(template: str, job_family: JobFamily | None = None) -> str:
    filters = _filters_from_request(job_family)
    at = page_request("catalog-rows")
    result = queries.upcoming_offerings(filters, utcnow(), at)
    if at.more:  # "Show more": the next rows, appended in place
        return more_rows("catalog/_rows.html", "catalog-rows", result=result)
    active_filters = filters.active(with_job_family=job_family is None)
    # htmx's live filter swaps only the results; a direct load gets the whole page.
    if is_htmx() and request.headers.get("HX-Target") == "results":
        # `fragment`: the parts outside #results that follow the filters come along (oob).
        return render_template(
            "catalog/_results.html",
            result=result,
            filters=filters,
            active_filters=active_filters,
            fragment=True,
        )
    return render_template(
        template,
        result=result,
        filters=filters,
        active_filters=active_filters,
        job_families=queries.job_families(),
        affiliates=queries.affiliates(),
        formats=list(OfferingFormat),
    )


@bp.get("/")
def index() -> str:
    return _catalog("catalog/index.html")


@bp.get("/job-families/<slug>")
def job_family(slug: str) -> str:
    family = db.session.scalar(sa.select(JobFamily).where(JobFamily.slug == slug[:60]))
    if family is None:
        abort(404)
    return _catalog("catalog/job_family.html", family)


@bp.get("/offerings/<int:offering_id>")
def offering(offering_id: int) -> str:
    found = load_or_404(
        Offering, offering_id, may_view_offering, options=queries.OFFERING_PAGE_OPTIONS
    )
    return render_template(
        "catalog/offering.html", offering=found, box=registration_box(found, current_user, utcnow())
    )
