"""The offering management rules as plain functions, without HTTP or a database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from esp_registry import models  # noqa: F401  (every mapper, so Offering can be built)
from esp_registry.catalog import management
from esp_registry.catalog.management import SessionData
from esp_registry.catalog.models import Offering, OfferingStatus, PromotionMode, Session
from esp_registry.reference.models import Program

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
START = datetime(2027, 3, 12, 14, 0, tzinfo=UTC)  # 8:00 in Chicago (CST; CDT from Mar 14)


def test_local_times_are_read_in_the_offering_zone_and_stored_in_utc():
    winter = management.local_to_utc(datetime(2027, 1, 15, 9, 0), "America/New_York")
    summer = management.local_to_utc(datetime(2027, 7, 15, 9, 0), "America/New_York")
    assert (winter.tzinfo, winter.hour, summer.hour) == (UTC, 14, 13)
    # Arizona keeps standard time all year, Puerto Rico is on Atlantic time.
    assert management.local_to_utc(datetime(2027, 7, 15, 9, 0), "America/Phoenix").hour == 16
    assert management.local_to_utc(datetime(2027, 7, 15, 9, 0), "America/Puerto_Rico").hour == 13
    assert management.utc_to_local(summer, "America/New_York") == datetime(2027, 7, 15, 9, 0)
    assert management.utc_to_local(None, "America/New_York") is None


def test_time_zones_are_the_common_us_ones():
    names = dict(management.COMMON_TIME_ZONES)
    for zone in (
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "Pacific/Honolulu",
        "America/Puerto_Rico",
    ):
        assert zone in names
        assert management.time_zone_problem(zone) is None
    assert "time zone" in management.time_zone_problem("Mars/Olympus_Mons")
    assert management.time_zone_problem("") is not None
    assert management.time_zone_problem("Europe/Paris") is not None
    # An offering already set to another real zone may keep it.
    assert management.time_zone_problem("America/Boise", current="America/Boise") is None
    assert management.time_zone_problem("Not/AZone", current="Not/AZone") is not None


def test_window_opens_before_it_closes_and_closes_by_the_first_session():
    zone = "America/Chicago"
    closes = START - timedelta(days=1)
    assert management.window_problems(None, None, START, zone) == {}
    assert management.window_problems(NOW, closes, START, zone) == {}
    assert management.window_problems(NOW, START, START, zone) == {}  # closing as it starts
    assert set(management.window_problems(closes, NOW, START, zone)) == {"registration_opens"}
    assert set(management.window_problems(NOW, NOW, None, zone)) == {"registration_opens"}
    late = management.window_problems(NOW, START + timedelta(minutes=1), START, zone)
    assert set(late) == {"registration_closes"}
    assert "2027-03-12 08:00 CST" in late["registration_closes"]
    opens_late = management.window_problems(START, None, START, zone)
    assert "first session" in opens_late["registration_opens"]
    # Without sessions only the order of the two ends is checked.
    assert management.window_problems(NOW, START + timedelta(days=9), None, zone) == {}


def test_capacity_never_below_seats_taken():
    assert management.capacity_problem(None, 500) is None  # unlimited
    assert management.capacity_problem(10, 10) is None
    assert "11 seats are already taken" in management.capacity_problem(10, 11)


def test_offer_mode_needs_hours():
    assert management.promotion_problem(PromotionMode.CONFIRM, None) is None
    assert management.promotion_problem(PromotionMode.OFFER, 24) is None
    assert "hours" in management.promotion_problem(PromotionMode.OFFER, None)
    assert management.promotion_problem(PromotionMode.OFFER, 0) is not None


@pytest.mark.parametrize("hours", ["0", "0.25", "6", "7.5", "23.75", "24"])
def test_contact_hours_in_range_and_quarter_steps(hours):
    assert management.contact_hours_problem(Decimal(hours)) is None


@pytest.mark.parametrize(
    ("hours", "says"),
    [
        ("-0.25", "between 0 and 24"),
        ("24.25", "between 0 and 24"),
        ("NaN", "between 0 and 24"),
        ("Infinity", "between 0 and 24"),
        ("1E+30", "between 0 and 24"),
        ("2.1", "steps of 0.25"),
        ("0.333", "steps of 0.25"),
    ],
)
def test_contact_hours_refused(hours, says):
    assert says in management.contact_hours_problem(Decimal(hours))


def test_online_links_are_web_addresses():
    assert management.online_url_problem("") is None
    assert management.online_url_problem("https://zoom.us/j/123") is None
    assert management.online_url_problem("javascript:alert(1)") is not None
    assert management.online_url_problem("javascript://%0aalert(1)") is not None


def test_years_outside_2000_to_2100_are_slips():
    assert management.year_problem(date(2027, 3, 1)) is None
    assert management.year_problem(None) is None
    assert management.year_problem(date(1, 1, 1)) is not None
    assert management.year_problem(date(9999, 12, 31)) is not None


def session(**changes: object) -> SessionData:
    values: dict[str, object] = {
        "title": "Day 1",
        "day": date(2027, 3, 12),
        "starts": time(9, 0),
        "ends": time(16, 0),
        "contact_hours": Decimal("6"),
    }
    values.update(changes)
    return SessionData(**values)  # type: ignore[arg-type]


def test_session_rules():
    zone = "America/Chicago"
    assert management.session_problems(session(), zone, None, None) == {}
    assert set(management.session_problems(session(ends=time(9, 0)), zone, None, None)) == {"ends"}
    assert set(management.session_problems(session(ends=time(8, 0)), zone, None, None)) == {"ends"}
    hours = management.session_problems(session(contact_hours=Decimal(25)), zone, None, None)
    assert set(hours) == {"contact_hours"}
    assert set(management.session_problems(session(day=date(1, 1, 1)), zone, None, None)) == {"day"}
    # 9:00 in Chicago on Mar 12 is 15:00 UTC: registration must close by then.
    starts = datetime(2027, 3, 12, 15, 0, tzinfo=UTC)
    assert management.session_problems(session(), zone, None, starts) == {}
    late = management.session_problems(session(), zone, None, starts + timedelta(minutes=1))
    assert set(late) == {"day"}
    assert set(management.session_problems(session(), zone, starts, None)) == {"day"}


@dataclass
class Person:
    """Enough of a user for the access predicates."""

    is_national_admin: bool = True
    approver_affiliate_ids: set[int] = field(default_factory=set)
    is_authenticated: bool = True
    id: int = 1


def conference(offering_id: int, parent_id: int | None = None) -> Offering:
    program = Program(slug=management.CONFERENCE_PROGRAM_SLUG, name="Conference")
    return Offering(
        id=offering_id,
        program=program,
        parent_id=parent_id,
        status=OfferingStatus.PUBLISHED,
        title=f"Conference {offering_id}",
    )


def test_parent_is_a_conference_not_a_child_and_not_itself():
    admin = Person()
    main = conference(1)
    child = conference(2, parent_id=1)
    workshop = Offering(
        id=3,
        program=Program(slug="beat-privatization", name="Beat"),
        status=OfferingStatus.PUBLISHED,
    )
    new = None
    assert management.parent_problem(new, main, admin) is None
    assert "own parent" in management.parent_problem(main, main, admin)
    assert "itself a pre-conference session" in management.parent_problem(new, child, admin)
    assert "from the list" in management.parent_problem(new, workshop, admin)
    assert "from the list" in management.parent_problem(new, None, admin)
    workshop.children = [Offering(id=4, title="Child")]
    assert "cannot become one" in management.parent_problem(workshop, main, admin)
    # A draft conference an approver may not see is not offered to them.
    draft = conference(5)
    draft.status = OfferingStatus.DRAFT
    approver = Person(is_national_admin=False, approver_affiliate_ids={7})
    assert "from the list" in management.parent_problem(new, draft, approver)


def with_sessions(status: OfferingStatus, *ends: datetime) -> Offering:
    offering = Offering(status=status, title="x")
    for end in ends:
        offering.sessions.append(
            Session(title="s", starts_at=end - timedelta(hours=6), ends_at=end)
        )
    return offering


def test_publish_needs_a_draft_with_a_session():
    assert "at least one session" in management.publish_refusal(with_sessions(OfferingStatus.DRAFT))
    assert management.publish_refusal(with_sessions(OfferingStatus.DRAFT, START)) is None
    assert management.publish_refusal(with_sessions(OfferingStatus.PUBLISHED, START)) is not None


def test_complete_only_after_the_last_session_ended():
    earlier, later = NOW - timedelta(days=2), NOW + timedelta(hours=1)
    published = OfferingStatus.PUBLISHED
    assert management.complete_refusal(with_sessions(published, earlier), NOW) is None
    assert "last session" in management.complete_refusal(
        with_sessions(published, earlier, later), NOW
    )
    assert management.complete_refusal(with_sessions(published), NOW) is not None
    assert management.complete_refusal(with_sessions(OfferingStatus.DRAFT, earlier), NOW)


def test_only_drafts_and_published_offerings_change_or_cancel():
    for status in (OfferingStatus.DRAFT, OfferingStatus.PUBLISHED):
        assert management.editing_refusal(Offering(status=status)) is None
        assert management.cancel_refusal(Offering(status=status)) is None
    for status in (OfferingStatus.CANCELLED, OfferingStatus.COMPLETED):
        assert management.editing_refusal(Offering(status=status)) is not None
        assert management.cancel_refusal(Offering(status=status)) is not None


def test_zone_shown_in_messages_is_the_offering_zone():
    honolulu = management.window_problems(
        None, START + timedelta(hours=1), START, "Pacific/Honolulu"
    )
    assert "HST" in honolulu["registration_closes"]
    assert ZoneInfo("Pacific/Honolulu")  # the zone database is installed
