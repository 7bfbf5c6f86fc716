"""The registration state machine of PRODUCT §4: every allowed and forbidden transition."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from esp_registry.accounts.models import Role
from esp_registry.catalog.models import PromotionMode
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage
from esp_registry.registrations import rules
from esp_registry.registrations.models import Registration
from esp_registry.registrations.rules import Outcome
from tests import factories


def state(registration: Registration) -> str:
    db.session.refresh(registration)
    return registration.status.value


def mail(kind: str | None = None) -> list[tuple[str, str]]:
    query = sa.select(OutboxMessage.to_email, OutboxMessage.kind).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return [tuple(row) for row in db.session.execute(query)]


def people(count: int, **fields):  # type: ignore[no-untyped-def]
    return [
        factories.person(f"p{i}@example.org", name=f"Person {i}", **fields) for i in range(count)
    ]


def test_confirmed_and_waitlisted_with_positions_and_mail(ctx):
    offering = factories.offering(capacity=2, waitlist_enabled=True)
    a, b, c, d = people(4)
    results = [rules.register(p, offering) for p in (a, b, c, d)]
    assert [r.outcome for r in results] == [
        Outcome.CONFIRMED,
        Outcome.CONFIRMED,
        Outcome.WAITLISTED,
        Outcome.WAITLISTED,
    ]
    assert "number 2 on the waitlist" in results[3].message
    assert rules.waitlist_positions([offering.id]) == {
        results[2].registration.id: 1,
        results[3].registration.id: 2,
    }
    assert mail() == [
        ("p0@example.org", "registration_confirmed"),
        ("p1@example.org", "registration_confirmed"),
        ("p2@example.org", "registration_waitlisted"),
        ("p3@example.org", "registration_waitlisted"),
    ]
    waitlisted_mail = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.to_email == "p3@example.org")
    )
    assert "number 2 on the waitlist" in waitlisted_mail.body_text
    assert "/waitlist/leave/" in waitlisted_mail.body_text
    assert "<a href=" in waitlisted_mail.body_html


def test_a_new_waitlist_entry_is_last_even_when_its_clock_was_read_earlier(ctx):
    """Issue 11: the time is read before the offering's lock is taken, so a member who
    waited longer for the lock carries an earlier time; they were told a position that
    was someone else's."""
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    a, b, c = people(3)
    now = utcnow()
    rules.register(a, offering, now=now)
    first = rules.register(b, offering, now=now)
    second = rules.register(c, offering, now=now - timedelta(seconds=1))
    assert (first.position, second.position) == (1, 2)
    assert "number 2 on the waitlist" in second.message
    assert rules.waitlist_positions([offering.id]) == {
        first.registration.id: 1,
        second.registration.id: 2,
    }
    # Leaving and joining again goes to the end, even with the same clock and an older id.
    rules.cancel(first.registration, by=b)
    again = rules.register(b, offering, now=now)
    assert again.registration.id == first.registration.id and again.position == 2
    assert rules.waitlist_positions([offering.id]) == {
        second.registration.id: 1,
        again.registration.id: 2,
    }


def test_waitlist_off_means_full(ctx):
    offering = factories.offering(capacity=1)
    a, b = people(2)
    assert rules.register(a, offering).outcome == Outcome.CONFIRMED
    assert rules.register(b, offering).outcome == Outcome.FULL
    assert mail("registration_waitlisted") == []


def test_cancel_promotes_first_waitlisted_in_the_same_transaction(ctx):
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    a, b, c = people(3)
    first = rules.register(a, offering).registration
    second = rules.register(b, offering).registration
    third = rules.register(c, offering).registration
    result = rules.cancel(first, by=a)
    assert result.outcome == Outcome.CANCELLED
    assert (state(first), state(second), state(third)) == ("cancelled", "confirmed", "waitlisted")
    assert rules.waitlist_position(third) == 1
    assert mail("registration_promoted") == [("p1@example.org", "registration_promoted")]
    assert mail("registration_cancelled") == [("p0@example.org", "registration_cancelled")]


