"""Registration rules of PRODUCT §4, as plain functions that tests call directly.

Every change to one offering's registrations runs under that offering's lock, in one
transaction that also writes the e-mails it causes to the outbox. Expected refusals
("full", "closed") are results with a message, not exceptions.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering, OfferingStatus, PromotionMode
from esp_registry.columns import utcnow
from esp_registry.extensions import commit_keeping_loaded, db
from esp_registry.notifications.outbox import public_url, queue_email
from esp_registry.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from esp_registry.results import ALLOWED, Decision, not_now

Status = RegistrationStatus


class Outcome(enum.StrEnum):
    CONFIRMED = "confirmed"
    PENDING = "pending_approval"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    LEFT_WAITLIST = "left_waitlist"
    ACCEPTED = "accepted"
    ALREADY = "already_registered"
    FULL = "full"
    CLOSED = "closed"
    NOT_OPEN = "not_open"
    UNAVAILABLE = "unavailable"
    AUDIENCE = "audience"
    NEEDS_PARENT = "needs_parent"
    TOO_LATE = "too_late"
    NOT_ALLOWED = "not_allowed"
    NEEDS_REASON = "needs_reason"
    OFFER_EXPIRED = "offer_expired"


SUCCESSES = {
    Outcome.CONFIRMED,
    Outcome.PENDING,
    Outcome.WAITLISTED,
    Outcome.DECLINED,
    Outcome.CANCELLED,
    Outcome.LEFT_WAITLIST,
    Outcome.ACCEPTED,
}


@dataclass(frozen=True)
class Counts:
    """Seats taken (confirmed plus seats on offer), the waitlist's length, pending approvals."""

    seats_taken: int = 0
    waitlisted: int = 0
    pending: int = 0


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    message: str
    registration: Registration | None = None
    position: int | None = None  # the waitlist position told, for WAITLISTED
    counts: Counts | None = None  # the offering's, as this change committed them

    @property
    def ok(self) -> bool:
        return self.outcome in SUCCESSES

    @property
    def tone(self) -> str:
        """How the message is shown: waiting is not a refusal, but not yet a seat either."""
        if self.outcome in (Outcome.WAITLISTED, Outcome.PENDING):
            return "info"
        return "success" if self.ok else "error"


# ---------------------------------------------------------------------------- counting


def _holds_seat() -> sa.ColumnElement[bool]:
    """Confirmed, or waitlisted with a seat on offer: both count against capacity."""
    return sa.or_(
        Registration.status == Status.CONFIRMED,
        sa.and_(
            Registration.status == Status.WAITLISTED, Registration.offer_expires_at.isnot(None)
        ),
    )


def _in_queue() -> sa.ColumnElement[bool]:
    return sa.and_(
        Registration.status == Status.WAITLISTED, Registration.offer_expires_at.is_(None)
    )


def offering_counts(offering_ids: list[int]) -> dict[int, Counts]:
    """Seats taken, waitlist length and pending approvals per offering, in one query."""
    if not offering_ids:
        return {}
    rows = db.session.execute(
        sa.select(
            Registration.offering_id,
            sa.func.count().filter(_holds_seat()),
            sa.func.count().filter(_in_queue()),
            sa.func.count().filter(Registration.status == Status.PENDING_APPROVAL),
        )
        .where(Registration.offering_id.in_(offering_ids))
        .group_by(Registration.offering_id)
    )
    return {oid: Counts(taken, queued, pending) for oid, taken, queued, pending in rows}


def confirmed_counts(offering_ids: list[int]) -> dict[int, int]:
    """Seats taken per offering (confirmed plus seats on offer), in one query."""
    return {oid: c.seats_taken for oid, c in offering_counts(offering_ids).items()}


def seats_left(offering: Offering, taken: int | None = None) -> int | None:
    """Seats still free, or None when the offering has no capacity limit."""
    if offering.capacity is None:
        return None
    if taken is None:
        taken = confirmed_counts([offering.id]).get(offering.id, 0)
    return max(offering.capacity - taken, 0)


def waitlist_positions(offering_ids: list[int]) -> dict[int, int]:
    """Position (1..n, first come first served) of every queued registration, by id."""
    if not offering_ids:
        return {}
    position = sa.func.row_number().over(
        partition_by=Registration.offering_id,
        order_by=(Registration.waitlisted_at, Registration.id),
    )
    rows = db.session.execute(
        sa.select(Registration.id, position).where(
            Registration.offering_id.in_(offering_ids), _in_queue()
        )
    )
    return {registration_id: position for registration_id, position in rows}


