"""The printable sign-in sheet of a session (PRODUCT §6).

Laying out hundreds of table rows with WeasyPrint takes seconds, so the sheet is made like
the bulk certificates (certificates/stamping.py): one page of ROWS_PER_PAGE empty rows,
with the session's heading, is laid out once, and each page is a copy of it with its
rows' numbers, names, job families and locals and its page number drawn in. Every page
repeats the heading and the column titles; a row never splits or grows (a long name
shrinks to fit its cell, on two lines if one would make it too small). A page whose names
the fonts cannot draw glyph by glyph, or holding a name too long even for two lines, is
laid out by WeasyPrint in full, in its place.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import gettext as _
from weasyprint import HTML

from esp_registry.attendance import rules
from esp_registry.catalog.models import Session
from esp_registry.certificates import stamping
from esp_registry.extensions import commit_keeping_loaded, db
from esp_registry.registrations.models import Registration

log = logging.getLogger(__name__)

ROWS_PER_PAGE = 18
TEMPLATE = "attendance/sign_in_sheet_pdf.html"
# A text that would shrink below this to fit on one line is drawn on two; one too long even
# for two (80-odd letters) gets its page laid out in full, where it takes up to three.
MIN_SCALE = 0.7


@dataclass(frozen=True)
class SheetRow:
    number: str = ""
    name: str = ""
    family: str = ""
    local: str = ""


BLANK = SheetRow()
STAND_IN_ROW = SheetRow("X", "X", "X", "X")
FIELDS = {"page"} | {
    f"{column}_{i}" for column in ("n", "name", "family", "local") for i in range(ROWS_PER_PAGE)
}


@dataclass(frozen=True)
class SheetPage:
    """One page: its rows (blank after the last name, for walk-ins) and "Page 3 / 28"."""

    rows: tuple[SheetRow, ...]
    page: str

    def row(self, index: int) -> SheetRow:
        return self.rows[index] if index < len(self.rows) else BLANK

    def __getattr__(self, field: str) -> str:
        # The stamped fields: n_3, name_3, family_3, local_3 (the page's fourth row).
        column, _, index = field.rpartition("_")
        if column not in ("n", "name", "family", "local") or not index.isdigit():
            raise AttributeError(field)
        row = self.row(int(index))
        return {"n": row.number, "name": row.name, "family": row.family, "local": row.local}[column]


STAND_IN = SheetPage(tuple([STAND_IN_ROW] * ROWS_PER_PAGE), "X")


def sheet_pages(registrations: Sequence[Registration]) -> list[SheetPage]:
    """The rows in name order, ROWS_PER_PAGE to a page (no queries: users are loaded)."""
    rows = [
        SheetRow(
            str(number),
            r.user.full_name,
            r.user.job_family.name if r.user.job_family else "",
            r.user.local_name or "",
        )
        for number, r in enumerate(registrations, start=1)
    ]
    count = max(1, math.ceil(len(rows) / ROWS_PER_PAGE))
    return [
        SheetPage(
            tuple(rows[i * ROWS_PER_PAGE : (i + 1) * ROWS_PER_PAGE]),
            f"{_('Page')} {i + 1} / {count}",
        )
        for i in range(count)
    ]


def sign_in_sheet_html(
    session: Session, pages: Sequence[SheetPage], registered: int, background: bool = False
) -> str:
    return render_template(
        TEMPLATE,
        session=session,
        offering=session.offering,
        pages=[STAND_IN] if background else pages,
        background=background,
        registered=registered,
        rows_per_page=ROWS_PER_PAGE,
    )


@functools.lru_cache(maxsize=16)
def _laid_out(html: str, base_url: str | None) -> stamping.Background | None:
    """The session's empty page, laid out once per process; None: lay out every page."""
    try:
        background = stamping.lay_out(html, base_url)
    except Exception:
        log.exception("sign-in sheet could not be laid out once; laying out every page")
        return None
    if background is None or background.fields != FIELDS:
        log.warning("sign-in sheet template cannot be stamped; laying out every page")
        return None
    return background


def forget_layouts() -> None:
    """Drop the layouts cached in this process (a benchmark times a first print)."""
    _laid_out.cache_clear()


def sign_in_sheet_pdf(session: Session) -> bytes:
    registrations = rules.sign_in_sheet_rows(session)
    pages = sheet_pages(registrations)
    registered = len(registrations)
    base_url = current_app.static_folder
    if not registrations:
        html = sign_in_sheet_html(session, pages, registered)
        db.session.commit()  # end the read transaction before the rendering
        return HTML(string=html, base_url=base_url).write_pdf()
    background = _laid_out(sign_in_sheet_html(session, pages, registered, True), base_url)
    title = f"{_('Sign-in sheet')} \N{EN DASH} {session.offering.title} \N{EN DASH} {session.title}"

    def in_full(chunk: Sequence[SheetPage]) -> bytes:
        html = sign_in_sheet_html(session, chunk, registered)
        return HTML(string=html, base_url=base_url).write_pdf()

    commit_keeping_loaded()  # end the read transaction; a page laid out in full reads it
    return stamping.stamp(
        background, pages, in_full, title=title, min_scale=MIN_SCALE, two_lines=True
    )
