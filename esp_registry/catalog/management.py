"""Offering management rules (PRODUCT §3, issue 3 item 1), as plain functions.

Staff create and edit offerings, their sessions and facilitators, and move them through
draft → published → completed | cancelled. Each `*_problems` function returns the broken
rules as {field name: message}; an empty dict means the change may be saved. The `save_*`
and status functions check first, then change and commit in one transaction, so a refused
change leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import joinedload, selectinload

from esp_registry.access import managed_offerings_query, may_host_offering, may_view_offering
from esp_registry.accounts.models import Role, RoleGrant, User
from esp_registry.attendance.models import Attendance
from esp_registry.catalog.models import (
    Offering,
    OfferingFormat,
    OfferingStatus,
    PromotionMode,
    Session,
)
from esp_registry.extensions import db
from esp_registry.paging import Page, PageRequest, contains, paginate
from esp_registry.reference.models import Affiliate, JobFamily, Program
from esp_registry.reference_data import CONFERENCE_PROGRAM_SLUG
from esp_registry.registrations import rules as registration_rules
from esp_registry.registrations.models import Registration

# The zones US members train in, as (IANA name, label); the select offers these only.
COMMON_TIME_ZONES: list[tuple[str, Any]] = [
    ("America/New_York", _l("Eastern (New York)")),
    ("America/Chicago", _l("Central (Chicago)")),
    ("America/Denver", _l("Mountain (Denver)")),
    ("America/Phoenix", _l("Mountain, no daylight saving (Phoenix)")),
    ("America/Los_Angeles", _l("Pacific (Los Angeles)")),
    ("America/Anchorage", _l("Alaska (Anchorage)")),
    ("Pacific/Honolulu", _l("Hawaii (Honolulu)")),
    ("America/Puerto_Rico", _l("Atlantic (Puerto Rico)")),
]

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
MAX_CONTACT_HOURS = Decimal(24)
HOURS_STEP = Decimal("0.25")
EDITABLE_STATUSES = (OfferingStatus.DRAFT, OfferingStatus.PUBLISHED)

T = TypeVar("T")


@dataclass(frozen=True)
class OfferingData:
    """What the offering form asks for; times as typed, in the offering's own zone."""

    program_id: int
    title: str
    host_affiliate_id: int | None
    format: OfferingFormat
    timezone: str
    description: str = ""
    venue: str = ""
    online_url: str = ""
    registration_opens: datetime | None = None  # naive, local to `timezone`
    registration_closes: datetime | None = None  # naive, local to `timezone`
    capacity: int | None = None
    waitlist_enabled: bool = False
    promotion_mode: PromotionMode = PromotionMode.CONFIRM
    offer_hours: int | None = None
    audience_ids: tuple[int, ...] = ()
    requires_affiliate_approval: bool = False
    parent_id: int | None = None
    signatory: str = ""


@dataclass(frozen=True)
class SessionData:
    """One session as typed: a date and clock times in the offering's zone."""

    title: str
    day: date
    starts: time
    ends: time
    contact_hours: Decimal


@dataclass(frozen=True)
class Saved(Generic[T]):
    """A saved object, or the problems (field → message) that kept it from being saved."""

    obj: T | None = None
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ActionResult:
    ok: bool
    message: str


# --- time ------------------------------------------------------------------------------


def is_known_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def time_zone_choices(current: str | None = None) -> list[tuple[str, Any]]:
    """The common US zones, plus the offering's own zone if it was set to another one."""
    choices = list(COMMON_TIME_ZONES)
    if current and current not in dict(choices) and is_known_time_zone(current):
        choices.append((current, current))
    return choices


def local_to_utc(value: datetime, zone: str) -> datetime:
    """A wall-clock time typed for the offering's zone, as an aware UTC instant."""
    return value.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def utc_to_local(value: datetime | None, zone: str) -> datetime | None:
    """The naive wall-clock time a form field shows for a stored UTC instant."""
    return None if value is None else value.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def _shown(value: datetime, zone: str) -> str:
    return value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


