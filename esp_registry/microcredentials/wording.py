"""Catalog texts in the reader's language: the Spanish text of a micro-credential, stack,
component or criterion on a Spanish page when one was written, else the English."""

from __future__ import annotations

from typing import Any

from esp_registry.web import page_language


def in_language(item: Any, field: str) -> str:
    """`item.<field>_es` on a Spanish page when not empty, else `item.<field>`."""
    if item is None:
        return ""
    if page_language() == "es":
        spanish = getattr(item, f"{field}_es", "")
        if spanish:
            return str(spanish)
    return str(getattr(item, field, ""))
