"""The rules of earning a micro-credential, as plain functions on plain values (no database):
the window, the rubric, two blind assessors and a lead, resubmission and the coach.

The database side (start, save evidence, submit, pre-check, score, award, expire) lives in
earning.py, assessment.py and award.py and asks these functions what to do."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from esp_registry.credit.required.rules import add_months
from esp_registry.microcredentials.models import COACH_AFTER_TRIES, WINDOW_MONTHS, AssessorRole

WARN_DAYS_BEFORE = (30, 7)  # the worker warns of a window's end this many days before
RESUBMIT_GRACE_DAYS = 30  # a returned version leaves the member at least this long to revise


def window_ends_on(started_on: date) -> date:
    """The last day evidence may be submitted: six months after the start (started 15
    January → 15 July; started 31 August → 28 February, the month being shorter)."""
    return add_months(started_on, WINDOW_MONTHS)


def window_after_return(window_ends: date, today: date) -> date:
    """The window once a version comes back (not yet, or incomplete at pre-check): as it
    was, or RESUBMIT_GRACE_DAYS from today when that is later, so a member whose version
    was judged near (or after) the window's end can still revise and resubmit."""
    return max(window_ends, today + timedelta(days=RESUBMIT_GRACE_DAYS))


def window_open(window_ends: date, today: date) -> bool:
    return today <= window_ends


def days_left(window_ends: date, today: date) -> int:
    """Days left to submit, today included (0 once the window has ended)."""
    return max(0, (window_ends - today).days + 1)


def warning_due(window_ends: date, today: date) -> int | None:
    """The warning (30 or 7 days before the end) that is due today or overdue and not
    superseded by a later one; None when none is due. The worker sends each once."""
    left = (window_ends - today).days
    if left < 0:
        return None
    due = [days for days in WARN_DAYS_BEFORE if left <= days]
    return min(due) if due else None


def rubric_met(scores: Iterable[bool]) -> bool:
    """All *Met*: every criterion scored and met (an empty rubric is never met)."""
    values = list(scores)
    return bool(values) and all(values)


class Outcome(enum.StrEnum):
    PENDING = "pending"  # not every score needed is in yet
    MET = "met"  # award
    NOT_YET = "not_yet"  # return with feedback
    NEEDS_LEAD = "needs_lead"  # the two assessors disagree: a lead settles it


Scores = Mapping[int, bool]  # criterion id → met


def outcome(
    criteria: Iterable[int], first: Scores | None, second: Scores | None, lead: Scores | None
) -> Outcome:
    """What a submission's scores decide. Each assessor's scores count only once complete
    (every criterion scored). The two first assessors decide together when they agree on
    the overall result (both all-Met, or both not); when they disagree, the lead's scores
    decide alone."""
    wanted = set(criteria)

    def complete(scores: Scores | None) -> bool:
        return scores is not None and set(scores) >= wanted

    if not complete(first) or not complete(second):
        return Outcome.PENDING
    assert first is not None and second is not None
    first_met = rubric_met(first[c] for c in wanted)
    second_met = rubric_met(second[c] for c in wanted)
    if first_met == second_met:
        return Outcome.MET if first_met else Outcome.NOT_YET
    if not complete(lead):
        return Outcome.NEEDS_LEAD
    assert lead is not None
    return Outcome.MET if rubric_met(lead[c] for c in wanted) else Outcome.NOT_YET


def may_see_other_scores(viewer_role: AssessorRole, others_complete: bool) -> bool:
    """Blinding: a first or second assessor sees the other's scores only once both are in
    (and their own is, since `others_complete` is asked after they submit); the lead, who
    settles a disagreement, sees both."""
    return viewer_role == AssessorRole.LEAD or others_complete


def coach_offered(returned_count: int) -> bool:
    """After the third try returned, the member is offered a conversation with a coach."""
    return returned_count >= COACH_AFTER_TRIES