def waitlist_position(registration: Registration) -> int | None:
    return waitlist_positions([registration.offering_id]).get(registration.id)


# ---------------------------------------------------------------------------- locking


def lock_offering(offering_id: int) -> None:
    # A no-op UPDATE takes the offering's row lock on PostgreSQL and the write lock on
    # SQLite, so every change to one offering's registrations runs one at a time.
    db.session.execute(sa.update(Offering).where(Offering.id == offering_id).values(id=Offering.id))


def _fresh(registration: Registration) -> Registration:
    """The registration as committed now, read after taking the lock."""
    db.session.refresh(registration)
    return registration


# ---------------------------------------------------------------------------- leave links

# A leave link works for 60 days after the e-mail that carries it: long enough for a
# waitlist kept open weeks before a training, short enough that an old e-mail found in a
# mailbox does nothing. After that the member leaves from My trainings (signed in).
LEAVE_LINK_MAX_AGE = timedelta(days=60)


def _leave_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="leave-waitlist-entry")


def _waitlist_entry(registration: Registration) -> str | None:
    """Names one stay on the waitlist: it changes when the member leaves and joins again."""
    if registration.waitlisted_at is None:
        return None
    return registration.waitlisted_at.astimezone(UTC).isoformat(timespec="microseconds")


def _on_waitlist_entry(registration: Registration, entry: str) -> bool:
    return registration.status == Status.WAITLISTED and _waitlist_entry(registration) == entry


def leave_token(registration: Registration) -> str:
    """The signed token of the leave link in waitlist e-mails, for this waitlist entry."""
    return _leave_serializer().dumps([registration.id, _waitlist_entry(registration)])


@dataclass(frozen=True)
class LeaveLink:
    """What an e-mailed leave link points at; `problem` says why it no longer works."""

    registration: Registration | None = None
    entry: str = ""
    problem: Result | None = None

    @property
    def works(self) -> bool:
        return self.problem is None


def _off_the_waitlist(registration: Registration | None) -> Result:
    message = _(
        "This link no longer works: you are no longer on the waitlist. To change a "
        "registration, sign in and go to My trainings."
    )
    return Result(Outcome.NOT_ALLOWED, message, registration)


def _gone(registration: Registration | None) -> LeaveLink:
    return LeaveLink(registration, problem=_off_the_waitlist(registration))


def read_leave_link(token: str, now: datetime | None = None) -> LeaveLink:
    """A leave link works while it is under LEAVE_LINK_MAX_AGE old and the member is
    still on the waitlist entry it was sent for; leaving, being confirmed, or leaving and
    joining again makes it dead. Reading it changes nothing."""
    now = now or utcnow()
    try:
        payload, signed_at = _leave_serializer().loads(token, return_timestamp=True)
    except BadSignature:
        payload = signed_at = None
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and isinstance(payload[0], int)
        and isinstance(payload[1], str)
    ):
        message = _(
            "This link does not work. Check that you copied all of it, or sign in and go "
            "to My trainings."
        )
        return LeaveLink(problem=Result(Outcome.NOT_ALLOWED, message))
    registration_id, entry = payload
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        return _gone(None)
    if now - signed_at > LEAVE_LINK_MAX_AGE:
        message = _("This link has expired. To leave the waitlist, sign in and go to My trainings.")
        return LeaveLink(registration, entry, Result(Outcome.NOT_ALLOWED, message, registration))
    if not _on_waitlist_entry(registration, entry):
        return _gone(registration)
    return LeaveLink(registration, entry)


def _email(kind: str, registration: Registration, **context: object) -> None:
    if registration.status == Status.WAITLISTED:
        context.setdefault(
            "leave_url", public_url("registrations.leave_by_link", token=leave_token(registration))
        )
    queue_email(registration.user, kind, registration=registration, **context)


# ---------------------------------------------------------------------------- placing


