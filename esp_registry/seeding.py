"""Loading reference data and the demo world. Both are idempotent: a second run adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from esp_registry import reference_data as ref
from esp_registry.accounts.models import Role, RoleGrant, User
from esp_registry.attendance.models import Attendance, AttendanceStatus
from esp_registry.catalog.models import (
    Offering,
    OfferingFormat,
    OfferingStatus,
    PromotionMode,
    Session,
)
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.notifications.models import OutboxMessage, OutboxStatus
from esp_registry.reference.demo import seed_reference_demo
from esp_registry.reference.models import Affiliate, JobFamily, Program
from esp_registry.registrations.models import Registration, RegistrationStatus

DEMO_PASSWORD = "esp-demo-2026"


def seed_reference() -> int:
    """Job families, the 52 state affiliates and the programs; returns rows added."""
    added = 0
    families = {f.slug: f for f in db.session.scalars(sa.select(JobFamily))}
    for slug, name, description in ref.JOB_FAMILIES:
        if slug not in families:
            families[slug] = JobFamily(slug=slug, name=name, description=description)
            db.session.add(families[slug])
            added += 1
    codes = set(db.session.scalars(sa.select(Affiliate.code)))
    for code, name in ref.AFFILIATES:
        if code not in codes:
            db.session.add(Affiliate(code=code, name=name))
            added += 1
    db.session.flush()
    programs = set(db.session.scalars(sa.select(Program.slug)))
    wanted = [(slug, name, text, None) for slug, name, text in ref.PROGRAMS] + [
        (
            ref.getting_educated_slug(f.slug),
            ref.getting_educated_name(f.name),
            f"Professional development for {f.name.lower()} staff.",
            f.id,
        )
        for f in (families[slug] for slug, _n, _d in ref.JOB_FAMILIES)
    ]
    for slug, name, text, family_id in wanted:
        if slug not in programs:
            db.session.add(
                Program(
                    slug=slug,
                    name=name,
                    description=text,
                    job_family_id=family_id,
                    requires_application=slug == ref.LFT_PROGRAM_SLUG,
                )
            )
            added += 1
    db.session.commit()
    return added


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    roles: str


def _at(zone: str, text: str | datetime) -> datetime:
    if isinstance(text, datetime):
        return text
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def _by(model: type, **where: object) -> object:
    return db.session.scalar(sa.select(model).filter_by(**where))


def _person(
    email: str,
    name: str,
    state: str,
    family: str,
    title: str,
    local: str,
    roles: tuple[tuple[Role, str | None], ...] = (),
) -> User:
    user = _by(User, email=email)
    if user is None:
        user = User(
            email=email,
            full_name=name,
            affiliate=_by(Affiliate, code=state),
            job_family=_by(JobFamily, slug=family),
            job_title=title,
            local_name=local,
            email_confirmed_at=utcnow(),
        )
        user.set_password(DEMO_PASSWORD)
        for role, scope in roles:
            user.role_grants.append(
                RoleGrant(role=role, affiliate=_by(Affiliate, code=scope) if scope else None)
            )
        db.session.add(user)
        db.session.flush()
    return user  # type: ignore[return-value]


def _offering(
    title: str,
    program: str,
    sessions: list[tuple[str, str | datetime, str | datetime, str]],
    **fields: object,
) -> Offering:
    offering = _by(Offering, title=title)
    if offering is None:
        zone = str(fields.get("timezone", "America/New_York"))
        offering = Offering(title=title, program=_by(Program, slug=program), **fields)
        for session_title, start, end, contact in sessions:
            offering.sessions.append(
                Session(
                    title=session_title,
                    starts_at=_at(zone, start),
                    ends_at=_at(zone, end),
                    contact_hours=Decimal(contact),
                )
            )
        db.session.add(offering)
        db.session.flush()
    return offering  # type: ignore[return-value]


def _registration(
    user: User, offering: Offering, status: RegistrationStatus = RegistrationStatus.CONFIRMED
) -> Registration:
    registration = _by(Registration, user_id=user.id, offering_id=offering.id)
    if registration is None:
        registration = Registration(
            user_id=user.id,
            offering_id=offering.id,
            status=status,
            waitlisted_at=utcnow() if status == RegistrationStatus.WAITLISTED else None,
        )
        db.session.add(registration)
        db.session.flush()
    return registration  # type: ignore[return-value]


def _present(registration: Registration, session: Session, by: User) -> None:
    if _by(Attendance, registration_id=registration.id, session_id=session.id) is None:
        db.session.add(
            Attendance(
                registration_id=registration.id,
                session_id=session.id,
                status=AttendanceStatus.PRESENT,
                credited_hours=session.contact_hours,
                marked_by_id=by.id,
                marked_at=session.ends_at,
            )
        )


def seed_demo() -> list[DemoAccount]:
    """Demo people for every role and a small catalog to click through."""
    seed_reference()
    outbox_before = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0
    admin = _person(
        "admin@example.org",
        "Dana Whitfield",
        "DC",
        "clerical-services",
        "ESP Quality Program Manager",
        "",
        ((Role.NATIONAL_ADMIN, None),),
    )
    approver = _person(
        "approver.oh@example.org",
        "Luis Romero",
        "OH",
        "technical-services",
        "ESP Program Coordinator, Ohio Education Association",
        "",
        ((Role.AFFILIATE_APPROVER, "OH"),),
    )
    facilitator = _person(
        "facilitator@example.org",
        "Keisha Grant",
        "MD",
        "paraeducators",
        "ESP Trainer",
        "Baltimore County ESP",
        ((Role.FACILITATOR, None),),
    )
    member = _person(
        "member@example.org",
        "Maria Alvarez",
        "OH",
        "paraeducators",
        "Paraeducator",
        "Columbus Education Association",
    )
    driver = _person(
        "driver@example.org",
        "James Carter",
        "TX",
        "transportation-services",
        "School Bus Driver",
        "Houston ESP",
    )
    cook = _person(
        "cook@example.org", "Ana Pereira", "MA", "food-services", "Cafeteria Cook", "Worcester ESP"
    )
    reviewer = _person(
        "reviewer@example.org",
        "Renee Holloway",
        "WI",
        "health-and-student-services",
        "School Nurse; national LFT reviewer",
        "Madison ESP",
        ((Role.REVIEWER, None),),
    )
    custodian = _person(
        "custodian@example.org",
        "Tom Nguyen",
        "OH",
        "custodial-and-maintenance",
        "Head Custodian",
        "Dayton ESP",
    )

    opens = _at("America/New_York", "2026-09-01T09:00")
    conference = _offering(
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
        registration_closes_at=_at("America/Los_Angeles", "2027-03-01T23:59"),
        description="Workshops, networking and leadership for ESP members from every state.",
        signatory="ESP Quality Department",
    )
    pre_conference = _offering(
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
        registration_closes_at=_at("America/Los_Angeles", "2027-03-01T23:59"),
        description="A one-day training guide for emerging leaders, the day before the conference.",
        signatory="ESP Quality Department",
    )
    beat = _offering(
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
        host_affiliate=_by(Affiliate, code="OH"),
        registration_opens_at=opens,
        description="Build your local's crisis action plan before a contracting-out threat.",
        signatory="Ohio Education Association",
    )
    full = _offering(
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
    certification = _offering(
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
        host_affiliate=_by(Affiliate, code="OH"),
        registration_opens_at=opens,
        signatory="Ohio Education Association",
        description="For Ohio ESP leaders building the state certification program. "
        "Registrations are approved by the Ohio Education Association.",
    )
    pre_beat = _offering(
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
        registration_closes_at=_at("America/Los_Angeles", "2027-03-01T23:59"),
        description="An afternoon pre-conference session; a freed seat is offered for 48 hours.",
        signatory="ESP Quality Department",
    )
    transport = _offering(
        "Getting Educated: Transportation Services Professionals (Texas)",
        "getting-educated-transportation-services",
        [("Student behaviour on the bus", "2027-02-20T09:00", "2027-02-20T12:00", "3")],
        timezone="America/Chicago",
        venue="Texas State Teachers Association, Austin, TX",
        format=OfferingFormat.HYBRID,
        online_url="https://meet.example.org/tsta-transport",
        capacity=30,
        status=OfferingStatus.PUBLISHED,
        host_affiliate=_by(Affiliate, code="TX"),
        registration_opens_at=opens,
        signatory="Texas State Teachers Association",
        description="For bus drivers, monitors and mechanics.",
    )
    if not transport.audience:
        transport.audience.append(_by(JobFamily, slug="transportation-services"))  # type: ignore[arg-type]
    past = _offering(
        "Supporting Our Own: ESP Mentoring (fall 2026)",
        "supporting-our-own",
        [("Mentor training", "2026-10-17T09:00", "2026-10-17T15:30", "6")],
        timezone="America/New_York",
        venue="NEA Headquarters, 1201 16th St NW, Washington, DC",
        format=OfferingFormat.IN_PERSON,
        capacity=25,
        status=OfferingStatus.PUBLISHED,
        registration_opens_at=_at("America/New_York", "2026-08-01T09:00"),
        signatory="ESP Quality Department",
        description="Training for ESP mentors who support colleagues new to the job.",
    )
    # Happening now, wherever the demo is started: register, get marked present, print.
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    today = _offering(
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
    for offering in (pre_conference, pre_beat, beat, full, certification, past, today):
        if facilitator not in offering.facilitators:
            offering.facilitators.append(facilitator)
    _registration(driver, full)
    _registration(cook, full)
    _registration(custodian, full, RegistrationStatus.WAITLISTED)
    _registration(custodian, certification, RegistrationStatus.PENDING_APPROVAL)
    _registration(member, pre_beat)
    _registration(custodian, beat)
    _registration(member, conference)
    for person in (member, cook):
        _present(_registration(person, past), past.sessions[0], facilitator)
    _registration(custodian, past)  # registered, did not attend
    db.session.commit()
    seed_lft_demo()
    mentors = seed_mentoring_demo()
    seed_reference_demo()
    _quiet_demo_mail(outbox_before)

    return [
        DemoAccount(admin.email, admin.full_name, "national admin"),
        DemoAccount(approver.email, approver.full_name, "affiliate approver (Ohio)"),
        DemoAccount(facilitator.email, facilitator.full_name, "facilitator"),
        DemoAccount(reviewer.email, reviewer.full_name, "national LFT reviewer"),
        DemoAccount(member.email, member.full_name, "member (paraeducator, Ohio)"),
        DemoAccount(driver.email, driver.full_name, "member (bus driver, Texas)"),
        DemoAccount(cook.email, cook.full_name, "member (food services, Massachusetts)"),
        DemoAccount(custodian.email, custodian.full_name, "member (custodian, Ohio)"),
        *mentors,
    ]


def _quiet_demo_mail(after_id: int) -> None:
    """The e-mails the demo's back story wrote (applications received, decisions) are
    marked sent, so the worker does not print dozens of them at the first `make run`."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id > after_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SENT, sent_at=utcnow(), last_error="demo data: not sent")
    )
    db.session.commit()


