"""Reference data editable by national admins (PRODUCT §2, §12): programs, job families,
affiliates and locals — rename, merge locals, deactivate — without breaking history.

Offerings, members and certificates point at programs, job families and affiliates by id,
so a new name shows everywhere at once and an issued certificate keeps what it printed.
Members type their local as text; merging or renaming a local renames it in what the
members, mentors and mentoring requests of that affiliate typed. Every change is a
`ReferenceEvent` (who, when, what).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.paging import Page, PageRequest, contains, paginate
from esp_registry.reference.local_names import local_key
from esp_registry.reference.models import (
    Affiliate,
    JobFamily,
    Local,
    Program,
    ReferenceAction,
    ReferenceEvent,
    ReferenceKind,
)
from esp_registry.reference_data import (
    getting_educated_name,
    getting_educated_name_es,
    getting_educated_slug,
)
from esp_registry.results import Result, done, refused
from esp_registry.text import one_line

LOCALS_PAGE_SIZE = 50
LIST_LIMIT = 500  # 52 affiliates, 9 job families, ~20 programs: one list each, bounded
# Where members type their local as text (each row has its affiliate_id and local_name).
TYPED_LOCAL_TABLES = ("users", "mentor_profiles", "mentoring_requests")


def _record(
    actor: Any,
    kind: ReferenceKind,
    subject_id: int,
    action: ReferenceAction,
    changes: dict[str, Any] | None = None,
    *,
    affiliate_id: int | None = None,
    now: datetime | None = None,
) -> None:
    db.session.add(
        ReferenceEvent(
            kind=kind,
            subject_id=subject_id,
            affiliate_id=affiliate_id,
            actor_id=getattr(actor, "id", None),
            action=action,
            changes=changes or {},
            created_at=now or utcnow(),
        )
    )


def _name_taken(model: type, name: str, except_id: int | None, **within: Any) -> bool:
    """Names are unique ignoring case, so "Ohio" and "ohio" cannot both exist."""
    query = sa.select(model.id).where(sa.func.lower(model.name) == name.lower())  # type: ignore[attr-defined]
    for column, value in within.items():
        query = query.where(getattr(model, column) == value)
    if except_id is not None:
        query = query.where(model.id != except_id)  # type: ignore[attr-defined]
    return db.session.scalar(query.limit(1)) is not None


def _plain(value: Any) -> Any:
    return str(value.normalize()) if isinstance(value, Decimal) else value


def _apply(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set the fields that differ; the changes as {field: [before, after]}."""
    changes = {}
    for field, value in values.items():
        before = getattr(obj, field)
        if before != value:
            # Kept as JSON: numbers as people read them ("2.5"), not as floats.
            changes[field] = [_plain(before), _plain(value)]
            setattr(obj, field, value)
    return changes


def _save(
    actor: Any,
    obj: Any,
    kind: ReferenceKind,
    values: dict[str, Any],
    saved: str,
    *,
    affiliate_id: int | None = None,
) -> Result:
    changes = _apply(obj, values)
    if not changes:
        return done(_("Nothing changed."), obj)
    _record(actor, kind, obj.id, ReferenceAction.EDITED, changes, affiliate_id=affiliate_id)
    try:
        db.session.commit()
    except IntegrityError:  # another admin took the name a moment ago
        db.session.rollback()
        return refused(_("This name is already taken."), obj)
    return done(saved, obj)


# ---------------------------------------------------------------- programs, families, affiliates


def edit_program(
    actor: Any,
    program: Program,
    *,
    name: str,
    description: str,
    requires_application: bool,
    default_contact_hours: Decimal | None = None,
    name_es: str | None = None,
) -> Result:
    """A program's name and description may change at any time: its offerings refer to it
    by id and show the new name; certificates already issued keep the name they printed.
    Its default contact hours fill in each new session's hours (the organiser may change
    them); sessions already planned keep theirs."""
    name = one_line(name)
    if _name_taken(Program, name, program.id):
        return refused(_("Another program is already called “%(name)s”.", name=name), program)
    values = {
        "name": name,
        "name_es": program.name_es if name_es is None else one_line(name_es),
        "description": description.strip(),
        "requires_application": requires_application,
        "default_contact_hours": default_contact_hours,
    }
    return _save(actor, program, ReferenceKind.PROGRAM, values, _("Program saved."))