def _locked_counts(offering_id: int) -> tuple[Counts, datetime | None]:
    """The offering's counts and the last waitlist stamp, in one query. The caller holds
    the offering's lock, so they stay true until it commits."""
    taken, queued, pending, last = db.session.execute(
        sa.select(
            sa.func.count().filter(_holds_seat()),
            sa.func.count().filter(_in_queue()),
            sa.func.count().filter(Registration.status == Status.PENDING_APPROVAL),
            sa.func.max(Registration.waitlisted_at).filter(
                Registration.status == Status.WAITLISTED
            ),
        ).where(Registration.offering_id == offering_id)
    ).one()
    return Counts(taken, queued, pending), last


def _place(offering: Offering, registration: Registration, now: datetime) -> tuple[Outcome, Counts]:
    """Give a seat if one is free, else a waitlist place if the offering keeps one; with
    the offering's counts once it is placed. The caller holds the offering's lock.

    A waitlist entry is stamped now, or just after the last person already waiting if they
    are stamped later (the clock was read before the lock was taken, or is injected): so
    it is always last, and its position is the queue's length, as waitlist_positions
    counts it once committed."""
    counts, last = _locked_counts(offering.id)  # before the change: the query flushes
    left = seats_left(offering, counts.seats_taken)
    registration.offer_expires_at = None
    if left is None or left > 0:
        registration.status = Status.CONFIRMED
        registration.waitlisted_at = None
        return Outcome.CONFIRMED, replace(counts, seats_taken=counts.seats_taken + 1)
    if offering.waitlist_enabled:
        registration.status = Status.WAITLISTED
        registration.waitlisted_at = (
            last + timedelta(microseconds=1) if last and last >= now else now
        )
        # Promotion clears waitlisted_at; the reports still count who ever waited.
        registration.first_waitlisted_at = registration.first_waitlisted_at or (
            registration.waitlisted_at
        )
        return Outcome.WAITLISTED, replace(counts, waitlisted=counts.waitlisted + 1)
    return Outcome.FULL, counts


def promote_from_waitlist(offering: Offering, now: datetime | None = None) -> list[Registration]:
    """Fill free seats from the waitlist, first come first served, and notify each person:
    confirmed at once, or offered the seat for the offering's `offer_hours`. The caller
    holds the lock (or the transaction) and commits."""
    now = now or utcnow()
    db.session.flush()
    promoted: list[Registration] = []
    if offering.status != OfferingStatus.PUBLISHED:
        return promoted  # nobody is moved into a cancelled or completed training
    while True:
        left = seats_left(offering)
        if left is not None and left <= 0:
            break
        first = db.session.scalar(
            sa.select(Registration)
            .where(Registration.offering_id == offering.id, _in_queue())
            .order_by(Registration.waitlisted_at, Registration.id)
            .limit(1)
        )
        if first is None:
            break
        if offering.promotion_mode == PromotionMode.OFFER:
            first.offer_expires_at = now + timedelta(hours=offering.offer_hours or 24)
            _email("seat_offered", first)
        else:
            first.status = Status.CONFIRMED
            first.waitlisted_at = None
            _email("registration_promoted", first)
        first.decided_at = now
        db.session.flush()
        promoted.append(first)
    return promoted


# ---------------------------------------------------------------------------- registering


def may_register(user: User, offering: Offering, now: datetime) -> Decision:
    """Whether this member may register now; when not, why. The offering page asks it
    before it shows a Register button, and `register` asks it again under the lock."""
    if offering.status != OfferingStatus.PUBLISHED:
        return not_now(_("This training is not open for registration."), Outcome.UNAVAILABLE)
    if offering.registration_opens_at and now < offering.registration_opens_at:
        return not_now(_("Registration for this training has not opened yet."), Outcome.NOT_OPEN)
    if offering.registration_closes_at and now >= offering.registration_closes_at:
        return not_now(_("Registration for this training has closed."), Outcome.CLOSED)
    if offering.starts_at and now >= offering.starts_at and not offering.registration_closes_at:
        return not_now(_("This training has already started."), Outcome.CLOSED)
    if not offering.is_for_job_family(user.job_family_id):
        return not_now(_("This training is for other job families than yours."), Outcome.AUDIENCE)
    if offering.parent_id is not None and not _has_confirmed(user.id, offering.parent_id):
        return not_now(
            _(
                "Register for %(conference)s first: this is one of its pre-conference sessions.",
                conference=offering.parent.title if offering.parent else "",
            ),
            Outcome.NEEDS_PARENT,
        )
    return ALLOWED