def seed_lft_demo() -> None:
    """Leaders for Tomorrow: this year's released cycle (selected, alternate, not selected,
    accepted, refused) and next year's open one (draft, submitted, endorsed, declined,
    withdrawn, and pending selections), from several affiliates. Skipped once present."""
    from esp_registry.lft import rules as lft
    from esp_registry.lft.models import LftCriterion, LftCycle

    admin = _by(User, email="admin@example.org")
    if admin is None:
        return  # part of the demo world: seed_demo() makes the people first
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    rubric = [
        ("Leadership experience", "What the applicant has led, and how"),
        ("Commitment to ESP members", "Service to their local and state"),
        ("Vision", "A concrete plan to use what they learn"),
    ]

    def cycle(year: int, opens: datetime, cap: int | None) -> LftCycle | None:
        if _by(LftCycle, year=year) is not None:
            return None
        made = LftCycle(
            year=year,
            opens_at=opens,
            closes_at=opens + 45 * day,
            review_deadline=opens + 60 * day,
            decision_date=opens + 75 * day,
            cohort_size=20,
            max_endorsements_per_affiliate=cap,
            confirm_within_days=14,
            criteria=[
                LftCriterion(position=i, name=n, description=d) for i, (n, d) in enumerate(rubric)
            ],
        )
        db.session.add(made)
        db.session.commit()
        return made

    def person(email: str, name: str, state: str, family: str, title: str, local: str) -> User:
        return _person(email, name, state, family, title, local)

    def answers(user: User, years: int) -> lft.Answers:
        return lft.Answers(
            leadership_experience=f"{user.job_title} and building representative in "
            f"{user.local_name or user.affiliate.name}; I organised our contract campaign.",
            essay_why="I want to learn how to bring ESP members from every job family into "
            "our union's work, and to speak for them at the state level.",
            essay_vision="Start a new-member orientation in every building of our district and "
            "mentor two colleagues to become stewards.",
            years_as_esp=years,
            president_name="Jordan Ellis",
            president_email="president@local.example.org",
            commitment=True,
        )

    def submitted(user: User, in_cycle: LftCycle, at: datetime, years: int = 6):  # type: ignore[no-untyped-def]
        return lft.submit(user, in_cycle, answers(user, years), now=at).application

    # This year's cycle, decided and released.
    past = cycle(now.year, now - 120 * day, None)
    if past is not None:
        at = past.opens_at + day
        people = [
            person(
                "alicia.brown@example.org",
                "Alicia Brown",
                "GA",
                "paraeducators",
                "Paraeducator",
                "DeKalb ESP",
            ),
            person(
                "marcus.lee@example.org",
                "Marcus Lee",
                "NY",
                "custodial-and-maintenance",
                "Custodian",
                "Rochester ESP",
            ),
            person(
                "hannah.fischer@example.org",
                "Hannah Fischer",
                "WI",
                "clerical-services",
                "School Secretary",
                "Madison ESP",
            ),
            person(
                "omar.haddad@example.org",
                "Omar Haddad",
                "MI",
                "technical-services",
                "IT Technician",
                "Detroit ESP",
            ),
            person(
                "lena.novak@example.org",
                "Lena Novak",
                "PA",
                "health-and-student-services",
                "School Nurse Aide",
                "Pittsburgh ESP",
            ),
        ]
        applications = [submitted(p, past, at) for p in people]
        for application in applications:
            lft.endorse(application, admin, "Endorsed by the state affiliate.", now=at + day)
        accepted, refused, backup, alternate, _rest = applications
        lft.select(accepted, admin, now=at + 2 * day)
        lft.select(refused, admin, now=at + 2 * day)
        lft.name_alternate(backup, admin, now=at + 2 * day)
        lft.name_alternate(alternate, admin, now=at + 2 * day)
        released = past.decision_date
        lft.release_decisions(past, admin, now=released)
        lft.confirm_place(accepted, now=released + day)
        lft.refuse_place(refused, "A family move this year.", now=released + 2 * day)
        lft.confirm_place(backup, now=released + 3 * day)

    # Next year's cycle, open now: every role has a queue to work on.
    current = cycle(now.year + 1, now - 14 * day, 3)
    if current is not None:
        at = now - 10 * day
        custodian = _by(User, email="custodian@example.org")
        driver = _by(User, email="driver@example.org")
        cook = _by(User, email="cook@example.org")
        grace = person(
            "grace.okafor@example.org",
            "Grace Okafor",
            "OH",
            "food-services",
            "Food Service Manager",
            "Akron ESP",
        )
        bill = person(
            "bill.hansen@example.org",
            "Bill Hansen",
            "OH",
            "transportation-services",
            "Bus Mechanic",
            "Toledo ESP",
        )
        priya = person(
            "priya.shah@example.org",
            "Priya Shah",
            "OH",
            "clerical-services",
            "Attendance Clerk",
            "Cincinnati ESP",
        )
        carmen = person(
            "carmen.ruiz@example.org",
            "Carmen Ruiz",
            "TX",
            "paraeducators",
            "Bilingual Paraeducator",
            "San Antonio ESP",
        )
        derek = person(
            "derek.owens@example.org",
            "Derek Owens",
            "MD",
            "security-services",
            "School Security Officer",
            "Prince George's ESP",
        )
        ohio = _by(User, email="approver.oh@example.org")
        submitted(custodian, current, at, 12)  # waiting in the Ohio queue
        lft.endorse(submitted(grace, current, at, 9), ohio, "A natural organiser.", now=at + day)
        lft.decline(
            submitted(bill, current, at, 3),
            ohio,
            "Please apply again after a year as steward.",
            now=at + day,
        )
        lft.save_draft(priya, current, lft.Answers(essay_why="I want to"), now=at)
        lft.withdraw(submitted(carmen, current, at, 5), now=at + 2 * day)
        lft.endorse(submitted(derek, current, at, 7), admin, now=at + day)
        selected = submitted(driver, current, at, 15)
        lft.endorse(selected, admin, now=at + day)
        lft.select(selected, admin, now=at + 2 * day)
        alternate = submitted(cook, current, at, 4)
        lft.endorse(alternate, admin, now=at + day)
        lft.name_alternate(alternate, admin, now=at + 2 * day)
        for application, points in ((selected, 5), (alternate, 4)):
            lft.score(
                application, admin, {c.id: points for c in current.criteria}, now=at + 3 * day
            )


