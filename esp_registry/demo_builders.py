"""Small builders every area's demo data uses: find a row, or add it once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from esp_registry.accounts.models import Role, RoleGrant, User
from esp_registry.attendance.models import Attendance, AttendanceStatus
from esp_registry.catalog.models import Offering, Session
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.reference.models import Affiliate, JobFamily, Program
from esp_registry.registrations.models import Registration, RegistrationStatus

DEMO_PASSWORD = "esp-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    roles: str


def zoned(zone: str, text: str | datetime) -> datetime:
    if isinstance(text, datetime):
        return text
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def find_by(model: type, **where: object) -> object:
    return db.session.scalar(sa.select(model).filter_by(**where))


def demo_person(
    email: str,
    name: str,
    state: str,
    family: str,
    title: str,
    local: str,
    roles: tuple[tuple[Role, str | None], ...] = (),
) -> User:
    user = find_by(User, email=email)
    if user is None:
        user = User(
            email=email,
            full_name=name,
            affiliate=find_by(Affiliate, code=state),
            job_family=find_by(JobFamily, slug=family),
            job_title=title,
            local_name=local,
            email_confirmed_at=utcnow(),
        )
        user.set_password(DEMO_PASSWORD)
        for role, scope in roles:
            user.role_grants.append(
                RoleGrant(role=role, affiliate=find_by(Affiliate, code=scope) if scope else None)
            )
        db.session.add(user)
        db.session.flush()
    return user  # type: ignore[return-value]


def demo_offering(
    title: str,
    program: str,
    sessions: list[tuple[str, str | datetime, str | datetime, str]],
    **fields: object,
) -> Offering:
    offering = find_by(Offering, title=title)
    if offering is None:
        zone = str(fields.get("timezone", "America/New_York"))
        offering = Offering(title=title, program=find_by(Program, slug=program), **fields)
        for session_title, start, end, contact in sessions:
            offering.sessions.append(
                Session(
                    title=session_title,
                    starts_at=zoned(zone, start),
                    ends_at=zoned(zone, end),
                    contact_hours=Decimal(contact),
                )
            )
        db.session.add(offering)
        db.session.flush()
    return offering  # type: ignore[return-value]


def demo_registration(
    user: User, offering: Offering, status: RegistrationStatus = RegistrationStatus.CONFIRMED
) -> Registration:
    registration = find_by(Registration, user_id=user.id, offering_id=offering.id)
    if registration is None:
        registration = Registration(
            user_id=user.id,
            offering_id=offering.id,
            status=status,
            waitlisted_at=utcnow() if status == RegistrationStatus.WAITLISTED else None,
            first_waitlisted_at=utcnow() if status == RegistrationStatus.WAITLISTED else None,
        )
        db.session.add(registration)
        db.session.flush()
    return registration  # type: ignore[return-value]


def mark_present(registration: Registration, session: Session, by: User) -> None:
    if find_by(Attendance, registration_id=registration.id, session_id=session.id) is None:
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


def day_at(day: date, hour: int, minutes: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour, minutes), tzinfo=ZoneInfo(zone))


def expect_ok(result: object) -> None:
    """A demo step the rules refused is a bug in the demo: stop with the rule's message."""
    if not getattr(result, "ok", False):
        raise RuntimeError(f"demo data refused: {getattr(result, 'message', result)}")
