"""One page of a list: the count, then the rows of that page (two queries, whatever the
size), and "26-50 of 212" for the pager macro in templates/_macros.html.

Every list uses the same mechanism: a fixed page size; Previous / "Show more" links that
keep the other query arguments; and, when htmx asks for the list's rows (HX-Target is the
rows' id), only the next page's rows and a new pager, which htmx appends in place.

Lists whose order ends in a unique, non-null key seek (keyset paging, sqlakeyset): the
"Show more" link carries a signed bookmark of the last row, so page 80 costs what page 1
costs. A page asked for by number alone (or a bookmark that is not ours) is read by offset.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

import sqlakeyset
import sqlalchemy as sa
from flask import current_app, render_template, request
from itsdangerous import BadData, URLSafeSerializer

from esp_registry.extensions import db

T = TypeVar("T")

MAX_PAGE = 1_000_000  # far past any list; keeps a typed page number an ordinary integer


@dataclass(frozen=True)
class PageRequest:
    """What the query string asks of a list: a page number, maybe the bookmark of the row
    before it, and, when "Show more" appends, the first row already on screen."""

    page: int = 1
    cursor: str = ""
    shown_from: int = 0
    more: bool = False  # htmx asked for the rows only


def _whole(value: str | None, default: int) -> int:
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 7:
        return default
    return min(max(int(text), 1), MAX_PAGE)


def page_request(rows_id: str) -> PageRequest:
    """The page this request asks for; `rows_id` is the id of the element holding the rows,
    which htmx names in HX-Target when "Show more" asks for the next rows."""
    args = request.args
    return PageRequest(
        page=_whole(args.get("page"), 1),
        cursor=args.get("cursor", "")[:1000],
        shown_from=_whole(args.get("from"), 0),
        more=request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == rows_id,
    )


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    pages: int
    size: int
    next_cursor: str = ""  # bookmark of this page's last row (keyset lists)
    prev_cursor: str = ""  # bookmark before this page's first row
    shown_from: int = 0  # first row on screen when "Show more" appended this page
    more: bool = False  # only the rows and the pager are rendered (htmx "Show more")

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.size + 1

    @property
    def last(self) -> int:
        return min(self.page * self.size, self.total)

    @property
    def first_shown(self) -> int:
        """The first row on screen: this page's, or an earlier page's "Show more" added to."""
        if self.shown_from and self.first:
            return min(self.shown_from, self.first)
        return self.first


def _count(query: sa.Select[Any]) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0


def _signer(order_by: tuple[Any, ...]) -> URLSafeSerializer:
    # Salted with the order itself: a bookmark of one list never seeks in another.
    salt = "page cursor|" + "|".join(str(column) for column in order_by)
    return URLSafeSerializer(current_app.secret_key, salt=salt)


def paginate(
    query: sa.Select[Any],
    *order_by: Any,
    size: int,
    page: int = 1,
    at: PageRequest | None = None,
    seek: bool = False,
) -> Page[Any]:
    """The page `at` asks for (or the page'th), clamped to the pages there are, of `query`
    in this order. With `seek`, the order must end in a unique non-null column (the id)
    and no column of it may be NULL: the page after a bookmark is found by its keys."""
    at = at or PageRequest(page=page)
    total = _count(query)
    pages = max(1, -(-total // size))
    number = min(max(at.page, 1), pages)
    found = _seek(query, order_by, size, at.cursor, number, pages) if seek else None
    if found is None:
        rows = db.session.scalars(query.order_by(*order_by).limit(size).offset((number - 1) * size))
        found = Page(list(rows.unique()), total, number, pages, size)
    return replace(found, total=total, shown_from=at.shown_from, more=at.more)


def _seek(
    query: sa.Select[Any],
    order_by: tuple[Any, ...],
    size: int,
    cursor: str,
    number: int,
    pages: int,
) -> Page[Any] | None:
    signer = _signer(order_by)
    marker = None
    if cursor and number > 1:
        try:
            marker = sqlakeyset.unserialize_bookmark(signer.loads(cursor))
        except (BadData, ValueError, TypeError):
            marker = None  # not ours, or not a bookmark: read by the page number
    ordered = query.order_by(*order_by)
    if marker is None:
        ordered = ordered.offset((number - 1) * size)
    try:
        rows = sqlakeyset.select_page(db.session, ordered, per_page=size, page=marker)
    except ValueError:  # a bookmark of another shape than this order: start over
        rows = sqlakeyset.select_page(db.session, ordered.offset((number - 1) * size), size)
        marker = None
    if not rows and number > 1 and marker is not None:
        return None  # the bookmarked rows are gone: read by the page number
    paging = rows.paging
    items = list(dict.fromkeys(row[0] for row in rows))
    next_cursor = signer.dumps(paging.bookmark_next) if number < pages and items else ""
    prev_cursor = signer.dumps(paging.bookmark_previous) if number > 2 and items else ""
    return Page(items, 0, number, pages, size, next_cursor, prev_cursor)


def more_rows(rows_template: str, rows_id: str, result: Page[Any], **context: Any) -> str:
    """The answer to "Show more": the rows of `result` (the list's own rows template) and
    the pager, which htmx swaps out of band."""
    return render_template(
        "_more_rows.html", rows_template=rows_template, rows_id=rows_id, result=result, **context
    )


def contains(text: str) -> str:
    """A LIKE pattern (escape "\\") for rows containing `text`, lowercased; the % and _ a
    person types are searched for, not wildcards."""
    needle = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{needle}%"
