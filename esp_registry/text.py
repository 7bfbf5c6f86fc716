"""Tidying what people type, the same way everywhere."""

from __future__ import annotations


def one_line(text: str | None) -> str:
    """Runs of spaces, tabs and line breaks as one space, none at either end."""
    return " ".join((text or "").split())


def strip_text(value: object) -> object:
    """A form filter: surrounding white space off a string; anything else as it is."""
    return value.strip() if isinstance(value, str) else value
