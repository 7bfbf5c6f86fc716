"""Record ids as they arrive in URLs: every primary key is a PostgreSQL `integer`."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1  # a 32-bit integer column; larger numbers are no id of ours


class RecordIdConverter(IntegerConverter):
    """`<int:…>` in every route: ASCII digits up to MAX_ID, so a number that cannot be an
    id does not match the route (404) instead of reaching the database (out of range)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_record_id(text: str) -> int | None:
    """An id kept as text (the session's user id), or None when it cannot be one."""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
