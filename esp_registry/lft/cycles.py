"""Cycle management by national admins: dates in order, a rubric, one cycle per year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from esp_registry.extensions import db
from esp_registry.lft.models import LftCriterion, LftCycle, LftScore

# LFT is national: its deadlines are entered and shown in Eastern time.
NATIONAL_ZONE = "America/New_York"


@dataclass
class CycleData:
    year: int
    opens: datetime  # naive, in NATIONAL_ZONE
    closes: datetime
    review_deadline: datetime
    decision_date: datetime
    cohort_size: int
    max_endorsements_per_affiliate: int | None
    confirm_within_days: int
    criteria: list[tuple[str, str]]


def parse_criteria(text: str) -> list[tuple[str, str]]:
    """'Name: description' per line; blank lines ignored."""
    criteria = []
    for line in text.splitlines():
        name, _sep, description = line.partition(":")
        if name.strip():
            criteria.append((name.strip()[:120], description.strip()))
    return criteria


def criteria_text(cycle: LftCycle) -> str:
    return "\n".join(
        f"{c.name}: {c.description}" if c.description else c.name for c in cycle.criteria
    )


def to_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=ZoneInfo(NATIONAL_ZONE)).astimezone(ZoneInfo("UTC"))


def to_local(value: datetime) -> datetime:
    return value.astimezone(ZoneInfo(NATIONAL_ZONE)).replace(tzinfo=None)


def cycle_problems(data: CycleData, cycle: LftCycle | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    other = db.session.scalar(sa.select(LftCycle).where(LftCycle.year == data.year))
    if other is not None and other is not cycle:
        problems["year"] = _("There is already a cycle for %(year)s.", year=data.year)
    if not data.opens < data.closes:
        problems["closes"] = _("Applications must close after they open.")
    if not data.closes <= data.review_deadline:
        problems["review_deadline"] = _("The review deadline comes after applications close.")
    if not data.review_deadline <= data.decision_date:
        problems["decision_date"] = _("The decision date comes after the review deadline.")
    if not data.criteria:
        problems["criteria"] = _("Give at least one rubric criterion.")
    elif len(data.criteria) > 12:
        problems["criteria"] = _("Keep the rubric to 12 criteria or fewer.")
    if cycle is not None and [n for n, _d in data.criteria] != [c.name for c in cycle.criteria]:
        scored = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LftScore)
            .join(LftCriterion)
            .where(LftCriterion.cycle_id == cycle.id)
        )
        if scored:
            problems["criteria"] = _(
                "Reviewers have scored on this rubric: change descriptions only."
            )
    return problems


def save_cycle(data: CycleData, cycle: LftCycle | None = None) -> tuple[LftCycle | None, dict]:
    """Create or update a cycle; on any problem nothing is stored."""
    problems = cycle_problems(data, cycle)
    if problems:
        db.session.rollback()
        return None, problems
    cycle = cycle or LftCycle()
    cycle.year = data.year
    cycle.opens_at = to_utc(data.opens)
    cycle.closes_at = to_utc(data.closes)
    cycle.review_deadline = to_utc(data.review_deadline)
    cycle.decision_date = to_utc(data.decision_date)
    cycle.cohort_size = data.cohort_size
    cycle.max_endorsements_per_affiliate = data.max_endorsements_per_affiliate
    cycle.confirm_within_days = data.confirm_within_days
    existing = {c.name: c for c in cycle.criteria}
    kept = []
    for position, (name, description) in enumerate(data.criteria):
        criterion = existing.get(name) or LftCriterion(name=name)
        criterion.position, criterion.description = position, description
        kept.append(criterion)
    cycle.criteria = kept
    db.session.add(cycle)
    db.session.commit()
    return cycle, {}
