"""National admins add, edit and retire requirements (thin routes call these)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from esp_registry.accounts.models import User
from esp_registry.columns import utcnow
from esp_registry.credit.required.models import RenewalKind, RequiredTraining
from esp_registry.extensions import db
from esp_registry.paging import Page, PageRequest, paginate
from esp_registry.reference.models import JobFamily, Program
from esp_registry.results import Result, done, refused

PAGE_SIZE = 25


def requirements_page(at: PageRequest) -> Page[RequiredTraining]:
    """Current requirements first, then retired ones; newest first within each."""
    query = sa.select(RequiredTraining).options(
        joinedload(RequiredTraining.program), selectinload(RequiredTraining.job_families)
    )
    retired_last = sa.case((RequiredTraining.retired_at.is_(None), 0), else_=1)
    return paginate(query, retired_last, RequiredTraining.id.desc(), size=PAGE_SIZE, at=at)


def save_requirement(
    by: User,
    requirement: RequiredTraining | None,
    *,
    program: int,
    job_families: list[int],
    kind: str,
    valid_months: int | None,
    hours_per_year: Decimal | None,
    now: datetime | None = None,
) -> Result:
    """A new requirement, or changes to one; a program has one current requirement."""
    if requirement is None:
        requirement = RequiredTraining(created_by_id=by.id, created_at=now or utcnow())
        db.session.add(requirement)
    elif requirement.retired_at is not None:
        return refused(_("This requirement is retired; add a new one instead."), requirement)
    renewal = RenewalKind(kind)
    requirement.program_id = program
    requirement.kind = renewal
    requirement.valid_months = valid_months if renewal == RenewalKind.EXPIRY else None
    requirement.hours_per_year = hours_per_year if renewal == RenewalKind.HOURS else None
    with db.session.no_autoflush:
        requirement.job_families = list(
            db.session.scalars(sa.select(JobFamily).where(JobFamily.id.in_(job_families)))
        )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return refused(_("This program already has a current requirement: edit that one."))
    name = db.session.get(Program, program)
    return done(
        _("Requirement saved: %(program)s.", program=name.name if name else ""), requirement
    )


def retire_requirement(requirement: RequiredTraining, now: datetime | None = None) -> Result:
    """Retired: no longer shown to members or in the overdue list; kept for history."""
    if requirement.retired_at is None:
        requirement.retired_at = now or utcnow()
        db.session.commit()
    return done(_("Requirement retired."), requirement)