def year_problem(value: date | None) -> str | None:
    """Dates are between 2000 and 2100: anything else is a typing slip."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return _(
            "Enter a date between %(first)d and %(last)d.", first=EARLIEST_YEAR, last=LATEST_YEAR
        )
    return None


# --- single rules ----------------------------------------------------------------------


def time_zone_problem(zone: str, current: str | None = None) -> str | None:
    """The time zone is one of the common US zones (or the one the offering already has)."""
    if zone not in dict(time_zone_choices(current)):
        return _("Choose a time zone from the list.")
    return None


def window_problems(
    opens: datetime | None, closes: datetime | None, first_start: datetime | None, zone: str
) -> dict[str, str]:
    """Registration opens before it closes, and closes by the time the first session
    starts (registration cannot stay open once the training is under way)."""
    problems: dict[str, str] = {}
    if opens is not None and closes is not None and opens >= closes:
        problems["registration_opens"] = _("Registration must open before it closes.")
    if first_start is not None:
        if closes is not None and closes > first_start:
            problems["registration_closes"] = _(
                "Registration must close by the time the first session starts (%(start)s).",
                start=_shown(first_start, zone),
            )
        if opens is not None and opens >= first_start:
            problems.setdefault(
                "registration_opens",
                _(
                    "Registration must open before the first session starts (%(start)s).",
                    start=_shown(first_start, zone),
                ),
            )
    return problems


def capacity_problem(capacity: int | None, seats_taken: int) -> str | None:
    """Capacity may not drop below the seats already taken: confirmed members plus
    waitlisted members holding an offer of a seat. Blank capacity means unlimited."""
    if capacity is not None and capacity < seats_taken:
        return _(
            "%(taken)d seats are already taken (confirmed or offered); the capacity cannot"
            " be lower.",
            taken=seats_taken,
        )
    return None


def promotion_problem(mode: PromotionMode, offer_hours: int | None) -> str | None:
    """Offering a freed seat for N hours needs N."""
    if mode == PromotionMode.OFFER and not offer_hours:
        return _("Say for how many hours a freed seat is offered.")
    return None


def parent_problem(offering: Offering | None, parent: Offering | None, user: User) -> str | None:
    """A pre-conference session hangs off a conference offering that is not itself a
    pre-conference session, and not off itself; an offering with pre-conference sessions
    of its own cannot become one."""
    if parent is None:
        return _("Choose a conference from the list.")
    if offering is not None and parent.id == offering.id:
        return _("An offering cannot be its own parent conference.")
    if parent.parent_id is not None:
        return _("That offering is itself a pre-conference session; choose the conference.")
    if parent.program.slug != CONFERENCE_PROGRAM_SLUG or not may_view_offering(user, parent):
        return _("Choose a conference from the list.")
    if offering is not None and offering.children:
        return _("This offering has pre-conference sessions, so it cannot become one.")
    return None


def online_url_problem(url: str) -> str | None:
    """Online links are web addresses (http or https), nothing a browser would run."""
    if url and not url.lower().startswith(("https://", "http://")):
        return _("Enter a full web address starting with https://")
    return None


def contact_hours_problem(hours: Decimal) -> str | None:
    """Contact hours run from 0 to 24 in steps of a quarter hour."""
    if not hours.is_finite() or not Decimal(0) <= hours <= MAX_CONTACT_HOURS:
        return _("Contact hours must be between 0 and 24.")
    if hours % HOURS_STEP != 0:
        return _("Contact hours go in steps of 0.25 (a quarter of an hour).")
    return None


def session_problems(
    data: SessionData, zone: str, opens: datetime | None, closes: datetime | None
) -> dict[str, str]:
    """A session ends after it starts, on the same day; its hours are in range; and it
    does not start before registration closes."""
    problems: dict[str, str] = {}
    if bad_year := year_problem(data.day):
        return {"day": bad_year}
    if data.ends <= data.starts:
        problems["ends"] = _("The session must end after it starts.")
    if hours := contact_hours_problem(data.contact_hours):
        problems["contact_hours"] = hours
    starts_at = local_to_utc(datetime.combine(data.day, data.starts), zone)
    if (closes is not None and closes > starts_at) or (opens is not None and opens >= starts_at):
        problems["day"] = _(
            "This session would start before registration closes; change the registration"
            " window first."
        )
    return problems


def editing_refusal(offering: Offering) -> str | None:
    """Only draft and published offerings change; cancelled and completed ones are history."""
    if offering.status == OfferingStatus.CANCELLED:
        return _("This training is cancelled; it can no longer be changed.")
    if offering.status == OfferingStatus.COMPLETED:
        return _("This training is completed; it can no longer be changed.")
    return None


# --- reading ---------------------------------------------------------------------------


def conference_offerings() -> list[Offering]:
    """Offerings a pre-conference session may hang off: the National Conference's runs."""
    return list(
        db.session.scalars(
            sa.select(Offering)
            .join(Offering.program)
            .where(
                Program.slug == CONFERENCE_PROGRAM_SLUG,
                Offering.parent_id.is_(None),
                Offering.status.in_(EDITABLE_STATUSES),
            )
            .order_by(Offering.title)
        )
    )