def test_leaving_the_waitlist_closes_the_gap(ctx):
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    regs = [rules.register(p, offering).registration for p in people(4)]
    assert rules.cancel(regs[2], by=regs[2].user).outcome == Outcome.LEFT_WAITLIST
    assert rules.waitlist_positions([offering.id]) == {regs[1].id: 1, regs[3].id: 2}
    assert state(regs[0]) == "confirmed"  # nobody promoted: no seat was freed


def test_offer_mode_holds_the_seat_then_expires_to_the_next_person(ctx):
    now = utcnow()
    offering = factories.offering(
        capacity=1, waitlist_enabled=True, promotion_mode=PromotionMode.OFFER, offer_hours=24
    )
    a, b, c, d = people(4)
    first = rules.register(a, offering, now=now).registration
    second = rules.register(b, offering, now=now).registration
    third = rules.register(c, offering, now=now).registration
    rules.cancel(first, by=a, now=now)
    db.session.refresh(second)
    assert second.holds_offer and second.offer_expires_at == now + timedelta(hours=24)
    assert mail("seat_offered") == [("p1@example.org", "seat_offered")]
    # The held seat counts: a newcomer is waitlisted, not given it.
    assert rules.register(d, offering, now=now).outcome == Outcome.WAITLISTED
    assert rules.seats_left(offering) == 0

    assert rules.expire_offers(now + timedelta(hours=23)) == 0
    assert rules.expire_offers(now + timedelta(hours=24, minutes=1)) == 1
    assert state(second) == "cancelled"
    db.session.refresh(third)
    assert third.holds_offer
    assert mail("offer_expired") == [("p1@example.org", "offer_expired")]
    late = rules.accept_offer(second, now=now + timedelta(hours=25))
    assert late.outcome == Outcome.NOT_ALLOWED

    accepted = rules.accept_offer(third, now=now + timedelta(hours=26))
    assert accepted.outcome == Outcome.ACCEPTED and state(third) == "confirmed"


def test_accepting_after_the_deadline_is_refused_even_before_the_worker_runs(ctx):
    now = utcnow()
    offering = factories.offering(
        capacity=1, waitlist_enabled=True, promotion_mode=PromotionMode.OFFER, offer_hours=2
    )
    a, b = people(2)
    first = rules.register(a, offering, now=now).registration
    second = rules.register(b, offering, now=now).registration
    rules.cancel(first, by=a, now=now)
    result = rules.accept_offer(second, now=now + timedelta(hours=3))
    assert result.outcome == Outcome.OFFER_EXPIRED
    assert state(second) == "waitlisted"


def test_approval_flow_and_declining_needs_a_reason(ctx):
    approver = factories.person("oh@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    offering = factories.offering(
        capacity=1, waitlist_enabled=True, requires_affiliate_approval=True
    )
    a, b, c = people(3)
    regs = [rules.register(p, offering) for p in (a, b, c)]
    assert [r.outcome for r in regs] == [Outcome.PENDING] * 3
    assert rules.seats_left(offering) == 1  # pending takes no seat
    assert rules.approve(regs[0].registration, approver).outcome == Outcome.CONFIRMED
    assert rules.approve(regs[1].registration, approver).outcome == Outcome.WAITLISTED
    assert rules.decline(regs[2].registration, approver, "   ").outcome == Outcome.NEEDS_REASON
    assert rules.decline(regs[2].registration, approver, "x" * 501).outcome == Outcome.NEEDS_REASON
    assert state(regs[2].registration) == "pending_approval"
    declined = rules.decline(regs[2].registration, approver, "Only for local presidents")
    assert declined.outcome == Outcome.DECLINED
    assert regs[2].registration.reason == "Only for local presidents"
    # Decided registrations cannot be decided again.
    assert rules.approve(regs[2].registration, approver).outcome == Outcome.NOT_ALLOWED
    assert rules.decline(regs[0].registration, approver, "no").outcome == Outcome.NOT_ALLOWED
    assert [k for _, k in mail()] == [
        "registration_pending",
        "registration_pending",
        "registration_pending",
        "registration_confirmed",
        "registration_waitlisted",
        "registration_declined",
    ]
    declined_mail = mail("registration_declined")
    assert declined_mail == [("p2@example.org", "registration_declined")]


