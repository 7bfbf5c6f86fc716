"""Credit units and their rules, as national admins and affiliate approvers keep them
(PRODUCT §13): national admins add, edit and deactivate units and edit every rule; an
approver edits the rules of their own affiliate(s). Every change is a `CreditEvent`
(who, when, what). And the transcript's side: the rules that apply to one member, read in
one query, and the units each year of their transcript earns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from esp_registry.accounts.models import User
from esp_registry.columns import utcnow
from esp_registry.credit.units.conversion import Conversion, rules_for_state, units_earned
from esp_registry.credit.units.models import (
    CreditAction,
    CreditEvent,
    CreditRule,
    CreditUnit,
    Rounding,
)
from esp_registry.extensions import db
from esp_registry.microcredentials.award import awarded_by_year
from esp_registry.paging import Page, PageRequest, paginate
from esp_registry.reference.models import Affiliate
from esp_registry.results import Result, done, refused
from esp_registry.text import one_line
from esp_registry.web import hours as shown_number
from esp_registry.web import translated

UNITS_PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 25
RULES_LIMIT = 60  # one national rule and at most one per affiliate (52): one list, bounded
MEMBER_RULES_LIMIT = 500  # two per active unit at most (national, own state): far past any list
RULE_FIELDS = (
    "hours_per_unit",
    "rounding",
    "yearly_cap",
    "microcredentials_per_block",
    "units_per_block",
)


def conversion(rule: CreditRule) -> Conversion:
    return Conversion(
        unit_id=rule.unit_id,
        affiliate_id=rule.affiliate_id,
        hours_per_unit=rule.hours_per_unit,
        rounding=Rounding(rule.rounding),
        yearly_cap=rule.yearly_cap,
        microcredentials_per_block=rule.microcredentials_per_block,
        units_per_block=rule.units_per_block,
    )


# ---------------------------------------------------------------- audit


def _plain(value: Any) -> Any:
    """As JSON keeps it and people read it: "2.5", "10" (not 1E+1), enums by value."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Rounding):
        return value.value
    return value


def _record(
    actor: Any,
    unit_id: int,
    action: CreditAction,
    changes: dict[str, Any] | None = None,
    affiliate_id: int | None = None,
) -> None:
    db.session.add(
        CreditEvent(
            unit_id=unit_id,
            affiliate_id=affiliate_id,
            actor_id=getattr(actor, "id", None),
            action=action,
            changes=changes or {},
            created_at=utcnow(),
        )
    )


