"""Supporting Our Own demo data: mentors, requests, a pairing and its logs."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from esp_registry.accounts.models import User
from esp_registry.catalog.models import OfferingFormat, OfferingStatus
from esp_registry.certificates import rules as certificates
from esp_registry.columns import utcnow
from esp_registry.demo_builders import (
    DemoAccount,
    day_at,
    demo_offering,
    demo_person,
    demo_registration,
    expect_ok,
    find_by,
    mark_present,
)
from esp_registry.extensions import db
from esp_registry.mentoring import rules as mentoring
from esp_registry.mentoring.models import ActivityType, MentoringRequest, RequestStatus
from esp_registry.reference.models import Affiliate
from esp_registry.registrations.models import Registration


def seed_mentoring_demo() -> list[DemoAccount]:
    """Supporting Our Own mentoring: three mentors trained in an Ohio cohort last year (one
    in an active pairing both sides log, one with room, one suspended: an admin revoked
    their certificate), open requests in Ohio and one in Texas, and the next training for
    members who cannot volunteer yet. member@ may volunteer (she completed the fall
    training); custodian@ registered for it but did not attend, so he is told why not.
    Dates are relative to today; each part is added once."""
    admin = find_by(User, email="admin@example.org")
    approver = find_by(User, email="approver.oh@example.org")
    facilitator = find_by(User, email="facilitator@example.org")
    if admin is None or approver is None or facilitator is None:
        return []  # part of the demo world: seed_demo() makes the people first
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    day = timedelta(days=1)
    zone = "America/New_York"
    today = mentoring.today(now)

    trained_on = (now - 400 * day).astimezone(ZoneInfo(zone)).date()
    cohort = demo_offering(
        "Supporting Our Own: ESP Mentoring (Ohio cohort)",
        "supporting-our-own",
        [
            (
                "Mentor training",
                day_at(trained_on, 9, 0, zone),
                day_at(trained_on, 15, 30, zone),
                "6",
            )
        ],
        timezone=zone,
        venue="OEA Building, 225 E Broad St, Columbus, OH",
        format=OfferingFormat.IN_PERSON,
        capacity=25,
        status=OfferingStatus.PUBLISHED,
        host_affiliate=find_by(Affiliate, code="OH"),
        registration_opens_at=day_at(trained_on, 9, 0, zone) - 60 * day,
        registration_closes_at=day_at(trained_on, 9, 0, zone) - 3 * day,
        signatory="Ohio Education Association",
        description="Mentor training for Ohio ESPs who support colleagues new to the job.",
    )
    next_on = (now + 45 * day).astimezone(ZoneInfo(zone)).date()
    demo_offering(
        "Supporting Our Own: ESP Mentoring (next cohort, online)",
        "supporting-our-own",
        [
            (
                "Mentor training",
                day_at(next_on, 10, 0, zone),
                day_at(next_on, 16, 30, zone),
                "6",
            )
        ],
        timezone=zone,
        online_url="https://meet.example.org/supporting-our-own",
        format=OfferingFormat.VIRTUAL,
        capacity=30,
        status=OfferingStatus.PUBLISHED,
        registration_opens_at=now - 7 * day,
        registration_closes_at=day_at(next_on, 10, 0, zone) - 2 * day,
        signatory="ESP Quality Department",
        description="The training every mentor completes first: after it, volunteer as a "
        "mentor under Mentoring.",
    )
    if facilitator not in cohort.facilitators:
        cohort.facilitators.append(facilitator)

    mentor = demo_person(
        "mentor@example.org",
        "Linda Harper",
        "OH",
        "paraeducators",
        "Special Education Paraeducator",
        "Columbus Education Association",
    )
    cafeteria = demo_person(
        "cafeteria.mentor@example.org",
        "Patricia Nolan",
        "OH",
        "food-services",
        "Cafeteria Manager",
        "Akron ESP",
    )
    suspended = demo_person(
        "suspended.mentor@example.org",
        "Gary Fleming",
        "OH",
        "custodial-and-maintenance",
        "Custodian",
        "Dayton ESP",
    )
    newhire = demo_person(
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
            demo_person(
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
            demo_person(
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
            demo_person(
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
            demo_person(
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
        registration = demo_registration(person, cohort)
        mark_present(registration, training, facilitator)
        db.session.commit()
        certificates.issue_certificate(registration, training.ends_at + 2 * day)

    def volunteer(user: User, capacity: int, note: str, at: datetime) -> None:
        if mentoring.profile_of(user) is None:
            details = mentoring.MentorDetails(
                user.job_family_id, user.affiliate_id, user.local_name, capacity, note
            )
            expect_ok(mentoring.volunteer(user, details, at))

    def ask(user: User, started_days_ago: int, help_with: str, at: datetime) -> None:
        if find_by(MentoringRequest, user_id=user.id) is None:
            details = mentoring.RequestDetails(
                user.job_family_id,
                user.affiliate_id,
                user.local_name,
                today - started_days_ago * day,
                help_with,
            )
            expect_ok(mentoring.ask_for_mentor(user, details, at))

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
        registration = find_by(Registration, user_id=suspended.id, offering_id=cohort.id)
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
    request = find_by(MentoringRequest, user_id=newhire.id)
    if request.status == RequestStatus.OPEN:  # type: ignore[attr-defined]
        result = mentoring.confirm_match(
            request,  # type: ignore[arg-type]
            mentoring.profile_of(mentor),  # type: ignore[arg-type]
            approver,  # type: ignore[arg-type]
            now - 150 * day,
        )
        expect_ok(result)
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
            at = day_at(on, 18, 0, str(mentoring.mentoring_zone()))
            expect_ok(mentoring.log_activity(pairing, who, entry, at))

    for seeker, started_days_ago, asked_days_ago, help_with in seekers:
        ask(seeker, started_days_ago, help_with, now - asked_days_ago * day)

    return [
        DemoAccount(mentor.email, mentor.full_name, "mentor (paraeducator, Ohio): one mentee"),
        DemoAccount(newhire.email, newhire.full_name, "mentee of Linda Harper (Ohio)"),
        DemoAccount(cafeteria.email, cafeteria.full_name, "mentor (food services, Ohio)"),
        DemoAccount(suspended.email, suspended.full_name, "mentor, suspended (Ohio)"),
        *(
            DemoAccount(
                seeker.email,
                seeker.full_name,
                f"new to the job, waiting for a mentor ({seeker.affiliate.name})",
            )
            for seeker, _started, _asked, _help in seekers
        ),
    ]