def test_approving_when_full_without_waitlist_changes_nothing(ctx):
    approver = factories.person("oh@example.org", roles=((Role.AFFILIATE_APPROVER, "OH"),))
    offering = factories.offering(capacity=1, requires_affiliate_approval=True)
    a, b = people(2)
    first = rules.register(a, offering).registration
    second = rules.register(b, offering).registration
    rules.approve(first, approver)
    result = rules.approve(second, approver)
    assert result.outcome == Outcome.FULL and state(second) == "pending_approval"


def test_cancelling_the_conference_cancels_pre_conference_and_promotes_there(ctx):
    conference = factories.offering("Conference", program="esp-national-conference")
    pre = factories.offering(
        "Pre-conference",
        program="stepping-up-to-the-plate",
        parent_id=conference.id,
        capacity=1,
        waitlist_enabled=True,
    )
    a, b = people(2)
    conf_a = rules.register(a, conference).registration
    pre_a = rules.register(a, pre).registration
    rules.register(b, conference)
    pre_b = rules.register(b, pre).registration
    assert state(pre_b) == "waitlisted"
    rules.cancel(conf_a, by=a)
    assert (state(conf_a), state(pre_a), state(pre_b)) == ("cancelled", "cancelled", "confirmed")
    assert "conference" in pre_a.reason
    assert ("p0@example.org", "registration_cancelled") in mail()
    assert mail("registration_promoted") == [("p1@example.org", "registration_promoted")]


def test_member_cannot_cancel_after_start_but_staff_can(ctx):
    now = utcnow()
    admin = factories.person("admin@example.org", roles=((Role.NATIONAL_ADMIN, None),))
    offering = factories.offering(starts_in=timedelta(days=1))
    a = people(1)[0]
    registration = rules.register(a, offering, now=now).registration
    later = now + timedelta(days=2)
    assert rules.cancel(registration, by=a, now=later).outcome == Outcome.TOO_LATE
    assert state(registration) == "confirmed"
    assert rules.cancel(registration, by=admin, now=later, staff=True, reason="No-show").ok
    assert state(registration) == "cancelled" and registration.reason == "No-show"
    assert (
        rules.cancel(registration, by=admin, now=later, staff=True).outcome == Outcome.NOT_ALLOWED
    )


def test_cancel_offering_cancels_everyone_and_notifies(ctx):
    admin = factories.person("admin@example.org", roles=((Role.NATIONAL_ADMIN, None),))
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    regs = [rules.register(p, offering).registration for p in people(3)]
    assert rules.cancel_offering(offering, admin, "Venue flooded") == 3
    assert [state(r) for r in regs] == ["cancelled"] * 3
    assert len(mail("registration_cancelled")) == 3
    assert mail("registration_promoted") == []  # nobody promoted into a cancelled offering
    assert (
        rules.register(factories.person("late@example.org"), offering).outcome
        == Outcome.UNAVAILABLE
    )


def test_re_registering_after_cancel_goes_to_the_back_of_the_queue(ctx):
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    a, b, c = people(3)
    rules.register(a, offering)
    second = rules.register(b, offering).registration
    third = rules.register(c, offering).registration
    rules.cancel(second, by=b)
    again = rules.register(b, offering)
    assert again.outcome == Outcome.WAITLISTED and again.registration.id == second.id
    assert rules.waitlist_positions([offering.id]) == {third.id: 1, second.id: 2}


def test_raising_capacity_by_promotion_helper(ctx):
    offering = factories.offering(capacity=1, waitlist_enabled=True)
    regs = [rules.register(p, offering).registration for p in people(3)]
    offering.capacity = 3
    promoted = rules.promote_from_waitlist(offering)
    db.session.commit()
    assert [r.id for r in promoted] == [regs[1].id, regs[2].id]
    assert [state(r) for r in regs] == ["confirmed"] * 3


def test_members_cannot_cancel_their_leaders_for_tomorrow_place_here(ctx):
    offering = factories.offering("LFT cohort", program="leaders-for-tomorrow")
    member = people(1)[0]
    registration = rules.register(member, offering).registration
    refused = rules.cancel(registration, by=member)
    assert refused.outcome == Outcome.NOT_ALLOWED and "Leaders for Tomorrow page" in refused.message
    assert state(registration) == "confirmed"
