"""One page of a list: the count, then the rows of that page (two queries, whatever the
size), and "26-50 of 212" for the pager macro in templates/_macros.html."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from esp_registry.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    pages: int
    size: int

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.size + 1

    @property
    def last(self) -> int:
        return min(self.page * self.size, self.total)


def paginate(query: sa.Select[Any], *order_by: Any, page: int, size: int) -> Page[Any]:
    """The page'th page (clamped to the pages there are) of `query` in this order."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    rows = db.session.scalars(query.order_by(*order_by).limit(size).offset((page - 1) * size))
    return Page(list(rows.unique()), total, page, pages, size)


def contains(text: str) -> str:
    """A LIKE pattern (escape "\\") for rows containing `text`, lowercased; the % and _ a
    person types are searched for, not wildcards."""
    needle = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{needle}%"