# --- changing --------------------------------------------------------------------------


def offering_problems(
    offering: Offering | None, data: OfferingData, user: User, seats_taken: int
) -> dict[str, str]:
    """Every rule an offering's details must keep, for a new offering (None) or an edit."""
    problems: dict[str, str] = {}
    current_zone = offering.timezone if offering is not None else None
    host = data.host_affiliate_id
    if host is not None and db.session.get(Affiliate, host) is None:
        problems["host_affiliate_id"] = _("Choose a host from the list.")
    elif (offering is None or host != offering.host_affiliate_id) and not may_host_offering(
        user, host
    ):
        problems["host_affiliate_id"] = _(
            "You may only choose your own state affiliate as the host."
        )
    if db.session.get(Program, data.program_id) is None:
        problems["program_id"] = _("Choose a program from the list.")
    if zone_problem := time_zone_problem(data.timezone, current_zone):
        problems["timezone"] = zone_problem
    if url := online_url_problem(data.online_url):
        problems["online_url"] = url
    for name in ("registration_opens", "registration_closes"):
        value = getattr(data, name)
        if bad_year := year_problem(value.date() if value else None):
            problems[name] = bad_year
    if capacity := capacity_problem(data.capacity, seats_taken):
        problems["capacity"] = capacity
    if promotion := promotion_problem(data.promotion_mode, data.offer_hours):
        problems["offer_hours"] = promotion
    if data.parent_id is not None:
        parent = db.session.get(Offering, data.parent_id)
        if parent_says := parent_problem(offering, parent, user):
            problems["parent_id"] = parent_says
    if problems.keys() & {"timezone", "registration_opens", "registration_closes"}:
        return problems  # the window cannot be checked until its times can be read
    opens, closes = _window_utc(data)
    first_start = None
    if offering is not None and offering.sessions:
        first_start = _reanchored(offering.sessions[0].starts_at, offering.timezone, data.timezone)
    problems.update(window_problems(opens, closes, first_start, data.timezone))
    return problems


def _window_utc(data: OfferingData) -> tuple[datetime | None, datetime | None]:
    def utc(value: datetime | None) -> datetime | None:
        return None if value is None else local_to_utc(value, data.timezone)

    return utc(data.registration_opens), utc(data.registration_closes)


def _reanchored(instant: datetime, old_zone: str, new_zone: str) -> datetime:
    # A zone change keeps the session's wall-clock time (9:00 stays 9:00), as staff mean it.
    if old_zone == new_zone:
        return instant
    return local_to_utc(utc_to_local(instant, old_zone), new_zone)  # type: ignore[arg-type]