def edit_job_family(
    actor: Any,
    family: JobFamily,
    *,
    name: str,
    description: str,
    page_text: str,
    name_es: str | None = None,
) -> Result:
    """A job family's name (and its Spanish name), short description and the text of its
    "Getting Educated: <family> Professionals" page; members and offerings refer to it by id."""
    name = one_line(name)
    name_es = family.name_es if name_es is None else one_line(name_es)
    if _name_taken(JobFamily, name, family.id):
        return refused(_("Another job family is already called “%(name)s”.", name=name), family)
    page_text = page_text.replace("\r\n", "\n").strip()
    if name != family.name or name_es != family.name_es:
        _rename_getting_educated(actor, family, name, name_es)
    values = {
        "name": name,
        "name_es": name_es,
        "description": description.strip(),
        "page_text": page_text,
    }
    return _save(actor, family, ReferenceKind.JOB_FAMILY, values, _("Job family saved."))


def _rename_getting_educated(
    actor: Any, family: JobFamily, new_family_name: str, new_family_name_es: str
) -> None:
    """The family's "Getting Educated: <family> Professionals" program follows its new
    name (in the same transaction), unless an admin gave that program a name of its own;
    so does its Spanish name."""
    program = db.session.scalar(
        sa.select(Program).where(
            Program.job_family_id == family.id,
            Program.slug == getting_educated_slug(family.slug),
        )
    )
    if program is None:
        return
    values = {}
    new_name = getting_educated_name(new_family_name)
    if program.name == getting_educated_name(family.name) and not _name_taken(
        Program, new_name, program.id
    ):
        values["name"] = new_name
    spanish = getting_educated_name_es(family.name, family.name_es) if family.name_es else ""
    if program.name_es == spanish:
        values["name_es"] = (
            getting_educated_name_es(new_family_name, new_family_name_es)
            if new_family_name_es
            else ""
        )
    changes = _apply(program, values)
    if changes:
        _record(actor, ReferenceKind.PROGRAM, program.id, ReferenceAction.EDITED, changes)


def edit_affiliate(
    actor: Any, affiliate: Affiliate, *, name: str, name_es: str | None = None
) -> Result:
    """A state affiliate's name and Spanish name (its two-letter code stays: it is the
    state's)."""
    name = one_line(name)
    if _name_taken(Affiliate, name, affiliate.id):
        return refused(_("Another affiliate is already called “%(name)s”.", name=name), affiliate)
    return _save(
        actor,
        affiliate,
        ReferenceKind.AFFILIATE,
        {"name": name, "name_es": affiliate.name_es if name_es is None else one_line(name_es)},
        _("Affiliate saved."),
        affiliate_id=affiliate.id,
    )


# ---------------------------------------------------------------- locals


def _rename_typed_locals(affiliate_id: int, old: str, new: str) -> int:
    """What members, mentors and mentoring requests of this affiliate typed as `old`
    becomes `new` (spaces around what they typed ignored). Returns the members' count."""
    members = 0
    for name in TYPED_LOCAL_TABLES:
        table = db.metadata.tables[name]
        # Mentoring keeps the key its ranking compares locals by (local_names.local_key).
        key = {"local_key": local_key(new)} if "local_key" in table.c else {}
        result = db.session.execute(
            table.update()
            .where(table.c.affiliate_id == affiliate_id, sa.func.trim(table.c.local_name) == old)
            .values(local_name=new, **key)
        )
        if name == "users":
            members = result.rowcount or 0  # type: ignore[attr-defined]
    return members


def add_local(actor: Any, affiliate: Affiliate, name: str) -> Result:
    """A new local association of the affiliate, offered to its members from now on."""
    name = one_line(name)
    if _name_taken(Local, name, None, affiliate_id=affiliate.id):
        return refused(
            _("%(affiliate)s already has a local called “%(name)s”.",
              affiliate=affiliate.name, name=name),
        )  # fmt: skip
    local = Local(affiliate_id=affiliate.id, name=name)
    db.session.add(local)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return refused(_("This name is already taken."))
    _record(
        actor, ReferenceKind.LOCAL, local.id, ReferenceAction.ADDED, {"name": [None, name]},
        affiliate_id=affiliate.id,
    )  # fmt: skip
    db.session.commit()
    return done(_("Local “%(name)s” added.", name=name), local)


