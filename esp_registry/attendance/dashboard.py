"""The facilitator's dashboard: the trainings whose rosters they may open, a page at a time."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from esp_registry.access import facilitated_offerings_query
from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering, Session
from esp_registry.paging import Page, PageRequest, contains, paginate

PAGE_SIZE = 25


def facilitated_page(user: User, search: str = "", at: PageRequest | None = None) -> Page[Offering]:
    """One page of the offerings this person facilitates (all of them for a national
    admin), by first session, undated last; `search` narrows by title. Offset paging: the
    first session may be missing."""
    first_start = (
        sa.select(sa.func.min(Session.starts_at))
        .where(Session.offering_id == Offering.id)
        .scalar_subquery()
    )
    query = facilitated_offerings_query(user).options(
        selectinload(Offering.sessions), joinedload(Offering.host_affiliate)
    )
    if search.strip():
        query = query.where(sa.func.lower(Offering.title).like(contains(search), escape="\\"))
    order = (first_start.is_(None), first_start, Offering.id)
    return paginate(query, *order, size=PAGE_SIZE, at=at)
