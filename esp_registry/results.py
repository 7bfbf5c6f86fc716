"""The one shape of a rule's answer for new areas: did it happen, and what to tell the person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Result:
    ok: bool
    message: str
    subject: Any = None  # the object the answer is about, for the template

    @property
    def tone(self) -> str:
        """The flash category the message is shown with."""
        return "success" if self.ok else "error"


def done(message: str, subject: Any = None) -> Result:
    return Result(True, message, subject)


def refused(message: str, subject: Any = None) -> Result:
    return Result(False, message, subject)
