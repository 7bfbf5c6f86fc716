"""Demo offerings and their sessions: the national conference and its pre-conference
sessions, state workshops, a full webinar with a waitlist, an approval-only cohort, a
past training and one happening today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from esp_registry.accounts.models import User
from esp_registry.catalog.models import Offering, OfferingFormat, OfferingStatus, PromotionMode
from esp_registry.columns import utcnow
from esp_registry.demo_builders import demo_offering, find_by, zoned
from esp_registry.extensions import db
from esp_registry.reference.models import Affiliate, JobFamily


def _hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def refresh_todays_workshop(today: Offering, now: datetime) -> bool:
    """The demo's workshop of today runs whenever `flask seed demo` runs (so `make run` a
    day later still walks through): once over, or with less than an hour left, it moves to
    start an hour ago and end in four hours, its registration window with it. Run again
    within the hour it changes nothing. Who registered and attended stays as it was."""
    session = today.sessions[0]
    if session.starts_at <= now < session.ends_at - timedelta(hours=1):
        return False
    hour = _hour(now)
    session.starts_at, session.ends_at = hour - timedelta(hours=1), hour + timedelta(hours=4)
    today.registration_opens_at = hour - timedelta(days=14)
    today.registration_closes_at = session.ends_at
    if today.status == OfferingStatus.COMPLETED:
        today.status = OfferingStatus.PUBLISHED
    db.session.flush()
    return True


@dataclass(frozen=True)
class DemoCatalog:
    conference: Offering
    pre_conference: Offering
    beat: Offering
    full: Offering
    certification: Offering
    pre_beat: Offering
    transport: Offering
    past: Offering
    today: Offering


def seed_catalog_demo(facilitator: User) -> DemoCatalog:
    """The demo offerings, added once (matched by title); the facilitator runs most."""
    opens = zoned("America/New_York", "2026-09-01T09:00")
    conference = demo_offering(
        "2027 NEA ESP National Conference",
        "esp-national-conference",
        [
            (
                "Day 1: General sessions and workshops",
                "2027-03-12T08:30",
                "2027-03-12T17:00",
                "6.5",
            ),
            ("Day 2: Workshops and closing", "2027-03-13T08:30", "2027-03-13T15:30", "5.5"),
        ],
        timezone="America/Los_Angeles",
        venue="Paris Las Vegas, 3655 Las Vegas Blvd S, Las Vegas, NV",
        format=OfferingFormat.IN_PERSON,
        capacity=1500,
        status=OfferingStatus.PUBLISHED,
        registration_opens_at=opens,
        registration_closes_at=zoned("America/Los_Angeles", "2027-03-01T23:59"),
        description="Workshops, networking and leadership for ESP members from every state.",
        signatory="ESP Quality Department",
    )
    pre_conference = demo_offering(
        "Stepping Up to the Plate (pre-conference session)",
        "stepping-up-to-the-plate",
        [
            (
                "Pre-conference: Leadership Roles and Responsibilities",
                "2027-03-11T09:00",
                "2027-03-11T16:00",
                "6",
            )
        ],
        timezone="America/Los_Angeles",
        venue="Paris Las Vegas, Versailles Ballroom",
        format=OfferingFormat.IN_PERSON,
        capacity=60,
        status=OfferingStatus.PUBLISHED,
        parent=conference,
        registration_opens_at=opens,
        registration_closes_at=zoned("America/Los_Angeles", "2027-03-01T23:59"),
        description="A one-day training guide for emerging leaders, the day before the conference.",
        signatory="ESP Quality Department",
    )
    beat = demo_offering(
        "Beat Privatization workshop (Columbus)",
        "beat-privatization",
        [
            (
                "Beat Privatization: A Step-by-Step Crisis Action Plan",
                "2027-01-16T09:00",
                "2027-01-16T15:00",
                "5",
            )
        ],
        timezone="America/New_York",
        venue="OEA Building, 225 E Broad St, Columbus, OH",
        format=OfferingFormat.IN_PERSON,
        capacity=40,
        status=OfferingStatus.PUBLISHED,
        host_affiliate=find_by(Affiliate, code="OH"),
        registration_opens_at=opens,
        description="Build your local's crisis action plan before a contracting-out threat.",
        signatory="Ohio Education Association",
    )
    full = demo_offering(
        "Building Winning Teams (evening webinar)",
        "building-winning-teams",
        [
            (
                "Building Winning Teams within the School Community",
                "2027-02-03T18:00",
                "2027-02-03T20:00",
                "2",
            )
        ],
        timezone="America/Chicago",
        online_url="https://meet.example.org/winning-teams",
        format=OfferingFormat.VIRTUAL,
        capacity=2,
        waitlist_enabled=True,
        status=OfferingStatus.PUBLISHED,
        registration_opens_at=opens,
        signatory="ESP Quality Department",
        description="A two-hour webinar on working across job families. Small group: 2 seats.",
    )
    certification = demo_offering(
        "ESP Certification at the State Level (Ohio cohort)",
        "esp-certification-state-level",
        [
            (
                "ESP certification: how the Ohio program works",
                "2027-02-27T09:00",
                "2027-02-27T13:00",
                "4",
            )
        ],
        timezone="America/New_York",
        venue="OEA Building, 225 E Broad St, Columbus, OH",
        format=OfferingFormat.IN_PERSON,
        capacity=20,
        waitlist_enabled=True,
        requires_affiliate_approval=True,
        status=OfferingStatus.PUBLISHED,
        host_affiliate=find_by(Affiliate, code="OH"),
        registration_opens_at=opens,
        signatory="Ohio Education Association",
        description="For Ohio ESP leaders building the state certification program. "
        "Registrations are approved by the Ohio Education Association.",
    )
    pre_beat = demo_offering(
        "Beat Privatization (pre-conference session)",
        "beat-privatization",
        [
            (
                "Pre-conference: A Step-by-Step Crisis Action Plan",
                "2027-03-11T13:00",
                "2027-03-11T17:00",
                "4",
            )
        ],
        timezone="America/Los_Angeles",
        venue="Paris Las Vegas, Champagne Room",
        format=OfferingFormat.IN_PERSON,
        capacity=40,
        waitlist_enabled=True,
        promotion_mode=PromotionMode.OFFER,
        offer_hours=48,
        status=OfferingStatus.PUBLISHED,
        parent=conference,
        registration_opens_at=opens,
        registration_closes_at=zoned("America/Los_Angeles", "2027-03-01T23:59"),
        description="An afternoon pre-conference session; a freed seat is offered for 48 hours.",
        signatory="ESP Quality Department",
    )
    transport = demo_offering(
        "Getting Educated: Transportation Services Professionals (Texas)",
        "getting-educated-transportation-services",
        [("Student behaviour on the bus", "2027-02-20T09:00", "2027-02-20T12:00", "3")],
        timezone="America/Chicago",
        venue="Texas State Teachers Association, Austin, TX",
        format=OfferingFormat.HYBRID,
        online_url="https://meet.example.org/tsta-transport",
        capacity=30,
        status=OfferingStatus.PUBLISHED,
        host_affiliate=find_by(Affiliate, code="TX"),
        registration_opens_at=opens,
        signatory="Texas State Teachers Association",
        description="For bus drivers, monitors and mechanics.",
    )
    if not transport.audience:
        transport.audience.append(find_by(JobFamily, slug="transportation-services"))  # type: ignore[arg-type]
    past = demo_offering(
        "Supporting Our Own: ESP Mentoring (fall 2026)",
        "supporting-our-own",
        [("Mentor training", "2026-10-17T09:00", "2026-10-17T15:30", "6")],
        timezone="America/New_York",
        venue="NEA Headquarters, 1201 16th St NW, Washington, DC",
        format=OfferingFormat.IN_PERSON,
        capacity=25,
        status=OfferingStatus.PUBLISHED,
        registration_opens_at=zoned("America/New_York", "2026-08-01T09:00"),
        signatory="ESP Quality Department",
        description="Training for ESP mentors who support colleagues new to the job.",
    )
    # Happening now, wherever the demo is started: register, get marked present, print.
    hour = _hour(utcnow())
    today = demo_offering(
        "Stepping Up to the Plate: NEA History and Governance (today)",
        "stepping-up-to-the-plate",
        [
            (
                "NEA History and Governance Structure",
                hour - timedelta(hours=1),
                hour + timedelta(hours=4),
                "4",
            )
        ],
        timezone="America/New_York",
        online_url="https://meet.example.org/stepping-up",
        format=OfferingFormat.VIRTUAL,
        capacity=100,
        status=OfferingStatus.PUBLISHED,
        registration_opens_at=hour - timedelta(days=14),
        registration_closes_at=hour + timedelta(hours=4),
        signatory="ESP Quality Department",
        description="A workshop of the Stepping Up to the Plate series, running today.",
    )
    refresh_todays_workshop(today, utcnow())
    for offering in (pre_conference, pre_beat, beat, full, certification, past, today):
        if facilitator not in offering.facilitators:
            offering.facilitators.append(facilitator)
    return DemoCatalog(
        conference, pre_conference, beat, full, certification, pre_beat, transport, past, today
    )