def registration_refusal(user: User, offering: Offering, now: datetime) -> Result | None:
    """Why this member may not register now, as the answer `register` gives; None if they may."""
    decision = may_register(user, offering, now)
    return None if decision.allowed else Result(Outcome(decision.code), decision.reason)


def _has_confirmed(user_id: int, offering_id: int) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Registration.offering_id == offering_id,
                Registration.user_id == user_id,
                Registration.status == Status.CONFIRMED,
            )
        )
    )


def register(user: User, offering: Offering, now: datetime | None = None) -> Result:
    """A member takes a seat if one is left, else a waitlist place if the offering keeps
    one; offerings requiring approval wait for the member's state affiliate. Capacity is
    never exceeded, also when many members press Register at the same moment, and a
    member holds one registration per offering."""
    now = now or utcnow()
    refusal = registration_refusal(user, offering, now)
    if refusal:
        return refusal
    if offering.parent_id is not None:
        lock_offering(offering.parent_id)  # parent before child, always: no deadlocks
        if not _has_confirmed(user.id, offering.parent_id):
            db.session.rollback()
            return registration_refusal(user, offering, now) or Result(
                Outcome.NEEDS_PARENT, _("Register for the conference first.")
            )
    lock_offering(offering.id)
    registration = db.session.scalar(
        sa.select(Registration)
        .where(Registration.offering_id == offering.id, Registration.user_id == user.id)
        .execution_options(populate_existing=True)
    )
    if registration is not None and registration.status in ACTIVE_STATUSES:
        db.session.rollback()
        return Result(
            Outcome.ALREADY, _("You are already registered for this training."), registration
        )
    if registration is None:
        # Added to the session only once placed, so counting seats never flushes it half-made.
        registration = Registration(offering_id=offering.id, user_id=user.id, user=user)
    registration.reason = ""
    registration.decided_by_id = None
    registration.decided_at = None
    registration.created_at = now

    counts = None
    if offering.requires_affiliate_approval:
        registration.status = Status.PENDING_APPROVAL
        registration.waitlisted_at = registration.offer_expires_at = None
        outcome = Outcome.PENDING
    else:
        outcome, counts = _place(offering, registration, now)
        if outcome == Outcome.FULL:
            db.session.rollback()
            return Result(Outcome.FULL, _("Sorry, this training is full."))
    db.session.add(registration)
    db.session.flush()
    # The member's page shows the registration as committed: nothing to read again.
    return _commit_placed(registration, outcome, counts, commit=commit_keeping_loaded)


def _commit_placed(
    registration: Registration,
    outcome: Outcome,
    counts: Counts | None,
    commit: Callable[[], None] = db.session.commit,
) -> Result:
    position = None
    if outcome == Outcome.CONFIRMED:
        _email("registration_confirmed", registration)
        message = _("You are registered. See you there!")
    elif outcome == Outcome.WAITLISTED:
        # Counted under the lock, in the transaction that adds the entry: the committed
        # queue plus this one, which _place put last.
        assert counts is not None
        position = counts.waitlisted
        _email("registration_waitlisted", registration, position=position)
        message = _(
            "The training is full: you are number %(position)s on the waitlist.",
            position=position,
        )
    else:
        _email("registration_pending", registration)
        message = _("Your registration is waiting for your state affiliate's approval.")
    commit()
    return Result(outcome, message, registration, position, counts)


# ---------------------------------------------------------------------------- cancelling


def _cancel_locked(
    registration: Registration, by: User | None, reason: str, now: datetime, *, notify: bool
) -> None:
    """Cancel under the offering's lock; a freed seat goes to the waitlist, and a
    conference registration takes its pre-conference registrations with it."""
    held_seat = registration.status == Status.CONFIRMED or registration.holds_offer
    registration.status = Status.CANCELLED
    registration.waitlisted_at = registration.offer_expires_at = None
    registration.reason = reason
    registration.decided_by_id = by.id if by is not None else None
    registration.decided_at = now
    db.session.flush()
    if notify:
        _email("registration_cancelled", registration)
    if held_seat:
        promote_from_waitlist(registration.offering, now)
    children = db.session.scalars(
        sa.select(Registration)
        .join(Registration.offering)
        .where(
            Offering.parent_id == registration.offering_id,
            Registration.user_id == registration.user_id,
            Registration.status.in_(ACTIVE_STATUSES),
        )
        .order_by(Registration.offering_id)
    ).all()
    for child in children:
        lock_offering(child.offering_id)
        _fresh(child)
        if child.status in ACTIVE_STATUSES:
            _cancel_locked(
                child,
                by,
                _("Cancelled with the conference registration."),
                now,
                notify=True,
            )