def save_offering(
    offering: Offering | None, data: OfferingData, user: User, now: datetime
) -> Saved[Offering]:
    """Create (offering None) or update an offering after checking every rule.

    Raising the capacity of an offering with a waitlist promotes waitlisted members in
    the same transaction (registrations.rules.promote_from_waitlist)."""
    if offering is not None and (refusal := editing_refusal(offering)):
        return Saved(problems={"title": refusal})
    counts = registration_rules.Counts()
    if offering is not None:
        # No registration slips in between the count and the new capacity.
        registration_rules.lock_offering(offering.id)
        counts = registration_rules.offering_counts([offering.id]).get(offering.id, counts)
    problems = offering_problems(offering, data, user, counts.seats_taken)
    if problems:
        db.session.rollback()
        return Saved(problems=problems)

    old_capacity = None
    if offering is None:
        offering = Offering(status=OfferingStatus.DRAFT)
        db.session.add(offering)
    else:
        old_capacity = offering.capacity
        for session in offering.sessions:
            session.starts_at = _reanchored(session.starts_at, offering.timezone, data.timezone)
            session.ends_at = _reanchored(session.ends_at, offering.timezone, data.timezone)
    opens, closes = _window_utc(data)
    offering.program_id = data.program_id
    offering.title = data.title.strip()
    offering.description = data.description.strip()
    offering.host_affiliate_id = data.host_affiliate_id
    offering.format = data.format
    offering.venue = data.venue.strip()
    offering.online_url = data.online_url.strip()
    offering.timezone = data.timezone
    offering.registration_opens_at = opens
    offering.registration_closes_at = closes
    offering.capacity = data.capacity
    offering.waitlist_enabled = data.waitlist_enabled
    offering.promotion_mode = data.promotion_mode
    offering.offer_hours = data.offer_hours if data.promotion_mode == PromotionMode.OFFER else None
    offering.requires_affiliate_approval = data.requires_affiliate_approval
    offering.parent_id = data.parent_id
    offering.signatory = data.signatory.strip()
    offering.audience = list(
        db.session.scalars(sa.select(JobFamily).where(JobFamily.id.in_(data.audience_ids)))
    )
    db.session.flush()
    if counts.waitlisted and _capacity_raised(old_capacity, data.capacity):
        registration_rules.promote_from_waitlist(offering, now)
    db.session.commit()
    return Saved(offering)


def _capacity_raised(old: int | None, new: int | None) -> bool:
    return old is not None and (new is None or new > old)


def save_session(offering: Offering, session: Session | None, data: SessionData) -> Saved[Session]:
    """Add (session None) or change a session of an editable offering."""
    if refusal := editing_refusal(offering):
        return Saved(problems={"title": refusal})
    problems = session_problems(
        data, offering.timezone, offering.registration_opens_at, offering.registration_closes_at
    )
    if problems:
        return Saved(problems=problems)
    if session is None:
        session = Session()
        offering.sessions.append(session)
    session.title = data.title.strip()
    session.starts_at = local_to_utc(datetime.combine(data.day, data.starts), offering.timezone)
    session.ends_at = local_to_utc(datetime.combine(data.day, data.ends), offering.timezone)
    session.contact_hours = data.contact_hours
    db.session.commit()
    return Saved(session)


def remove_session(session: Session) -> ActionResult:
    """A session goes away unless it is the last one of a published offering (a published
    training always has at least one session) or attendance has been taken for it."""
    offering = session.offering
    if refusal := editing_refusal(offering):
        return ActionResult(False, refusal)
    if offering.status == OfferingStatus.PUBLISHED and len(offering.sessions) <= 1:
        return ActionResult(False, _("A published training needs at least one session."))
    marked = db.session.scalar(
        sa.select(sa.func.count()).where(Attendance.session_id == session.id)
    )
    if marked:
        return ActionResult(
            False, _("Attendance has been taken for this session, so it cannot be removed.")
        )
    title = session.title
    offering.sessions.remove(session)
    db.session.commit()
    return ActionResult(True, _("Session “%(title)s” removed.", title=title))


def assign_facilitator(offering: Offering, email: str) -> ActionResult:
    """Any existing account may facilitate; they get the facilitator role (for the
    Facilitate page) and this roster, nothing else."""
    person = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if person is None:
        return ActionResult(False, _("No account uses this email address."))
    if any(f.id == person.id for f in offering.facilitators):
        return ActionResult(
            False, _("%(name)s already facilitates this training.", name=person.full_name)
        )
    offering.facilitators.append(person)
    if not person.has_role(Role.FACILITATOR):
        person.role_grants.append(RoleGrant(role=Role.FACILITATOR))
    db.session.commit()
    return ActionResult(True, _("%(name)s now facilitates this training.", name=person.full_name))


def unassign_facilitator(offering: Offering, user_id: int) -> ActionResult:
    person = next((f for f in offering.facilitators if f.id == user_id), None)
    if person is None:
        return ActionResult(False, _("That person does not facilitate this training."))
    offering.facilitators.remove(person)
    db.session.commit()
    return ActionResult(
        True, _("%(name)s no longer facilitates this training.", name=person.full_name)
    )


def publish_refusal(offering: Offering) -> str | None:
    """Only a draft is published, and only once it has at least one session."""
    if offering.status != OfferingStatus.DRAFT:
        return _("Only a draft can be published.")
    if not offering.sessions:
        return _("Add at least one session before publishing.")
    return None


