"""Small builders for test data; each commits so requests in other sessions see it."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from esp_registry.accounts.models import Role, RoleGrant, User
from esp_registry.catalog.models import Offering, OfferingStatus, Session
from esp_registry.columns import utcnow
from esp_registry.extensions import db
from esp_registry.microcredentials.models import Component, Criterion, Microcredential, Stack
from esp_registry.reference.models import Affiliate, JobFamily, Program

PASSWORD = "correct horse battery"


def affiliate(code: str) -> Affiliate:
    return db.session.scalar(sa.select(Affiliate).where(Affiliate.code == code))


def family(slug: str) -> JobFamily:
    return db.session.scalar(sa.select(JobFamily).where(JobFamily.slug == slug))


def person(
    email: str,
    *,
    name: str = "Pat Member",
    state: str = "OH",
    job_family: str = "paraeducators",
    roles: tuple[tuple[Role, str | None], ...] = (),
) -> User:
    user = User(
        email=email,
        full_name=name,
        affiliate=affiliate(state),
        job_family=family(job_family),
        local_name="Test Local",
        job_title="Tester",
        email_confirmed_at=utcnow(),
    )
    user.set_password(PASSWORD)
    for role, scope in roles:
        user.role_grants.append(RoleGrant(role=role, affiliate=affiliate(scope) if scope else None))
    db.session.add(user)
    db.session.commit()
    return user


def offering(
    title: str = "Beat Privatization workshop",
    *,
    program: str = "beat-privatization",
    capacity: int | None = 30,
    starts_in: timedelta = timedelta(days=30),
    hours: str = "5",
    sessions: int = 1,
    status: OfferingStatus = OfferingStatus.PUBLISHED,
    facilitators: tuple[User, ...] = (),
    audience: tuple[str, ...] = (),
    host: str | None = None,
    now: datetime | None = None,
    **fields: object,
) -> Offering:
    start = (now or utcnow()) + starts_in
    created = Offering(
        title=title,
        program=db.session.scalar(sa.select(Program).where(Program.slug == program)),
        capacity=capacity,
        status=status,
        host_affiliate=affiliate(host) if host else None,
        **fields,
    )
    for day in range(sessions):
        begins = start + timedelta(days=day)
        created.sessions.append(
            Session(
                title=f"Day {day + 1}",
                starts_at=begins,
                ends_at=begins + timedelta(hours=6),
                contact_hours=Decimal(hours),
            )
        )
    created.facilitators.extend(facilitators)
    created.audience.extend(family(slug) for slug in audience)
    db.session.add(created)
    db.session.commit()
    return created


def bulk_people(prefix: str, count: int, state: str = "OH") -> list[User]:
    """Many members at once (no password hashing), for concurrency tests."""
    users = [
        User(
            email=f"{prefix}{i}@example.org",
            full_name=f"{prefix} {i}",
            affiliate_id=affiliate(state).id,
            job_family_id=family("paraeducators").id,
            password_hash="x",
            email_confirmed_at=utcnow(),
        )
        for i in range(count)
    ]
    db.session.add_all(users)
    db.session.flush()
    return users


def microcredential(
    name: str = "Supporting Students with Behaviour Plans",
    *,
    slug: str | None = None,
    job_family: str | None = "paraeducators",
    components: int = 2,
    criteria: int = 2,
    files: bool = False,
    stack: Stack | None = None,
    stack_position: int | None = None,
    hours: str = "15",
) -> Microcredential:
    """A micro-credential with `components` components of `criteria` criteria each (the
    last component takes a file when `files`)."""
    created = Microcredential(
        slug=slug or name.lower().replace(" ", "-")[:80],
        name=name,
        competency=f"The ESP demonstrates: {name.lower()}.",
        key_method="Evidence of practice with students, and a reflection.",
        job_family=family(job_family) if job_family else None,
        estimated_hours=Decimal(hours),
        credit_hours=Decimal(hours),
        stack=stack,
        stack_position=stack_position,
    )
    for place in range(1, components + 1):
        component = Component(
            position=place,
            title=f"Component {place}",
            prompt=f"Answer the questions of component {place}.",
            accepts_file=files and place == components,
        )
        for line in range(1, criteria + 1):
            component.criteria.append(Criterion(position=line, text=f"Criterion {place}.{line}"))
        created.components.append(component)
    db.session.add(created)
    db.session.commit()
    return created


def stack(name: str = "ESP Professional Growth Continuum", *, in_order: bool = False) -> Stack:
    created = Stack(slug=name.lower().replace(" ", "-")[:80], name=name, in_order=in_order)
    db.session.add(created)
    db.session.commit()
    return created