def may_cancel(registration: Registration, now: datetime) -> Decision:
    """Whether the member may cancel their own registration now; when not, why. A seat
    can be given up until the first session starts; after that the organisers cancel.
    My trainings and the offering page ask it before they show a Cancel button."""
    if registration.status not in ACTIVE_STATUSES:
        return not_now(_("This registration is not active."), Outcome.NOT_ALLOWED)
    offering = registration.offering
    started = offering.starts_at is not None and now >= offering.starts_at
    if started and registration.status == Status.CONFIRMED:
        return not_now(
            _("This training has started; ask the organisers to cancel."),
            Outcome.TOO_LATE,
        )
    if offering.is_lft_cohort:
        return not_now(
            _("Your Leaders for Tomorrow place is managed on the Leaders for Tomorrow page."),
            Outcome.NOT_ALLOWED,
        )
    return ALLOWED


def cancel(
    registration: Registration,
    by: User | None = None,
    now: datetime | None = None,
    *,
    reason: str = "",
    staff: bool = False,
) -> Result:
    """A member cancels their own registration until the first session starts (staff may
    cancel any time before the offering is completed). The first waitlisted member is
    promoted in the same transaction."""
    now = now or utcnow()
    offering = registration.offering
    if offering.parent_id is not None:
        lock_offering(offering.parent_id)
    lock_offering(offering.id)
    _fresh(registration)
    if staff:
        if registration.status not in ACTIVE_STATUSES:
            db.session.rollback()
            return Result(Outcome.NOT_ALLOWED, _("This registration is not active."), registration)
        if offering.status == OfferingStatus.COMPLETED:
            db.session.rollback()
            return Result(Outcome.TOO_LATE, _("This training is completed."), registration)
    else:
        decision = may_cancel(registration, now)
        if not decision.allowed:
            db.session.rollback()
            return Result(Outcome(decision.code), decision.reason, registration)
    was_waitlisted = registration.status == Status.WAITLISTED
    _cancel_locked(registration, by, reason.strip()[:500], now, notify=True)
    db.session.commit()
    if was_waitlisted:
        return Result(Outcome.LEFT_WAITLIST, _("You have left the waitlist."), registration)
    return Result(Outcome.CANCELLED, _("The registration is cancelled."), registration)


def leave_by_link(link: LeaveLink, now: datetime | None = None) -> Result:
    """The e-mailed leave link takes a member off the waitlist it was sent for, or
    declines the seat held for them; nothing else. A member confirmed since (or who left
    and joined again) keeps their registration: the link is dead. No sign-in needed."""
    now = now or utcnow()
    registration = link.registration
    if link.problem is not None or registration is None:
        return link.problem or _off_the_waitlist(None)
    offering = registration.offering
    if offering.is_lft_cohort:
        return Result(
            Outcome.NOT_ALLOWED,
            _("Your Leaders for Tomorrow place is managed on the Leaders for Tomorrow page."),
            registration,
        )
    if offering.parent_id is not None:
        lock_offering(offering.parent_id)
    lock_offering(offering.id)
    _fresh(registration)
    if not _on_waitlist_entry(registration, link.entry):
        db.session.rollback()  # confirmed, left or joined again since the link was read
        return _off_the_waitlist(registration)
    declined_offer = registration.holds_offer
    _cancel_locked(registration, registration.user, "", now, notify=True)
    db.session.commit()
    if declined_offer:
        message = _("You have declined the seat and left the waitlist.")
    else:
        message = _("You have left the waitlist.")
    return Result(Outcome.LEFT_WAITLIST, message, registration)


def cancel_offering(offering: Offering, by: User, reason: str, now: datetime | None = None) -> int:
    """Staff cancel an offering: every active registration is cancelled and notified
    (with its pre-conference registrations). Returns how many were cancelled."""
    now = now or utcnow()
    lock_offering(offering.id)
    offering.status = OfferingStatus.CANCELLED
    active = db.session.scalars(
        sa.select(Registration).where(
            Registration.offering_id == offering.id, Registration.status.in_(ACTIVE_STATUSES)
        )
    ).all()
    for registration in active:
        _cancel_locked(
            registration,
            by,
            reason.strip()[:500] or _("The training was cancelled."),
            now,
            notify=True,
        )
    db.session.commit()
    return len(active)


