"""The queries behind catalog pages: each loads what its template shows, up front."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from esp_registry.catalog.models import (
    Offering,
    OfferingFormat,
    OfferingStatus,
    Session,
    offering_audience,
)
from esp_registry.extensions import db
from esp_registry.paging import Page, PageRequest, paginate
from esp_registry.reference.models import Affiliate, JobFamily
from esp_registry.registrations.rules import Counts, offering_counts, seats_left
from esp_registry.web import by_translated_name


@dataclass(frozen=True)
class CatalogFilters:
    job_family: JobFamily | None = None
    host: str = ""  # "" any, "national", or an affiliate code
    format: OfferingFormat | None = None
    text: str = ""
    host_affiliate: Affiliate | None = None  # the affiliate `host` names, for the sentence

    def active(self, *, with_job_family: bool = True) -> int:
        """How many filters a person chose ("Filter trainings (2 active)"); on a job
        family's own page its family is the page, not a filter."""
        chosen = [self.host, self.format, self.text]
        if with_job_family:
            chosen.append(self.job_family)
        return sum(1 for value in chosen if value)


@dataclass(frozen=True)
class CatalogEntry:
    offering: Offering
    seats_left: int | None
    waitlisted: int = 0


def job_families() -> list[JobFamily]:
    """In the order of the names the reader sees (Spanish names in Spanish)."""
    return by_translated_name(db.session.scalars(sa.select(JobFamily)))


def affiliates() -> list[Affiliate]:
    return by_translated_name(db.session.scalars(sa.select(Affiliate)))


PAGE_SIZE = 25


def upcoming_offerings(
    filters: CatalogFilters, now: datetime, at: PageRequest | None = None
) -> Page[CatalogEntry]:
    """One page of the published offerings whose last session is still ahead, soonest
    first (keyset paging: an upcoming offering always has a first session)."""
    last_end = (
        sa.select(sa.func.max(Session.ends_at))
        .where(Session.offering_id == Offering.id)
        .scalar_subquery()
    )
    first_start = (
        sa.select(sa.func.min(Session.starts_at))
        .where(Session.offering_id == Offering.id)
        .scalar_subquery()
    )
    query = (
        sa.select(Offering)
        .where(Offering.status == OfferingStatus.PUBLISHED, last_end >= now)
        .options(
            joinedload(Offering.program),
            joinedload(Offering.host_affiliate),
            selectinload(Offering.sessions),
            selectinload(Offering.audience),
        )
    )
    if filters.job_family is not None:
        for_everyone = ~sa.exists().where(offering_audience.c.offering_id == Offering.id)
        for_family = sa.exists().where(
            offering_audience.c.offering_id == Offering.id,
            offering_audience.c.job_family_id == filters.job_family.id,
        )
        query = query.where(sa.or_(for_everyone, for_family))
    if filters.host == "national":
        query = query.where(Offering.host_affiliate_id.is_(None))
    elif filters.host:
        query = query.join(Offering.host_affiliate).where(Affiliate.code == filters.host)
    if filters.format is not None:
        query = query.where(Offering.format == filters.format)
    if filters.text:
        pattern = "%" + filters.text.replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(
            sa.or_(Offering.title.ilike(pattern), Offering.description.ilike(pattern))
        )
    page = paginate(
        query, first_start, Offering.title, Offering.id, size=PAGE_SIZE, at=at, seek=True
    )
    counts = offering_counts([o.id for o in page.items])
    entries = []
    for o in page.items:
        count = counts.get(o.id, Counts())
        entries.append(CatalogEntry(o, seats_left(o, count.seats_taken), count.waitlisted))
    return replace(page, items=entries)


# What the offering page shows, loaded with the offering itself.
OFFERING_PAGE_OPTIONS = (
    joinedload(Offering.program),
    joinedload(Offering.host_affiliate),
    joinedload(Offering.parent),
    selectinload(Offering.sessions),
    selectinload(Offering.audience),
    selectinload(Offering.facilitators),
    selectinload(Offering.children),
)
