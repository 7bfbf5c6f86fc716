"""CSV downloads: UTF-8 with a BOM (so Excel opens names with accents), streamed row by
row (constant memory), every cell safe from spreadsheet formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response, stream_with_context

BOM = "\ufeff"


def safe_cell(value: object) -> str:
    # Spreadsheet formula injection: a cell starting with =, +, - or @ is read as text.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield BOM + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(v) for v in row])
        yield buffer.getvalue()


def csv_response(name: str, header: list[str], rows: Iterable[Iterable[Any]]) -> Response:
    return Response(
        stream_with_context(csv_lines(header, rows)),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )
