"""Locals members type as text, as they are compared: one rule for the mentoring ranking,
its stored keys and the reference pages that rename what was typed."""

from __future__ import annotations


def local_key(local_name: str) -> str:
    """A local's name as locals are compared: any case, any spacing."""
    return " ".join((local_name or "").casefold().split())