def _apply(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the fields that differ; the changes as {field: [before, after]}."""
    changes = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if _plain(before) != _plain(value):
            changes[name] = [_plain(before), _plain(value)]
            setattr(obj, name, value)
    return changes


def _commit(subject: Any, message: str, taken: str) -> Result:
    try:
        db.session.commit()
    except IntegrityError:  # someone else took the name or the state a moment ago
        db.session.rollback()
        return refused(taken, subject)
    return done(message, subject)


# ---------------------------------------------------------------- units


def _taken(column: Any, value: str, except_id: int | None) -> bool:
    query = sa.select(CreditUnit.id).where(sa.func.lower(column) == value.lower())
    if except_id is not None:
        query = query.where(CreditUnit.id != except_id)
    return db.session.scalar(query.limit(1)) is not None


def _unit_refusal(code: str, name: str, except_id: int | None) -> Result | None:
    if _taken(CreditUnit.code, code, except_id):
        return refused(_("Another unit already has this code."), "code")
    if _taken(CreditUnit.name, name, except_id):
        return refused(_("Another unit already has this name."), "name")
    return None


def add_unit(
    actor: Any, *, code: str, name: str, name_es: str = "", description: str = ""
) -> Result:
    """A national admin adds a unit; it earns nothing until it has a rule."""
    code, name = one_line(code), one_line(name)
    refusal = _unit_refusal(code, name, None)
    if refusal is not None:
        return refusal
    unit = CreditUnit(
        code=code, name=name, name_es=one_line(name_es), description=(description or "").strip()
    )
    db.session.add(unit)
    db.session.flush()
    _record(actor, unit.id, CreditAction.UNIT_ADDED, {"code": [None, code], "name": [None, name]})
    return _commit(
        unit, _("Unit %(code)s added: now give it a rule.", code=code), _("This unit exists.")
    )


def edit_unit(
    actor: Any, unit: CreditUnit, *, code: str, name: str, name_es: str = "", description: str = ""
) -> Result:
    code, name = one_line(code), one_line(name)
    refusal = _unit_refusal(code, name, unit.id)
    if refusal is not None:
        return refusal
    values = {
        "code": code,
        "name": name,
        "name_es": one_line(name_es),
        "description": (description or "").strip(),
    }
    changes = _apply(unit, values)
    if not changes:
        return done(_("Nothing changed."), unit)
    _record(actor, unit.id, CreditAction.UNIT_EDITED, changes)
    return _commit(unit, _("Unit saved."), _("Another unit already has this code or name."))


def set_unit_active(actor: Any, unit: CreditUnit, active: bool) -> Result:
    """A deactivated unit keeps its rules but no transcript shows it."""
    if unit.active == active:
        return done(_("Nothing changed."), unit)
    unit.active = active
    action = CreditAction.UNIT_REACTIVATED if active else CreditAction.UNIT_DEACTIVATED
    _record(actor, unit.id, action)
    db.session.commit()
    if active:
        return done(_("Unit reactivated: transcripts show it again."), unit)
    return done(_("Unit deactivated: transcripts no longer show it."), unit)


def units_page(at: PageRequest | None = None) -> Page[CreditUnit]:
    """Units, active first, by name (count, then the page)."""
    order = (CreditUnit.active.desc(), CreditUnit.name, CreditUnit.id)
    return paginate(sa.select(CreditUnit), *order, at=at, size=UNITS_PAGE_SIZE)


# ---------------------------------------------------------------- rules


def rules_of(unit: CreditUnit) -> list[CreditRule]:
    """The unit's rules: the national one first, then the states' by name (one query)."""
    return list(
        db.session.scalars(
            sa.select(CreditRule)
            .outerjoin(CreditRule.affiliate)
            .where(CreditRule.unit_id == unit.id)
            .options(contains_eager(CreditRule.affiliate))
            .order_by(
                sa.case((CreditRule.affiliate_id.is_(None), 0), else_=1),
                Affiliate.name,
                CreditRule.id,
            )
            .limit(RULES_LIMIT)
        )
    )


def _rule_exists(unit: CreditUnit, affiliate_id: int | None) -> bool:
    query = sa.select(CreditRule.id).where(
        CreditRule.unit_id == unit.id,
        CreditRule.affiliate_id.is_(None)
        if affiliate_id is None
        else CreditRule.affiliate_id == affiliate_id,
    )
    return db.session.scalar(query.limit(1)) is not None


def add_rule(
    actor: Any, unit: CreditUnit, affiliate: Affiliate | None, values: dict[str, Any]
) -> Result:
    """A national rule (affiliate None) or one state's, which replaces the national one
    for that state's members; one of each per unit."""
    if _rule_exists(unit, affiliate.id if affiliate else None):
        if affiliate is None:
            return refused(_("This unit already has a national rule: edit it instead."))
        return refused(
            _("This unit already has a rule for %(state)s: edit it instead.", state=affiliate.name)
        )
    rule = CreditRule(unit_id=unit.id, affiliate_id=affiliate.id if affiliate else None)
    given = {name: values.get(name) for name in RULE_FIELDS}
    given["rounding"] = given["rounding"] or Rounding.DOWN_TENTH
    changes = _apply(rule, given)
    rule.updated_at = utcnow()
    db.session.add(rule)
    _record(actor, unit.id, CreditAction.RULE_ADDED, changes, affiliate.id if affiliate else None)
    return _commit(rule, _("Rule added."), _("This unit already has a rule there."))


def edit_rule(actor: Any, rule: CreditRule, values: dict[str, Any]) -> Result:
    """Changes the fields given (the form gives them all)."""
    changes = _apply(rule, {name: values[name] for name in RULE_FIELDS if name in values})
    if not changes:
        return done(_("Nothing changed."), rule)
    rule.updated_at = utcnow()
    _record(actor, rule.unit_id, CreditAction.RULE_EDITED, changes, rule.affiliate_id)
    return _commit(rule, _("Rule saved."), _("This rule changed meanwhile."))


def remove_rule(actor: Any, rule: CreditRule) -> Result:
    """A state without its own rule goes back to the national one (if any)."""
    before = {name: [_plain(getattr(rule, name)), None] for name in RULE_FIELDS}
    _record(actor, rule.unit_id, CreditAction.RULE_REMOVED, before, rule.affiliate_id)
    db.session.delete(rule)
    db.session.commit()
    return done(_("Rule removed."))


def affiliates_for_rules(scope: set[int] | None) -> list[Affiliate]:
    """The states a person may give a rule: every one (scope None), or their own."""
    query = sa.select(Affiliate).order_by(Affiliate.name)
    if scope is not None:
        query = query.where(Affiliate.id.in_(scope or {-1}))
    return list(db.session.scalars(query.limit(RULES_LIMIT)))


# ---------------------------------------------------------------- in words


def rounding_words(rounding: Rounding) -> str:
    return {
        Rounding.DOWN_TENTH: _("rounded down to 0.1"),
        Rounding.NEAREST_TENTH: _("rounded to the nearest 0.1"),
        Rounding.DOWN_WHOLE: _("rounded down to a whole number"),
        Rounding.NEAREST_WHOLE: _("rounded to the nearest whole number"),
    }[Rounding(rounding)]


def conversion_words(rule: CreditRule) -> str:
    """What the rule converts, e.g. "1 CEU per 10 contact hours, rounded down to 0.1"."""
    code = rule.unit.code
    parts = []
    if rule.hours_per_unit:
        if rule.hours_per_unit == 1:
            per = _("1 %(unit)s per contact hour", unit=code)
        else:
            per = _(
                "1 %(unit)s per %(hours)s contact hours",
                unit=code,
                hours=shown_number(rule.hours_per_unit),
            )
        parts.append(f"{per}, {rounding_words(rule.rounding)}")
    if rule.microcredentials_per_block and rule.units_per_block is not None:
        parts.append(
            ngettext(
                "%(units)s %(unit)s per related micro-credential",
                "%(units)s %(unit)s per %(num)d related micro-credentials",
                rule.microcredentials_per_block,
                units=shown_number(rule.units_per_block),
                unit=code,
            )
        )
    if rule.yearly_cap is not None:
        parts.append(_("at most %(cap)s a year", cap=shown_number(rule.yearly_cap)))
    return "; ".join(parts)


def rule_in_words(rule: CreditRule) -> str:
    """The rule and whose it is: "1 CEU per 10 contact hours, rounded down to 0.1 —
    national rule"; "Massachusetts rule: 1 PDP per contact hour, …"."""
    words = conversion_words(rule)
    if rule.affiliate is None:
        return _("%(rule)s — national rule", rule=words)
    return _("%(state)s rule: %(rule)s", state=translated(rule.affiliate), rule=words)


# ---------------------------------------------------------------- history


def history(unit: CreditUnit, at: PageRequest | None = None) -> Page[CreditEvent]:
    """One page of the changes to a unit and its rules, latest first."""
    query = (
        sa.select(CreditEvent)
        .where(CreditEvent.unit_id == unit.id)
        .options(joinedload(CreditEvent.actor), joinedload(CreditEvent.affiliate))
    )
    order = (CreditEvent.created_at.desc(), CreditEvent.id.desc())
    return paginate(query, *order, size=HISTORY_PAGE_SIZE, at=at, seek=True)


def event_text(event: CreditEvent) -> str:
    """One line of the unit's history, in the reader's language."""
    names = {
        "code": _("code"),
        "name": _("name"),
        "name_es": _("name in Spanish"),
        "description": _("description"),
        "hours_per_unit": _("contact hours per unit"),
        "rounding": _("rounding"),
        "yearly_cap": _("yearly cap"),
        "microcredentials_per_block": _("micro-credentials"),
        "units_per_block": _("units for them"),
    }

    def shown(name: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if name == "rounding":
            return rounding_words(Rounding(value))
        text = str(value)
        return f"“{text[:80]}…”" if len(text) > 80 else f"“{text}”"

    changes = "; ".join(
        _("%(field)s: %(before)s → %(after)s", field=names.get(field, field),
          before=shown(field, values[0]), after=shown(field, values[1]))
        for field, values in event.changes.items()
    )  # fmt: skip
    scope = translated(event.affiliate) if event.affiliate else _("national")
    texts = {
        CreditAction.UNIT_ADDED: _("unit added: %(changes)s", changes=changes),
        CreditAction.UNIT_EDITED: _("unit edited: %(changes)s", changes=changes),
        CreditAction.UNIT_DEACTIVATED: _("unit deactivated"),
        CreditAction.UNIT_REACTIVATED: _("unit reactivated"),
        CreditAction.RULE_ADDED: _(
            "%(scope)s rule added: %(changes)s", scope=scope, changes=changes
        ),
        CreditAction.RULE_EDITED: _(
            "%(scope)s rule edited: %(changes)s", scope=scope, changes=changes
        ),
        CreditAction.RULE_REMOVED: _("%(scope)s rule removed", scope=scope),
    }
    return texts[CreditAction(event.action)]


# ---------------------------------------------------------------- the transcript's side


def microcredentials_earned(member: User, year: int) -> int:
    """Micro-credentials the member was awarded in this year (PRODUCT §14), counting only
    valid certificates: a revoked award earns no credit."""
    return awarded_by_year(member.id).get(year, 0)


def member_rules(member: User) -> list[CreditRule]:
    """The rules of active units that may apply to this member: national ones and their
    state's, units by name (one query)."""
    where = CreditRule.affiliate_id.is_(None)
    if member.affiliate_id is not None:
        where = sa.or_(where, CreditRule.affiliate_id == member.affiliate_id)
    return list(
        db.session.scalars(
            sa.select(CreditRule)
            .join(CreditRule.unit)
            .outerjoin(CreditRule.affiliate)
            .where(CreditUnit.active.is_(True), where)
            .options(contains_eager(CreditRule.unit), contains_eager(CreditRule.affiliate))
            .order_by(CreditUnit.name, CreditUnit.id, CreditRule.id)
            .limit(MEMBER_RULES_LIMIT)
        )
    )


@dataclass(frozen=True)
class CreditLine:
    """A unit one year (or the whole transcript) earned, and the rule that produced it."""

    rule: CreditRule
    amount: Decimal

    @property
    def unit(self) -> CreditUnit:
        return self.rule.unit

    @property
    def words(self) -> str:
        return rule_in_words(self.rule)

    @property
    def fingerprint(self) -> str:
        """What the line says in either language (the PDF's names come from here too, so a
        renamed unit or state is a new transcript with a new code, not a stale cached one)."""
        r = self.rule
        state = f"{r.affiliate.name}|{r.affiliate.name_es}" if r.affiliate else ""
        return (
            f"unit|{r.unit.code}|{r.unit.name}|{r.unit.name_es}|{self.amount}|{r.affiliate_id}"
            f"|{state}|{r.hours_per_unit}|{r.rounding}|{r.yearly_cap}"
            f"|{r.microcredentials_per_block}|{r.units_per_block}"
        )


class TranscriptYear(Protocol):
    year: int
    total: Decimal
    units: list[CreditLine]


def add_credit_units(
    member: User, years: Sequence[TranscriptYear], microcredentials: Mapping[int, int] | None = None
) -> list[CreditLine]:
    """Each year's units from its total contact hours (and micro-credentials), under the
    rule of each unit that applies in the member's state; set on the years, and returned
    as totals over all of them (the sum of the yearly, capped, amounts)."""
    rules = member_rules(member)
    chosen = rules_for_state([conversion(r) for r in rules], member.affiliate_id)
    by_key = {(r.unit_id, r.affiliate_id): r for r in rules}
    applied = [(by_key[(c.unit_id, c.affiliate_id)], c) for c in chosen]
    totals = {rule.id: Decimal(0) for rule, _conversion in applied}
    # Micro-credentials awarded per year: given by the transcript, which has them loaded;
    # else one query (not one a year).
    earned = microcredentials
    if earned is None:
        earned = awarded_by_year(member.id) if applied else {}
    for year in years:
        count = earned.get(year.year, 0)
        year.units = [
            CreditLine(rule, units_earned(year.total, count, rule_conversion))
            for rule, rule_conversion in applied
        ]
        for line in year.units:
            totals[line.rule.id] += line.amount
    return [CreditLine(rule, totals[rule.id]) for rule, _conversion in applied]
