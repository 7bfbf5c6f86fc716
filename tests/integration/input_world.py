"""Shared by the input-hardening tests (issue 11): what "nothing was written" means."""

from __future__ import annotations

import sqlalchemy as sa

from esp_registry.extensions import db


def table_counts() -> dict[str, int]:
    """The number of rows in every table, read afresh."""
    db.session.expire_all()
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }
