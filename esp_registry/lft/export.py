"""CSV of a cycle's applications with status and scores: an approver's affiliate(s), or
national for admins."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.lft.models import LftApplication, LftCycle, LftStatus
from esp_registry.lft.queries import ROW_OPTIONS, score_summary

HEADER = [
    "id",
    "name",
    "email",
    "affiliate",
    "local",
    "job_family",
    "years_as_esp",
    "status",
    "alternate_rank",
    "submitted_at",
    "average_score",
    "score_spread",
    "reviewers",
]


def _safe(value: object) -> str:
    # Spreadsheet formula injection: a cell starting with =, +, - or @ is read as text.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def applications_csv(cycle: LftCycle, scope: set[int] | None) -> str:
    """One row per submitted application in scope (None: all affiliates)."""
    summary = score_summary()
    query = (
        sa.select(LftApplication, summary.c.average, summary.c.spread, summary.c.reviewers)
        .outerjoin(summary, summary.c.application_id == LftApplication.id)
        .join(LftApplication.user)
        .where(LftApplication.cycle_id == cycle.id, LftApplication.status != LftStatus.DRAFT)
        .options(*ROW_OPTIONS)
        .order_by(LftApplication.affiliate_id, User.full_name, LftApplication.id)
    )
    if scope is not None:
        query = query.where(LftApplication.affiliate_id.in_(scope or {-1}))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for application, average, spread, reviewers in db.session.execute(query).unique():
        writer.writerow(
            [
                _safe(v)
                for v in (
                    application.id,
                    application.user.full_name,
                    application.user.email,
                    application.affiliate.code,
                    application.user.local_name,
                    application.job_family.name,
                    application.years_as_esp,
                    application.status.value,
                    application.alternate_rank,
                    application.submitted_at.isoformat() if application.submitted_at else "",
                    f"{float(average):.2f}" if average is not None else "",
                    f"{float(spread):.2f}" if spread is not None else "",
                    reviewers or 0,
                )
            ]
        )
    return out.getvalue()
