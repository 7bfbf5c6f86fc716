"""Leaders for Tomorrow demo data: cycles, applications and their decisions."""

from __future__ import annotations

from datetime import datetime, timedelta

from esp_registry.accounts.models import User
from esp_registry.columns import utcnow
from esp_registry.demo_builders import demo_person, find_by
from esp_registry.extensions import db
from esp_registry.lft import rules as lft
from esp_registry.lft.models import LftCriterion, LftCycle


def seed_lft_demo() -> None:
    """Leaders for Tomorrow: this year's released cycle (selected, alternate, not selected,
    accepted, refused) and next year's open one (draft, submitted, endorsed, declined,
    withdrawn, and pending selections), from several affiliates. Skipped once present."""
    admin = find_by(User, email="admin@example.org")
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
        if find_by(LftCycle, year=year) is not None:
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
        return demo_person(email, name, state, family, title, local)

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
        custodian = find_by(User, email="custodian@example.org")
        driver = find_by(User, email="driver@example.org")
        cook = find_by(User, email="cook@example.org")
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
        ohio = find_by(User, email="approver.oh@example.org")
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
