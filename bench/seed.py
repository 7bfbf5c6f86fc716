"""The national data set of PRODUCT §15 / issue 13, seeded through the app's own models.

Bulk inserts (`insert(Model).returning(...)`) with one shared password hash, rows as the
app makes them: registrations with statuses and waitlist stamps, sessions, attendance
with its audit events, certificates with codes, a Leaders for Tomorrow cycle in review,
mentors, pairings with their logs and open requests, locals. `Scale.tenth()` seeds the
same shapes at one tenth, for the growth ratio.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from esp_registry import reference_data as ref
from esp_registry.accounts.models import AccountAction, AccountEvent, Role, RoleGrant, User
from esp_registry.attendance.models import (
    Attendance,
    AttendanceChange,
    AttendanceEvent,
    AttendanceStatus,
)
from esp_registry.catalog.models import (
    Offering,
    OfferingStatus,
    Session,
    offering_audience,
    offering_facilitators,
)
from esp_registry.certificates.models import Certificate
from esp_registry.certificates.rules import new_code
from esp_registry.columns import utcnow
from esp_registry.credit.required.models import RequiredTraining, required_training_job_families
from esp_registry.extensions import db
from esp_registry.lft.models import LftApplication, LftCriterion, LftCycle, LftEvent, LftScore
from esp_registry.lft.models import LftStatus as Lft
from esp_registry.mentoring.models import (
    ActivityType,
    MentoringLog,
    MentoringPairing,
    MentoringRequest,
    MentoringRole,
    MentorProfile,
    MentorStatus,
    PairingStatus,
    RequestStatus,
)
from esp_registry.reference.local_names import local_key
from esp_registry.reference.models import Affiliate, JobFamily, Local, Program
from esp_registry.registrations.models import Registration
from esp_registry.registrations.models import RegistrationStatus as Status

PASSWORD = "bench-password-2026"
DOMAIN = "bench.example.org"
DAY = timedelta(days=1)

_FIRST = (
    "Maria James Linda Robert Patricia Michael Jennifer David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa "
    "Anthony Betty Mark Sandra Donald Ashley Steven Kimberly Paul Donna Andrew Emily "
    "Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy "
    "Stephanie Jose Rebecca Luis Sharon Ana Carmen Rosa Juan Wei Mei Aisha Omar Fatima "
    "Kwame Priya Raj"
)
FIRST = tuple(_FIRST.split())
_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright "
    "Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell "
    "Mitchell Carter Roberts Chen Patel Okafor Kowalski Novak Haddad Fischer Yamamoto "
    "Begay Silva"
)
LAST = tuple(_LAST.split())
TITLES = (
    "Paraeducator",
    "Custodian",
    "School Secretary",
    "Bus Driver",
    "Food Service Worker",
    "IT Technician",
    "Nurse Aide",
    "Security Officer",
    "Maintenance Technician",
    "Library Assistant",
)
# Members per affiliate follow these weights (big states first); the rest weigh 1-4.
BIG_STATES = {"CA": 12, "TX": 9, "NY": 9, "FL": 7, "PA": 6, "OH": 6, "IL": 6, "MI": 5}


@dataclass(frozen=True)
class Scale:
    """How much of everything; `tenth()` divides every count by ten."""

    name: str
    members: int = 50_000
    offerings: int = 600  # over two years: half past, half upcoming
    conference: int = 2_000  # confirmed at the national conference
    conference_waitlist: int = 300
    sheet: int = 500  # confirmed in the session whose sign-in sheet is printed
    member_trainings: int = 40  # past trainings on the bench member's transcript
    lft_applications: int = 1_000
    mentors: int = 800
    pairings: int = 2_000
    open_requests: int = 500
    locals_per_affiliate: int = 20
    staff_facilitators: int = 120
    rush_capacity: int = 400
    rush_members: int = 600

    def tenth(self) -> Scale:
        counts = {
            name: max(1, value // 10)
            for name, value in self.__dict__.items()
            if isinstance(value, int) and name not in ("member_trainings",)
        }
        return replace(self, name="tenth", **counts)


FULL = Scale("full")


@dataclass
class World:
    """What the load needs to find in the seeded data (ids, e-mails, counts)."""

    scale: Scale
    password: str = PASSWORD
    accounts: dict[str, str] = field(default_factory=dict)  # role -> e-mail
    conference_id: int = 0
    conference_session_id: int = 0
    sheet_session_id: int = 0
    member_registration_id: int = 0  # a registration of the bench member with a certificate
    offering_id: int = 0  # an upcoming offering with a page like most
    certified_offering_id: int = 0  # the past offering with the most certificates
    job_family_slug: str = ""
    lft_cycle_id: int = 0
    rush_offering_id: int = 0
    rush_emails: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class Seeder:
    def __init__(self, scale: Scale, seed: int = 13) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.now = utcnow().replace(second=0, microsecond=0)
        self.world = World(scale)
        # One shared hash (a cheap pbkdf2 round count: the bench signs in hundreds of times;
        # the hash method is not what the pages are measured for).
        self.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        self.affiliates = {a.code: a.id for a in db.session.scalars(sa.select(Affiliate))}
        self.families = {f.slug: f.id for f in db.session.scalars(sa.select(JobFamily))}
        self.programs = {p.slug: p for p in db.session.scalars(sa.select(Program))}

    # -------------------------------------------------------------------- helpers

    def insert(self, model: type, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert the rows, return their ids in the order given."""
        if not rows:
            return []
        ids = db.session.scalars(
            sa.insert(model).returning(model.id, sort_by_parameter_order=True), rows
        ).all()
        self.world.counts[model.__tablename__] = self.world.counts.get(
            model.__tablename__, 0
        ) + len(rows)
        return list(ids)

    def insert_plain(self, table: sa.Table, rows: Iterable[dict[str, Any]]) -> None:
        rows = list(rows)
        if rows:
            db.session.execute(sa.insert(table), rows)

    def name(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    # -------------------------------------------------------------------- people

    def seed(self) -> World:
        self.seed_locals()
        self.seed_members()
        self.seed_staff()
        self.seed_offerings()
        self.seed_conference()
        self.seed_sheet_and_member()
        self.seed_rush()
        self.seed_lft()
        self.seed_mentoring()
        self.seed_required()
        db.session.commit()
        return self.world

    def seed_required(self) -> None:
        """Two required trainings, so the overdue list has national-scale rows to group."""
        food, bus = (
            f"getting-educated-{slug}" for slug in ("food-services", "transportation-services")
        )
        ids = self.insert(
            RequiredTraining,
            [
                {"program_id": self.programs[food].id, "kind": "expiry", "valid_months": 36,
                 "created_at": self.now - 400 * DAY},
                {"program_id": self.programs[bus].id, "kind": "hours",
                 "hours_per_year": Decimal(10), "created_at": self.now - 400 * DAY},
            ],
        )  # fmt: skip
        self.insert_plain(
            required_training_job_families,
            [
                {"required_training_id": ids[0], "job_family_id": self.families["food-services"]},
                {
                    "required_training_id": ids[1],
                    "job_family_id": self.families["transportation-services"],
                },
            ],
        )

    def seed_locals(self) -> None:
        names = {a.id: a.name for a in db.session.scalars(sa.select(Affiliate))}
        self.locals: dict[int, list[str]] = {
            affiliate_id: [
                f"{name} ESP Local {k}" for k in range(1, 1 + self.scale.locals_per_affiliate)
            ]
            for affiliate_id, name in names.items()
        }
        self.insert(
            Local,
            [
                {"affiliate_id": a, "name": n, "created_at": self.now - 400 * DAY}
                for a, local_names in self.locals.items()
                for n in local_names
            ],
        )

    def seed_members(self) -> None:
        codes = sorted(self.affiliates)
        weights = [BIG_STATES.get(c, 1 + (sum(map(ord, c)) % 4)) for c in codes]
        family_ids = sorted(self.families.values())
        rows = []
        for i in range(self.scale.members):
            affiliate_id = self.affiliates[self.rng.choices(codes, weights)[0]]
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            rows.append(
                {
                    "email": f"{first}.{last}.{i}@{DOMAIN}".lower(),
                    "full_name": f"{first} {last}",
                    "password_hash": self.password_hash,
                    "affiliate_id": affiliate_id,
                    "job_family_id": self.rng.choice(family_ids),
                    "local_name": self.rng.choice(self.locals[affiliate_id]),
                    "job_title": self.rng.choice(TITLES),
                    "started_job_on": (self.now - self.rng.randint(30, 9000) * DAY).date(),
                    "preferred_language": "es" if self.rng.random() < 0.1 else "en",
                    "email_confirmed_at": self.now - 300 * DAY,
                    "created_at": self.now - self.rng.randint(1, 700) * DAY,
                }
            )
        self.members = self.insert(User, rows)
        self.member_rows = dict(zip(self.members, rows, strict=True))
        self.free = list(self.members)  # members not yet given a special part
        self.rng.shuffle(self.free)

    def take(self, count: int) -> list[int]:
        taken, self.free = self.free[:count], self.free[count:]
        return taken

    def person(self, key: str, name: str, state: str, roles: list[tuple[Role, str | None]]) -> int:
        email = f"{key}@{DOMAIN}"
        affiliate_id = self.affiliates[state]
        (user_id,) = self.insert(
            User,
            [
                {
                    "email": email,
                    "full_name": name,
                    "password_hash": self.password_hash,
                    "affiliate_id": affiliate_id,
                    "job_family_id": self.families["paraeducators"],
                    "local_name": self.locals[affiliate_id][0],
                    "job_title": "Paraeducator",
                    "started_job_on": date(2015, 8, 20),
                    "email_confirmed_at": self.now - 300 * DAY,
                }
            ],
        )
        self.grant(user_id, roles)
        self.world.accounts[key] = email
        return user_id

    def grant(self, user_id: int, roles: list[tuple[Role, str | None]]) -> None:
        rows = [
            {"user_id": user_id, "role": role, "affiliate_id": self.affiliates[s] if s else None}
            for role, s in roles
        ]
        self.insert(RoleGrant, rows)
        self.insert(
            AccountEvent,
            [
                {
                    "user_id": user_id,
                    "actor_id": None,
                    "action": AccountAction.ROLE_GRANTED,
                    "role": r["role"],
                    "affiliate_id": r["affiliate_id"],
                    "created_at": self.now - 200 * DAY,
                }
                for r in rows
            ],
        )

    def seed_staff(self) -> None:
        self.admin = self.person("admin", "Nadia National", "DC", [(Role.NATIONAL_ADMIN, None)])
        self.approver = self.person(
            "approver", "Carla Approver", "CA", [(Role.AFFILIATE_APPROVER, "CA")]
        )
        self.facilitator = self.person(
            "facilitator", "Felix Facilitator", "OH", [(Role.FACILITATOR, None)]
        )
        self.member = self.person("member", "Mona Member", "OH", [])
        self.reviewers = [self.admin]
        for k in range(4):
            self.reviewers.append(
                self.person(f"reviewer{k}", f"Reviewer {k}", "NY", [(Role.REVIEWER, None)])
            )
        for code in sorted(self.affiliates):
            if code != "CA":
                (approver,) = self.take(1)
                self.grant(approver, [(Role.AFFILIATE_APPROVER, code)])
        self.facilitators = [self.facilitator, *self.take(self.scale.staff_facilitators)]
        for user_id in self.facilitators[1:]:
            self.grant(user_id, [(Role.FACILITATOR, None)])

    # -------------------------------------------------------------------- catalog

    def offering(
        self,
        title: str,
        program: str,
        start: datetime,
        *,
        days: int = 1,
        capacity: int | None = 40,
        status: OfferingStatus = OfferingStatus.PUBLISHED,
        host: int | None = None,
        waitlist: bool = False,
        approval: bool = False,
        facilitators: Sequence[int] = (),
        audience: Sequence[int] = (),
    ) -> tuple[int, list[tuple[int, Decimal]]]:
        (offering_id,) = self.insert(
            Offering,
            [
                {
                    "program_id": self.programs[program].id,
                    "title": title,
                    "description": f"{self.programs[program].description} Bring a colleague.",
                    "host_affiliate_id": host,
                    "venue": "Union Hall, Room 2" if host else "Convention Center",
                    "capacity": capacity,
                    "waitlist_enabled": waitlist,
                    "requires_affiliate_approval": approval,
                    "status": status,
                    "signatory": "Director, ESP Quality Department",
                    "created_at": start - 60 * DAY,
                }
            ],
        )
        hours = Decimal(self.rng.choice(("3", "5", "6")))
        rows = [
            {
                "offering_id": offering_id,
                "title": f"Day {d + 1}",
                "starts_at": start + d * DAY,
                "ends_at": start + d * DAY + timedelta(hours=int(hours) + 1),
                "contact_hours": hours,
            }
            for d in range(days)
        ]
        sessions = list(zip(self.insert(Session, rows), [hours] * days, strict=True))
        self.insert_plain(
            offering_facilitators,
            ({"offering_id": offering_id, "user_id": u} for u in facilitators),
        )
        self.insert_plain(
            offering_audience,
            ({"offering_id": offering_id, "job_family_id": f} for f in audience),
        )
        return offering_id, sessions

    def register(
        self,
        offering_id: int,
        confirmed: Sequence[int],
        *,
        waitlisted: Sequence[int] = (),
        pending: Sequence[int] = (),
        cancelled: Sequence[int] = (),
        at: datetime,
    ) -> list[int]:
        """Registrations as the app makes them; returns the confirmed ones' ids."""
        rows: list[dict[str, Any]] = []
        for k, user_id in enumerate(confirmed):
            rows.append(self.registration(offering_id, user_id, Status.CONFIRMED, at, k))
        for k, user_id in enumerate(waitlisted):
            row = self.registration(offering_id, user_id, Status.WAITLISTED, at, len(rows) + k)
            row["waitlisted_at"] = row["created_at"]
            row["first_waitlisted_at"] = row["created_at"]
            rows.append(row)
        for k, user_id in enumerate(pending):
            rows.append(self.registration(offering_id, user_id, Status.PENDING_APPROVAL, at, k))
        for k, user_id in enumerate(cancelled):
            row = self.registration(offering_id, user_id, Status.CANCELLED, at, k)
            row.update(decided_by_id=user_id, decided_at=at, reason="Cannot attend")
            rows.append(row)
        ids = self.insert(Registration, rows)
        return ids[: len(confirmed)]

    def registration(
        self, offering_id: int, user_id: int, status: Status, at: datetime, k: int
    ) -> dict[str, Any]:
        created = at + timedelta(seconds=37 * k)
        return {
            "offering_id": offering_id,
            "user_id": user_id,
            "status": status,
            "created_at": created,
            "updated_at": created,
        }

    def attend(
        self,
        registrations: Sequence[int],
        sessions: Sequence[tuple[int, Decimal]],
        users: Sequence[int],
    ) -> None:
        """Attendance (mostly present) with its audit events, then the certificates."""
        attendance, events = [], []
        earned: dict[int, Decimal] = defaultdict(Decimal)
        starts = dict(
            db.session.execute(
                sa.select(Session.id, Session.ends_at).where(
                    Session.id.in_([s for s, _h in sessions])
                )
            ).all()
        )
        marker = self.rng.choice(self.facilitators)
        for registration_id in registrations:
            for session_id, hours in sessions:
                present = self.rng.random() < 0.92
                credited = hours if present else Decimal(0)
                earned[registration_id] += credited
                status = AttendanceStatus.PRESENT if present else AttendanceStatus.ABSENT
                at = starts[session_id]
                attendance.append(
                    {
                        "registration_id": registration_id,
                        "session_id": session_id,
                        "status": status,
                        "credited_hours": credited,
                        "marked_by_id": marker,
                        "marked_at": at,
                    }
                )
                events.append(
                    {
                        "registration_id": registration_id,
                        "session_id": session_id,
                        "actor_id": marker,
                        "at": at,
                        "change": AttendanceChange.MARK,
                        "to_status": status,
                        "to_hours": credited,
                    }
                )
        self.insert(Attendance, attendance)
        self.insert(AttendanceEvent, events)
        names = dict(
            db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(users))).all()
        )
        last = max(starts.values())
        self.insert(
            Certificate,
            [
                {
                    "registration_id": registration_id,
                    "code": new_code(),
                    "member_name": names[user_id],
                    "hours": earned[registration_id],
                    "issued_at": last + DAY,
                }
                for registration_id, user_id in zip(registrations, users, strict=True)
                if earned[registration_id] > 0
            ],
        )

    def seed_offerings(self) -> None:
        """Half past (completed, attended, certified), half upcoming (published; some ask for
        the affiliate's approval, some are full with a waitlist, a few drafts), in two years."""
        slugs = [
            slug
            for slug in self.programs
            if slug
            not in (
                ref.LFT_PROGRAM_SLUG,
                ref.CONFERENCE_PROGRAM_SLUG,
                ref.SUPPORTING_OUR_OWN_PROGRAM_SLUG,
            )
        ]
        codes = sorted(self.affiliates)
        # Mentors completed Supporting Our Own: past offerings of it hold them.
        self.mentor_users = self.take(self.scale.mentors)
        soo_count = max(1, -(-self.scale.mentors // 100))
        regular = max(2, self.scale.offerings - soo_count - 3)
        members = self.members
        most_certified = 0
        for k in range(soo_count):
            attendees = self.mentor_users[k * 100 : (k + 1) * 100]
            start = self.now - self.rng.randint(200, 700) * DAY
            offering_id, sessions = self.offering(
                f"Supporting Our Own, cohort {k + 1}",
                ref.SUPPORTING_OUR_OWN_PROGRAM_SLUG,
                start,
                days=2,
                capacity=100,
                status=OfferingStatus.COMPLETED,
                facilitators=self.rng.sample(self.facilitators, 2),
            )
            registrations = self.register(offering_id, attendees, at=start - 30 * DAY)
            self.attend(registrations, sessions, attendees)
        for k in range(regular):
            past = k % 2 == 0
            start = self.now + (-1 if past else 1) * self.rng.randint(2, 365) * DAY
            start = start.replace(hour=14, minute=0)
            program = self.rng.choice(slugs)
            family_id = self.programs[program].job_family_id
            host = None if self.rng.random() < 0.1 else self.affiliates[self.rng.choice(codes)]
            capacity = self.rng.choice((25, 30, 40, 50, 60, 80, 100))
            approval = not past and self.rng.random() < 0.15
            cancelled_offering = self.rng.random() < 0.03
            status = (
                OfferingStatus.CANCELLED
                if cancelled_offering
                else OfferingStatus.COMPLETED
                if past
                else OfferingStatus.DRAFT
                if self.rng.random() < 0.05
                else OfferingStatus.PUBLISHED
            )
            offering_id, sessions = self.offering(
                f"{self.programs[program].name} ({k + 1})",
                program,
                start,
                days=self.rng.choice((1, 1, 1, 2)),
                capacity=capacity,
                status=status,
                host=host,
                waitlist=self.rng.random() < 0.4,
                approval=approval,
                facilitators=self.rng.sample(self.facilitators, self.rng.choice((1, 2))),
                audience=[family_id] if family_id else [],
            )
            if status == OfferingStatus.DRAFT:
                continue
            fill = self.rng.uniform(0.5, 1.0) if not cancelled_offering else 0.3
            people = self.rng.sample(members, int(capacity * fill) + 12)
            seats = int(capacity * fill)
            at = start - 45 * DAY
            if approval:
                half = seats // 2
                confirmed = self.register(
                    offering_id, people[:half], pending=people[half:seats], at=at
                )
                continue
            waitlisted = people[seats : seats + 8] if fill > 0.95 else []
            confirmed = self.register(
                offering_id,
                people[:seats],
                waitlisted=waitlisted,
                cancelled=people[seats + 8 :],
                at=at,
            )
            if past and not cancelled_offering:
                self.attend(confirmed, sessions, people[:seats])
                if seats > most_certified:
                    most_certified, self.world.certified_offering_id = seats, offering_id
            if not self.world.offering_id and not past and status == OfferingStatus.PUBLISHED:
                self.world.offering_id = offering_id
                self.world.job_family_slug = next(
                    (s for s, i in self.families.items() if i == family_id), "paraeducators"
                )
        if not self.world.job_family_slug:
            self.world.job_family_slug = "paraeducators"

    def seed_conference(self) -> None:
        start = (self.now + 40 * DAY).replace(hour=13, minute=0)
        conference_id, sessions = self.offering(
            f"NEA ESP National Conference {start.year}",
            ref.CONFERENCE_PROGRAM_SLUG,
            start,
            days=3,
            capacity=self.scale.conference,
            waitlist=True,
            facilitators=[self.facilitator],
        )
        people = self.rng.sample(
            self.members, self.scale.conference + self.scale.conference_waitlist
        )
        self.register(
            conference_id,
            people[: self.scale.conference],
            waitlisted=people[self.scale.conference :],
            at=self.now - 90 * DAY,
        )
        self.world.conference_id = conference_id
        self.world.conference_session_id = sessions[0][0]

    def seed_sheet_and_member(self) -> None:
        """A summit whose first session prints a sign-in sheet of `sheet` names, and the bench
        member's 40 past trainings (attended, certified) and a cancelled conference seat."""
        start = (self.now + 10 * DAY).replace(hour=14, minute=0)
        summit_id, sessions = self.offering(
            "Regional ESP Summit",
            "building-winning-teams",
            start,
            capacity=self.scale.sheet,
            facilitators=[self.facilitator],
        )
        self.register(summit_id, self.rng.sample(self.members, self.scale.sheet), at=self.now)
        self.world.sheet_session_id = sessions[0][0]
        for k in range(self.scale.member_trainings):
            start = (self.now - (20 + 15 * k) * DAY).replace(hour=14, minute=0)
            offering_id, sessions = self.offering(
                f"Chapter training {k + 1}",
                "beat-privatization",
                start,
                status=OfferingStatus.COMPLETED,
                host=self.affiliates["OH"],
                facilitators=[self.facilitator],
            )
            (registration_id,) = self.register(offering_id, [self.member], at=start - 20 * DAY)
            self.attend([registration_id], sessions, [self.member])
            self.world.member_registration_id = registration_id
        self.register(self.world.conference_id, [], cancelled=[self.member], at=self.now)

    def seed_rush(self) -> None:
        start = (self.now + 60 * DAY).replace(hour=14, minute=0)
        self.world.rush_offering_id, _sessions = self.offering(
            "Registration rush: ESP Leadership Summit",
            "stepping-up-to-the-plate",
            start,
            capacity=self.scale.rush_capacity,
            waitlist=True,
        )
        rush = self.take(self.scale.rush_members)
        self.world.rush_emails = [self.member_rows[u]["email"] for u in rush]

    # -------------------------------------------------------------------- LFT

    def seed_lft(self) -> None:
        opens = self.now - 60 * DAY
        (cycle_id,) = self.insert(
            LftCycle,
            [
                {
                    "year": self.now.year,
                    "opens_at": opens,
                    "closes_at": opens + 50 * DAY,
                    "review_deadline": opens + 65 * DAY,
                    "decision_date": opens + 80 * DAY,
                    "cohort_size": 20,
                }
            ],
        )
        criteria = self.insert(
            LftCriterion,
            [
                {"cycle_id": cycle_id, "position": i, "name": n, "description": n}
                for i, n in enumerate(("Leadership experience", "Commitment", "Vision"))
            ],
        )
        # (status, share): most are endorsed and in national review.
        plan = [
            (Lft.DRAFT, 0.1),
            (Lft.WITHDRAWN, 0.04),
            (Lft.SUBMITTED, 0.25),
            (Lft.DECLINED, 0.11),
            (Lft.ENDORSED, 0.5),
        ]
        applicants = self.take(self.scale.lft_applications)
        # The approver's affiliate has its share of applications to act on.
        statuses = [s for s, share in plan for _ in range(round(share * len(applicants)))]
        statuses += [Lft.ENDORSED] * (len(applicants) - len(statuses))
        rows, chains = [], []
        for user_id, status in zip(applicants, statuses, strict=True):
            member = self.member_rows[user_id]
            created = opens + self.rng.randint(1, 30) * DAY
            submitted = created + 2 * DAY
            submitted_ok = status not in (Lft.DRAFT, Lft.WITHDRAWN)
            rows.append(
                {
                    "cycle_id": cycle_id,
                    "user_id": user_id,
                    "affiliate_id": member["affiliate_id"],
                    "job_family_id": member["job_family_id"],
                    "status": status,
                    "leadership_experience": "Building representative; led our contract "
                    "campaign and new-member orientation.",
                    "essay_why": "To bring ESP members of every job family into our work.",
                    "essay_vision": "A new-member orientation in every building.",
                    "years_as_esp": self.rng.randint(1, 30),
                    "president_name": "Jordan Ellis",
                    "president_email": "president@local.example.org",
                    "commitment": submitted_ok,
                    "created_at": created,
                    "updated_at": submitted,
                    "submitted_at": submitted if submitted_ok else None,
                }
            )
            chain = [(None, Lft.DRAFT, created)]
            if status == Lft.WITHDRAWN:
                chain.append((Lft.DRAFT, Lft.WITHDRAWN, submitted))
            elif submitted_ok:
                chain.append((Lft.DRAFT, Lft.SUBMITTED, submitted))
                if status in (Lft.ENDORSED, Lft.DECLINED):
                    chain.append((Lft.SUBMITTED, status, submitted + 3 * DAY))
            chains.append(chain)
        ids = self.insert(LftApplication, rows)
        events, scores = [], []
        for application_id, user_id, status, chain in zip(
            ids, applicants, statuses, chains, strict=True
        ):
            for before, after, at in chain:
                staff = after in (Lft.ENDORSED, Lft.DECLINED)
                events.append(
                    {
                        "application_id": application_id,
                        "actor_id": self.approver if staff else user_id,
                        "at": at,
                        "from_status": before,
                        "to_status": after,
                        "comment": "Endorsed by the state affiliate." if staff else "",
                    }
                )
            if status == Lft.ENDORSED and self.rng.random() < 0.6:
                for reviewer in self.rng.sample(self.reviewers, 2):
                    for criterion in criteria:
                        scores.append(
                            {
                                "application_id": application_id,
                                "reviewer_id": reviewer,
                                "criterion_id": criterion,
                                "score": self.rng.randint(1, 5),
                                "scored_at": self.now - DAY,
                            }
                        )
        self.insert(LftEvent, events)
        self.insert(LftScore, scores)
        self.world.lft_cycle_id = cycle_id

    # -------------------------------------------------------------------- mentoring

    def seed_mentoring(self) -> None:
        profiles = []
        for user_id in self.mentor_users:
            member = self.member_rows[user_id]
            profiles.append(
                {
                    "user_id": user_id,
                    "job_family_id": member["job_family_id"],
                    "affiliate_id": member["affiliate_id"],
                    "local_name": member["local_name"],
                    "local_key": local_key(member["local_name"]),
                    "capacity": self.rng.randint(1, 5),
                    "note": "Happy to talk about the first year in the job.",
                    "status": self.rng.choices(
                        (MentorStatus.ACTIVE, MentorStatus.PAUSED, MentorStatus.WITHDRAWN),
                        (85, 10, 5),
                    )[0],
                    "created_at": self.now - 150 * DAY,
                    "updated_at": self.now - 150 * DAY,
                }
            )
        profile_ids = self.insert(MentorProfile, profiles)
        room = {
            pid: p["capacity"]
            for pid, p in zip(profile_ids, profiles, strict=True)
            if p["status"] == MentorStatus.ACTIVE
        }
        users_of = dict(zip(profile_ids, self.mentor_users, strict=True))
        mentees = self.take(self.scale.pairings + self.scale.open_requests)
        paired, asking = mentees[: self.scale.pairings], mentees[self.scale.pairings :]
        requests, pairings = [], []
        for k, mentee in enumerate(paired):
            member = self.member_rows[mentee]
            kind = self.rng.choices(
                (PairingStatus.ACTIVE, PairingStatus.COMPLETED, PairingStatus.ENDED), (55, 35, 10)
            )[0]
            if kind == PairingStatus.ACTIVE and room:
                profile = self.rng.choice(list(room))
                room[profile] -= 1
                if not room[profile]:
                    del room[profile]
            else:
                kind = PairingStatus.COMPLETED if kind == PairingStatus.ACTIVE else kind
                profile = profile_ids[k % len(profile_ids)]
            starts = (self.now - self.rng.randint(30, 700) * DAY).date()
            if kind == PairingStatus.COMPLETED:
                starts -= timedelta(days=730)
            closed = None
            if kind == PairingStatus.COMPLETED:
                closed = datetime.combine(starts + timedelta(days=730), self.now.timetz())
            elif kind == PairingStatus.ENDED:
                closed = self.now - self.rng.randint(1, 20) * DAY
            asked = datetime.combine(starts - timedelta(days=20), self.now.timetz())
            requests.append(
                {
                    "user_id": mentee,
                    "job_family_id": member["job_family_id"],
                    "affiliate_id": member["affiliate_id"],
                    "local_name": member["local_name"],
                    "local_key": local_key(member["local_name"]),
                    "started_job_on": starts - timedelta(days=100),
                    "help_with": "Learning the routines of the job.",
                    "status": RequestStatus.MATCHED,
                    "created_at": asked,
                    "closed_at": asked + DAY,
                }
            )
            pairings.append(
                {
                    "mentor_profile_id": profile,
                    "mentor_id": users_of[profile],
                    "mentee_id": mentee,
                    "status": kind,
                    "starts_on": starts,
                    "ends_on": starts + timedelta(days=730),
                    "matched_by_id": self.admin,
                    "created_at": asked + DAY,
                    "closed_at": closed,
                    "closed_by_id": self.admin if kind == PairingStatus.ENDED else None,
                    "end_reason": "Moved to another district"
                    if kind == PairingStatus.ENDED
                    else "",
                }
            )
        for mentee in asking:
            member = self.member_rows[mentee]
            requests.append(
                {
                    "user_id": mentee,
                    "job_family_id": member["job_family_id"],
                    "affiliate_id": member["affiliate_id"],
                    "local_name": member["local_name"],
                    "local_key": local_key(member["local_name"]),
                    "started_job_on": (self.now - self.rng.randint(30, 900) * DAY).date(),
                    "help_with": "Getting to know the job and my local.",
                    "status": RequestStatus.OPEN,
                    "created_at": self.now - self.rng.randint(1, 60) * DAY,
                }
            )
        request_ids = self.insert(MentoringRequest, requests)
        for pairing, request_id in zip(pairings, request_ids[: len(pairings)], strict=True):
            pairing["request_id"] = request_id
        pairing_ids = self.insert(MentoringPairing, pairings)
        logs, certificates = [], []
        activities = list(ActivityType)
        for pairing_id, pairing in zip(pairing_ids, pairings, strict=True):
            hours = Decimal(0)
            for n in range(3):
                hours += Decimal("1.5")
                logs.append(
                    {
                        "pairing_id": pairing_id,
                        "user_id": pairing["mentor_id"] if n % 2 else pairing["mentee_id"],
                        "activity": activities[n % len(activities)],
                        "on_date": pairing["starts_on"] + timedelta(days=30 * (n + 1)),
                        "hours": Decimal("1.5"),
                        "note": "Met after the shift.",
                        "created_at": self.now - 10 * DAY,
                    }
                )
            if pairing["status"] == PairingStatus.COMPLETED:
                for role, user_id in (
                    (MentoringRole.MENTOR, pairing["mentor_id"]),
                    (MentoringRole.MENTEE, pairing["mentee_id"]),
                ):
                    certificates.append(
                        {
                            "mentoring_pairing_id": pairing_id,
                            "mentoring_role": role,
                            "code": new_code(),
                            "member_name": self.member_rows[user_id]["full_name"],
                            "hours": hours,
                            "issued_at": pairing["closed_at"],
                        }
                    )
        self.insert(MentoringLog, logs)
        self.insert(Certificate, certificates)


def seed_world(scale: Scale) -> World:
    """Seed `scale` into the app's database (migrated, reference data loaded)."""
    return Seeder(scale).seed()