def publish(offering: Offering) -> ActionResult:
    if refusal := publish_refusal(offering):
        return ActionResult(False, refusal)
    offering.status = OfferingStatus.PUBLISHED
    db.session.commit()
    return ActionResult(True, _("Published: members can now find and register for it."))


def complete_refusal(offering: Offering, now: datetime) -> str | None:
    """A published offering is completed only after its last session has ended."""
    if offering.status != OfferingStatus.PUBLISHED:
        return _("Only a published training can be completed.")
    if offering.ends_at is None or offering.ends_at > now:
        return _("A training can be completed only after its last session has ended.")
    return None


def complete(offering: Offering, now: datetime) -> ActionResult:
    if refusal := complete_refusal(offering, now):
        return ActionResult(False, refusal)
    offering.status = OfferingStatus.COMPLETED
    db.session.commit()
    return ActionResult(True, _("Marked as completed."))


def cancel_refusal(offering: Offering) -> str | None:
    """Drafts and published offerings can be cancelled; completed ones are history."""
    if offering.status not in EDITABLE_STATUSES:
        return _("Only a draft or published training can be cancelled.")
    return None


def cancel(offering: Offering, by_user: User, reason: str, now: datetime) -> ActionResult:
    """Cancelling an offering cancels its active registrations and tells the members
    (registrations.rules.cancel_offering), in one transaction."""
    if refusal := cancel_refusal(offering):
        return ActionResult(False, refusal)
    cancelled = registration_rules.cancel_offering(offering, by_user, reason.strip(), now)
    return ActionResult(
        True,
        ngettext(
            "Cancelled; %(num)d registration was cancelled and the member told.",
            "Cancelled; %(num)d registrations were cancelled and the members told.",
            cancelled,
        ),
    )


@dataclass(frozen=True)
class ManagedOffering:
    offering: Offering
    counts: registration_rules.Counts


MANAGE_PAGE_SIZE = 25


def managed_offerings(
    user: User, search: str = "", at: PageRequest | None = None
) -> Page[ManagedOffering]:
    """One page of the /manage list: the offerings this person may manage, in any status,
    with their seat counts; `search` narrows by title. A fixed number of queries however
    many offerings there are. Offerings without dates come first, then the latest first
    (offset paging: the date may be missing, so no keyset)."""
    first_start = (
        sa.select(sa.func.min(Session.starts_at))
        .where(Session.offering_id == Offering.id)
        .scalar_subquery()
    )
    query = managed_offerings_query(user).options(
        joinedload(Offering.program),
        joinedload(Offering.host_affiliate),
        selectinload(Offering.sessions),
    )
    if search.strip():
        query = query.where(sa.func.lower(Offering.title).like(contains(search), escape="\\"))
    order = (first_start.is_(None).desc(), first_start.desc(), Offering.title, Offering.id)
    page = paginate(query, *order, size=MANAGE_PAGE_SIZE, at=at)
    counts = registration_rules.offering_counts([o.id for o in page.items])
    rows = [ManagedOffering(o, counts.get(o.id, registration_rules.Counts())) for o in page.items]
    return replace(page, items=rows)


REGISTRATIONS_PAGE_SIZE = 25


def offering_registrations(
    offering: Offering, search: str = "", at: PageRequest | None = None
) -> Page[Registration]:
    """One page of everyone registered, for staff: active first, then by when they
    registered (waitlist in its order); `search` narrows by name or e-mail. Offset paging:
    the waitlist time is missing for most."""
    query = (
        sa.select(Registration)
        .join(Registration.user)
        .where(Registration.offering_id == offering.id)
        .options(joinedload(Registration.user))
    )
    if search.strip():
        pattern = contains(search)
        query = query.where(
            sa.or_(
                sa.func.lower(User.full_name).like(pattern, escape="\\"),
                User.email.like(pattern, escape="\\"),
            )
        )
    order = (
        Registration.status.in_(("cancelled", "declined")),
        Registration.waitlisted_at.is_not(None),
        Registration.waitlisted_at,
        Registration.created_at,
        Registration.id,
    )
    return paginate(query, *order, size=REGISTRATIONS_PAGE_SIZE, at=at)