def rename_local(actor: Any, local: Local, name: str) -> Result:
    """Renaming a local renames it in what its members, mentors and mentoring requests
    typed, in the same transaction. To join two locals under one name, merge them."""
    name = one_line(name)
    if name == local.name:
        return done(_("Nothing changed."), local)
    if _name_taken(Local, name, local.id, affiliate_id=local.affiliate_id):
        return refused(
            _("This affiliate already has a local called “%(name)s”: merge the two instead.",
              name=name),
            local,
        )  # fmt: skip
    old = local.name
    local.name = name
    members = _rename_typed_locals(local.affiliate_id, old, name)
    _record(
        actor, ReferenceKind.LOCAL, local.id, ReferenceAction.EDITED, {"name": [old, name]},
        affiliate_id=local.affiliate_id,
    )  # fmt: skip
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return refused(_("This name is already taken."), local)
    return done(
        _("“%(old)s” is now “%(new)s” (members updated: %(count)d).",
          old=old, new=name, count=members),
        local,
    )  # fmt: skip


def merge_locals(actor: Any, source: Local, target: Local) -> Result:
    """Merging local A into B renames A to B for the members, mentors and mentoring
    requests of that affiliate and deactivates A — all in one transaction."""
    if source.id == target.id:
        return refused(_("Choose another local to merge into."), source)
    # Both rows locked (in id order) so two admins merging the same locals wait in turn.
    db.session.scalars(
        sa.select(Local)
        .where(Local.id.in_([source.id, target.id]))
        .order_by(Local.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    if source.affiliate_id != target.affiliate_id:
        return refused(_("Only locals of the same affiliate can be merged."), source)
    if not source.active:
        return refused(_("“%(name)s” is already deactivated.", name=source.name), source)
    if not target.active:
        return refused(
            _("“%(name)s” is deactivated: reactivate it first.", name=target.name), source
        )
    members = _rename_typed_locals(source.affiliate_id, source.name, target.name)
    source.active = False
    _record(
        actor, ReferenceKind.LOCAL, source.id, ReferenceAction.MERGED,
        {"into": [source.name, target.name], "members": [None, members]},
        affiliate_id=source.affiliate_id,
    )  # fmt: skip
    db.session.commit()
    return done(
        _("“%(source)s” merged into “%(target)s” (members moved: %(count)d).",
          source=source.name, target=target.name, count=members),
        target,
    )  # fmt: skip


def set_local_active(actor: Any, local: Local, active: bool) -> Result:
    """A deactivated local is no longer offered to members; what they typed is kept."""
    if local.active == active:
        return done(_("Nothing changed."), local)
    local.active = active
    action = ReferenceAction.REACTIVATED if active else ReferenceAction.DEACTIVATED
    _record(
        actor, ReferenceKind.LOCAL, local.id, action, {"local": [None, local.name]},
        affiliate_id=local.affiliate_id,
    )  # fmt: skip
    db.session.commit()
    if active:
        return done(_("“%(name)s” is offered to members again.", name=local.name), local)
    return done(_("“%(name)s” is no longer offered to members.", name=local.name), local)


def record_locals_in_use() -> int:
    """Every (affiliate, local) members typed that is not a local yet becomes one
    (what migration 0012 did once; the demo data calls it after adding its people)."""
    typed = sa.union(
        *(
            sa.select(t.c.affiliate_id, sa.func.trim(t.c.local_name).label("name")).where(
                sa.func.trim(t.c.local_name) != ""
            )
            for t in (db.metadata.tables[name] for name in TYPED_LOCAL_TABLES)
        )
    ).subquery()
    known = sa.select(Local.id).where(
        Local.affiliate_id == typed.c.affiliate_id, Local.name == typed.c.name
    )
    rows = db.session.execute(sa.select(typed.c.affiliate_id, typed.c.name).where(~known.exists()))
    added = 0
    for affiliate_id, name in rows.all():
        db.session.add(Local(affiliate_id=affiliate_id, name=name))
        added += 1
    db.session.commit()
    return added


# ---------------------------------------------------------------- what the pages show


def everything_by_name() -> dict[str, list[Any]]:
    """The index: programs, job families and affiliates, each by name (three queries)."""
    return {
        key: list(db.session.scalars(sa.select(model).order_by(model.name).limit(LIST_LIMIT)))
        for key, model in (
            ("programs", Program), ("job_families", JobFamily), ("affiliates", Affiliate)
        )
    }  # fmt: skip


def locals_page(
    affiliate: Affiliate, *, search: str = "", at: PageRequest | None = None
) -> Page[Local]:
    """One page of an affiliate's locals, active first, by name (count, then the page)."""
    query = sa.select(Local).where(Local.affiliate_id == affiliate.id)
    if search.strip():
        query = query.where(sa.func.lower(Local.name).like(contains(search), escape="\\"))
    order = (Local.active.desc(), Local.name, Local.id)
    return paginate(query, *order, at=at, size=LOCALS_PAGE_SIZE)


def active_locals(affiliate_id: int | None, limit: int = 1000) -> list[str]:
    """The names offered to members of this affiliate when they type their local."""
    if not affiliate_id or not 0 < affiliate_id < 2**31:  # an id typed by hand, not ours
        return []
    return list(
        db.session.scalars(
            sa.select(Local.name)
            .where(Local.affiliate_id == affiliate_id, Local.active.is_(True))
            .order_by(Local.name)
            .limit(limit)
        )
    )


def merge_targets(local: Local, limit: int = 1000) -> list[Local]:
    """The other active locals of the same affiliate (what a local may be merged into)."""
    return list(
        db.session.scalars(
            sa.select(Local)
            .where(
                Local.affiliate_id == local.affiliate_id,
                Local.active.is_(True),
                Local.id != local.id,
            )
            .order_by(Local.name)
            .limit(limit)
        )
    )


HISTORY_PAGE_SIZE = 25


def history(
    kind: ReferenceKind, subject_id: int, at: PageRequest | None = None
) -> Page[ReferenceEvent]:
    """One page of the changes to one piece of reference data, latest first (for an
    affiliate: its locals too)."""
    query = sa.select(ReferenceEvent).options(joinedload(ReferenceEvent.actor))
    if kind == ReferenceKind.AFFILIATE:
        query = query.where(ReferenceEvent.affiliate_id == subject_id)
    else:
        query = query.where(ReferenceEvent.kind == kind, ReferenceEvent.subject_id == subject_id)
    order = (ReferenceEvent.created_at.desc(), ReferenceEvent.id.desc())
    return paginate(query, *order, size=HISTORY_PAGE_SIZE, at=at, seek=True)


def event_text(event: ReferenceEvent) -> str:
    """One line of the history, in the reader's language."""
    names = {
        "name": _("name"),
        "name_es": _("name in Spanish"),
        "description": _("description"),
        "page_text": _("page text"),
        "requires_application": _("needs an application"),
    }

    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        text = str(value or "")
        return f"“{text[:80]}…”" if len(text) > 80 else f"“{text}”"

    local = event.kind == ReferenceKind.LOCAL
    if event.action == ReferenceAction.ADDED:
        return _("local added: %(name)s", name=shown(event.changes.get("name", [None, ""])[1]))
    if event.action == ReferenceAction.MERGED:
        before, after = event.changes.get("into", ["", ""])
        return _(
            "local %(source)s merged into %(target)s", source=shown(before), target=shown(after)
        )
    if event.action in (ReferenceAction.DEACTIVATED, ReferenceAction.REACTIVATED):
        name = shown(event.changes.get("local", [None, ""])[1])
        if event.action == ReferenceAction.DEACTIVATED:
            return _("local %(name)s deactivated", name=name)
        return _("local %(name)s reactivated", name=name)
    parts = [
        _("%(field)s: %(before)s → %(after)s", field=names.get(field, field),
          before=shown(values[0]), after=shown(values[1]))
        for field, values in event.changes.items()
    ]  # fmt: skip
    if local:
        before, after = event.changes.get("name", ["", ""])
        return _("local renamed: %(before)s → %(after)s", before=shown(before), after=shown(after))
    text = "; ".join(parts)
    if event.kind == ReferenceKind.AFFILIATE:
        return _("affiliate edited: %(changes)s", changes=text)
    return _("edited: %(changes)s", changes=text)
