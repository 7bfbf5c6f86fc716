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


@dataclass(frozen=True)
class Decision:
    """May this person do this now? Asked both by the rule that does it and by the page
    that offers it, so a page never offers a button the rule would then refuse."""

    allowed: bool
    reason: str = ""  # why not, in words for the person
    code: str = ""  # which refusal, for the page to choose what to show instead


ALLOWED = Decision(True)


def not_now(reason: str, code: str) -> Decision:
    return Decision(False, reason, code)