def _day_at(day: date, hour: int, minutes: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour, minutes), tzinfo=ZoneInfo(zone))


def seed_mentoring_demo() -> list[DemoAccount]:
    """Supporting Our Own mentoring: three mentors trained in an Ohio cohort last year (one
    in an active pairing both sides log, one with room, one suspended: an admin revoked
    their certificate), open requests in Ohio and one in Texas, and the next training for
    members who cannot volunteer yet. member@ may volunteer (she completed the fall
    training); custodian@ registered for it but did not attend, so he is told why not.
    Dates are relative to today; each part is added once."""
    from esp_registry.certificates import rules as certificates
    from esp_registry.mentoring import rules as mentoring
    from esp_registry.mentoring.models import ActivityType, MentoringRequest, RequestStatus

    admin = _by(User, email="admin@example.org")
    approver = _by(User, email="approver.oh@example.org")
    facilitator = _by(User, email="facilitator@example.org")
    if admin is None or approver is None or facilitator is None:
        return []  # part of the demo world: seed_demo() makes the people first
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    zone = "America/New_York"
    today = mentoring.today(now)

    trained_on = (now - 400 * day).astimezone(ZoneInfo(zone)).date()
    cohort = _offering(
        "Supporting Our Own: ESP Mentoring (Ohio cohort)",
        "supporting-our-own",
        [
            (
                "Mentor training",
                _day_at(trained_on, 9, 0, zone),
                _day_at(trained_on, 15, 30, zone),
                "6",
            )
        ],
        timezone=zone,
        venue="OEA Building, 225 E Broad St, Columbus, OH",
        format=OfferingFormat.IN_PERSON,
        capacity=25,
        status=OfferingStatus.PUBLISHED,
        host_affiliate=_by(Affiliate, code="OH"),
        registration_opens_at=_day_at(trained_on, 9, 0, zone) - 60 * day,
        registration_closes_at=_day_at(trained_on, 9, 0, zone) - 3 * day,
        signatory="Ohio Education Association",
        description="Mentor training for Ohio ESPs who support colleagues new to the job.",
    )
    next_on = (now + 45 * day).astimezone(ZoneInfo(zone)).date()
    _offering(
        "Supporting Our Own: ESP Mentoring (next cohort, online)",
        "supporting-our-own",
        [
            (
                "Mentor training",
                _day_at(next_on, 10, 0, zone),
                _day_at(next_on, 16, 30, zone),
                "6",
            )
        ],
        timezone=zone,
        online_url="https://meet.example.org/supporting-our-own",
        format=OfferingFormat.VIRTUAL,
        capacity=30,
        status=OfferingStatus.PUBLISHED,
        registration_opens_at=now - 7 * day,
        registration_closes_at=_day_at(next_on, 10, 0, zone) - 2 * day,
        signatory="ESP Quality Department",
        description="The training every mentor completes first: after it, volunteer as a "
        "mentor under Mentoring.",
    )
    if facilitator not in cohort.facilitators:
        cohort.facilitators.append(facilitator)

    mentor = _person(
        "mentor@example.org",
        "Linda Harper",
        "OH",
        "paraeducators",
        "Special Education Paraeducator",
        "Columbus Education Association",
    )
    cafeteria = _person(
        "cafeteria.mentor@example.org",
        "Patricia Nolan",
        "OH",
        "food-services",
        "Cafeteria Manager",
        "Akron ESP",
    )
    suspended = _person(
        "suspended.mentor@example.org",
        "Gary Fleming",
        "OH",
        "custodial-and-maintenance",
        "Custodian",
        "Dayton ESP",
    )
    newhire = _person(
        "newhire@example.org",
        "Kevin Brooks",
        "OH",
        "paraeducators",
        "Paraeducator",
        "Columbus Education Association",
    )
    # Waiting for a mentor: who, started in the job and asked (days ago), what they want.
    seekers = [
        (
            _person(
                "aisha.coleman@example.org",
                "Aisha Coleman",
                "OH",
                "paraeducators",
                "Instructional Aide",
                "Columbus Education Association",
            ),
            80,
            6,
            "Working with a new lead teacher, kindergarten classroom routines, and knowing "
            "my rights on the job.",
        ),
        (
            _person(
                "tyler.reed@example.org",
                "Tyler Reed",
                "OH",
                "food-services",
                "Cook",
                "Akron ESP",
            ),
            400,
            3,
            "Food safety paperwork, and speaking up at our local's meetings.",
        ),
        (
            _person(
                "megan.walsh@example.org",
                "Megan Walsh",
                "OH",
                "clerical-services",
                "School Secretary",
                "Toledo ESP",
            ),
            30,
            1,
            "Front-office routines, student records, and calls from upset parents.",
        ),
        (
            _person(
                "daniel.kim@example.org",
                "Daniel Kim",
                "TX",
                "transportation-services",
                "School Bus Driver",
                "Houston ESP",
            ),
            250,
            10,
            "Student behaviour on the bus and the route paperwork.",
        ),
    ]
    db.session.commit()

    training = cohort.sessions[0]
    for person in (mentor, cafeteria, suspended):
        registration = _registration(person, cohort)
        _present(registration, training, facilitator)
        db.session.commit()
        certificates.issue_certificate(registration, training.ends_at + 2 * day)

    def volunteer(user: User, capacity: int, note: str, at: datetime) -> None:
        if mentoring.profile_of(user) is None:
            details = mentoring.MentorDetails(
                user.job_family_id, user.affiliate_id, user.local_name, capacity, note
            )
            _expect(mentoring.volunteer(user, details, at))

    def ask(user: User, started_days_ago: int, help_with: str, at: datetime) -> None:
        if _by(MentoringRequest, user_id=user.id) is None:
            details = mentoring.RequestDetails(
                user.job_family_id,
                user.affiliate_id,
                user.local_name,
                today - started_days_ago * day,
                help_with,
            )
            _expect(mentoring.ask_for_mentor(user, details, at))

    volunteer(
        mentor,
        2,
        "Twelve years in special education classrooms: IEP meetings, working with a lead "
        "teacher, de-escalation.",
        now - 330 * day,
    )
    volunteer(
        cafeteria,
        2,
        "Kitchen routines, food safety and allergies, and getting involved in the local.",
        now - 300 * day,
    )
    volunteer(
        suspended, 1, "Night shift custodian; happy to talk building safety.", now - 320 * day
    )
    revoked = mentoring.revoked_soo_certificate(suspended.id)
    if revoked is None:
        registration = _by(Registration, user_id=suspended.id, offering_id=cohort.id)
        certificate = certificates.issue_certificate(registration)  # type: ignore[arg-type]
        certificates.revoke(
            certificate,  # type: ignore[arg-type]
            admin,
            "Issued in error: he left the training in the first hour.",
            now=now - 20 * day,
        )

    # Kevin asked in the spring and has been mentored by Linda since; both log.
    ask(
        newhire,
        200,
        "Supporting a student with autism, and how to speak up in IEP meetings.",
        now - 160 * day,
    )
    request = _by(MentoringRequest, user_id=newhire.id)
    if request.status == RequestStatus.OPEN:  # type: ignore[attr-defined]
        result = mentoring.confirm_match(
            request,  # type: ignore[arg-type]
            mentoring.profile_of(mentor),  # type: ignore[arg-type]
            approver,  # type: ignore[arg-type]
            now - 150 * day,
        )
        _expect(result)
        pairing = result.subject
        for who, activity, after, hours, note in (
            (mentor, ActivityType.CONVERSATION, 2, "1", "First meeting: goals for the year."),
            (newhire, ActivityType.REFLECTIVE_LOG, 3, "0.5", "What I want to get better at."),
            (mentor, ActivityType.PEER_OBSERVATION, 20, "2", "Observed Kevin's reading group."),
            (newhire, ActivityType.PEER_OBSERVATION, 27, "1.5", "Watched Linda run a group."),
            (mentor, ActivityType.COLLABORATIVE_PLANNING, 45, "1.5", "Planned visual schedules."),
            (newhire, ActivityType.STUDY_GROUP, 60, "2", "District paraeducator study group."),
            (mentor, ActivityType.COACHING, 95, "1", "Before and after an IEP meeting."),
            (newhire, ActivityType.CONVERSATION, 130, "1", "Check-in on the first semester."),
        ):
            on = pairing.starts_on + after * day
            entry = mentoring.LogEntry(activity.value, on, Decimal(hours), note)
            at = _day_at(on, 18, 0, str(mentoring.mentoring_zone()))
            _expect(mentoring.log_activity(pairing, who, entry, at))

    for seeker, started_days_ago, asked_days_ago, help_with in seekers:
        ask(seeker, started_days_ago, help_with, now - asked_days_ago * day)

    return [
        DemoAccount(mentor.email, mentor.full_name, "mentor (paraeducator, Ohio): one mentee"),
        DemoAccount(newhire.email, newhire.full_name, "mentee of Linda Harper (Ohio)"),
        DemoAccount(cafeteria.email, cafeteria.full_name, "mentor (food services, Ohio)"),
        DemoAccount(suspended.email, suspended.full_name, "mentor, suspended (Ohio)"),
    ]


def _expect(result: object) -> None:
    """A demo step the rules refused is a bug in the demo: stop with the rule's message."""
    if not getattr(result, "ok", False):
        raise RuntimeError(f"demo data refused: {getattr(result, 'message', result)}")