# ---------------------------------------------------------------------------- offers


def accept_offer(registration: Registration, now: datetime | None = None) -> Result:
    """A waitlisted member offered a seat takes it before the offer expires."""
    now = now or utcnow()
    lock_offering(registration.offering_id)
    _fresh(registration)
    if not registration.holds_offer:
        db.session.rollback()
        return Result(Outcome.NOT_ALLOWED, _("There is no seat on offer for you."), registration)
    if registration.offer_expires_at is not None and now >= registration.offer_expires_at:
        db.session.rollback()
        return Result(Outcome.OFFER_EXPIRED, _("Sorry, this seat offer has expired."), registration)
    registration.status = Status.CONFIRMED
    registration.waitlisted_at = registration.offer_expires_at = None
    registration.decided_at = now
    _email("registration_confirmed", registration)
    db.session.commit()
    return Result(Outcome.ACCEPTED, _("The seat is yours. See you there!"), registration)


def expire_offers(now: datetime | None = None) -> int:
    """Seat offers not accepted in time lapse and the seat goes to the next person.
    Run by the worker every minute; returns how many offers lapsed."""
    now = now or utcnow()
    offering_ids = db.session.scalars(
        sa.select(Registration.offering_id)
        .where(Registration.status == Status.WAITLISTED, Registration.offer_expires_at <= now)
        .distinct()
    ).all()
    db.session.rollback()
    lapsed = 0
    for offering_id in sorted(offering_ids):
        offering = db.session.get(Offering, offering_id)
        if offering is None:
            continue
        lock_offering(offering_id)
        expired = db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.offering_id == offering_id,
                Registration.status == Status.WAITLISTED,
                Registration.offer_expires_at <= now,
            )
            .execution_options(populate_existing=True)
        ).all()
        for registration in expired:
            registration.status = Status.CANCELLED
            registration.waitlisted_at = registration.offer_expires_at = None
            registration.reason = _("The seat offer was not accepted in time.")
            registration.decided_at = now
            _email("offer_expired", registration)
        db.session.flush()
        promote_from_waitlist(offering, now)
        db.session.commit()
        lapsed += len(expired)
    return lapsed


# ---------------------------------------------------------------------------- approval


def approve(registration: Registration, approver: User, now: datetime | None = None) -> Result:
    """The approver of the member's affiliate approves: the member takes a seat, or a
    waitlist place, by the same rules as any registration."""
    now = now or utcnow()
    offering = registration.offering
    lock_offering(offering.id)
    _fresh(registration)
    if registration.status != Status.PENDING_APPROVAL:
        db.session.rollback()
        return Result(Outcome.NOT_ALLOWED, _("This registration is not waiting for approval."))
    outcome, counts = _place(offering, registration, now)
    if outcome == Outcome.FULL:
        db.session.rollback()
        db.session.refresh(registration)
        return Result(
            Outcome.FULL,
            _("The training is full and keeps no waitlist: decline, or ask for more seats."),
            registration,
        )
    registration.decided_by_id = approver.id
    registration.decided_at = now
    db.session.flush()
    return _commit_placed(registration, outcome, replace(counts, pending=counts.pending - 1))


def decline(
    registration: Registration, approver: User, reason: str, now: datetime | None = None
) -> Result:
    """The approver declines, with a reason the member is told."""
    now = now or utcnow()
    reason = " ".join(reason.split())
    if not reason:
        return Result(Outcome.NEEDS_REASON, _("Say why, so the member knows."), registration)
    if len(reason) > 500:
        return Result(
            Outcome.NEEDS_REASON, _("Keep the reason under 500 characters."), registration
        )
    lock_offering(registration.offering_id)
    _fresh(registration)
    if registration.status != Status.PENDING_APPROVAL:
        db.session.rollback()
        return Result(Outcome.NOT_ALLOWED, _("This registration is not waiting for approval."))
    registration.status = Status.DECLINED
    registration.reason = reason
    registration.decided_by_id = approver.id
    registration.decided_at = now
    _email("registration_declined", registration)
    db.session.commit()
    return Result(Outcome.DECLINED, _("Declined. The member has been told why."), registration)
