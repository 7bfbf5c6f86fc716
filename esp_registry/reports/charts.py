"""Chart geometry for the SVG templates in templates/reports/_charts.html.

Charts are small Jinja SVG templates rather than a library's output: pygal and Vega
embed <style> and <script> in their SVG, which our Content-Security-Policy (style-src
'self', no inline script) refuses; presentation attributes pass. The rows are the short
aggregated lists of queries.py (one per job family, program or month), never members.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 400
ROW = 44  # the label on its own line, the bar under it: readable on a 390 px phone
TOP = 28  # room for the legend
LINE_HEIGHT = 180


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    segments: list[tuple[float, float, str, Any]]  # x, width, series key, value
    total: Any


@dataclass(frozen=True)
class BarChart:
    title: str
    desc: str
    bars: list[Bar]
    series: list[tuple[str, str, int]]  # key, name, legend x
    height: int
    value_x: int


def bar_chart(
    title: str, desc: str, rows: Sequence[Any], series: list[tuple[str, str]]
) -> BarChart:
    """Horizontal bars, one per row; two or more series stack (each keyed by an attribute)."""
    totals = [sum(float(getattr(row, key)) for key, _name in series) for row in rows]
    most = max(totals, default=0) or 1
    span = WIDTH - 60
    bars = []
    for i, (row, total) in enumerate(zip(rows, totals, strict=True)):
        x, segments = 0.0, []
        for key, _name in series:
            value = getattr(row, key)
            width = span * float(value) / most
            segments.append((round(x, 1), round(width, 1), key, value))
            x += width
        shown = getattr(row, series[0][0]) if len(series) == 1 else int(total)
        bars.append(Bar(_short(str(row.label)), TOP + i * ROW, segments, shown))
    legend, x = [], 0
    for key, name in series:
        legend.append((key, str(name), x))
        x += 16 + 8 * len(str(name)) + 14  # a swatch, the name (about 8 units a letter), a gap
    return BarChart(title, desc, bars, legend, TOP + max(len(rows), 1) * ROW + 4, 0)


def _short(label: str, limit: int = 42) -> str:
    """A label that fits the chart's width (the table beside it has the full name)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class LineChart:
    title: str
    desc: str
    points: list[tuple[float, float, str, Any, bool]]  # x, y, label, value, labelled
    path: str
    height: int
    top: Any


def line_chart(title: str, desc: str, rows: Sequence[Any], key: str) -> LineChart:
    """A trend line over periods (years or months), a marker and a value at each point."""
    values = [float(getattr(row, key)) for row in rows]
    top = max(values, default=0) or 1
    left, right, bottom, height = 40, WIDTH - 40, LINE_HEIGHT - 30, LINE_HEIGHT - 60
    every = max(1, -(-len(rows) // 5))  # about five labels, so they never overlap
    step = (right - left) / max(len(rows) - 1, 1)
    points = []
    for i, (row, value) in enumerate(zip(rows, values, strict=True)):
        x = left + step * i if len(rows) > 1 else (left + right) / 2
        y = bottom - height * value / top
        labelled = i % every == 0
        points.append((round(x, 1), round(y, 1), str(row.label), getattr(row, key), labelled))
    path = " ".join(f"{'M' if i == 0 else 'L'}{x},{y}" for i, (x, y, *_r) in enumerate(points))
    return LineChart(title, desc, points, path, LINE_HEIGHT, getattr(rows[0], key) if rows else 0)
