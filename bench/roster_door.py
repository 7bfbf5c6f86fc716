"""Roster at the door (not a test): `python bench/roster_door.py`.

A conference session with 2,000 confirmed registrants (half of them marked) in a scratch
SQLite database, or a fresh database on the PostgreSQL server in TEST_DATABASE_URL; then,
signed in as its facilitator through the test client, the server time of the roster's
first page, of a search, of the second page and of one tap (median of RUNS), with the
HTML size and the number of queries. The last line reads
`roster_first_page_ms=<x> roster_search_ms=<y> roster_mark_ms=<z> roster_kb=<w>`.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throwaway import throwaway_database  # noqa: E402
from esp_registry import create_app  # noqa: E402
from esp_registry.accounts.models import Role, RoleGrant, User  # noqa: E402
from esp_registry.attendance.models import Attendance, AttendanceStatus  # noqa: E402
from esp_registry.catalog.models import Offering, OfferingStatus, Session  # noqa: E402
from esp_registry.columns import utcnow  # noqa: E402
from esp_registry.extensions import db  # noqa: E402
from esp_registry.reference.models import Affiliate, JobFamily, Program  # noqa: E402
from esp_registry.registrations.models import Registration, RegistrationStatus  # noqa: E402
from esp_registry.seeding import seed_reference  # noqa: E402

ATTENDEES = int(os.environ.get("BENCH_ATTENDEES", "2000"))
RUNS = 21
PASSWORD = "door-bench-password"
FIRST = ["Ana", "Bo", "Carmen", "Dev", "Elena", "Femi", "Grace", "Hugo", "Ines", "Jamal"]
LAST = ["Abbott", "Baker", "Castro", "Diallo", "Evans", "Flores", "Garcia", "Haddad"]


def seed(count: int) -> tuple[int, int]:
    """The session and one registration on it; bulk inserts, one password hash."""
    affiliate = db.session.scalar(sa.select(Affiliate).where(Affiliate.code == "OH"))
    family = db.session.scalar(sa.select(JobFamily).limit(1))
    facilitator = User(
        email="door-facilitator@example.org",
        full_name="Door Facilitator",
        affiliate_id=affiliate.id,
        job_family_id=family.id,
        email_confirmed_at=utcnow(),
    )
    facilitator.set_password(PASSWORD)
    facilitator.role_grants.append(RoleGrant(role=Role.FACILITATOR))
    start = utcnow() - timedelta(minutes=30)
    offering = Offering(
        title="National ESP Conference",
        program=db.session.scalar(sa.select(Program).limit(1)),
        status=OfferingStatus.PUBLISHED,
        capacity=None,
    )
    offering.sessions.append(
        Session(title="Day 1", starts_at=start, ends_at=start + timedelta(hours=6))
    )
    offering.sessions[0].contact_hours = Decimal(6)
    offering.facilitators.append(facilitator)
    db.session.add_all([facilitator, offering])
    db.session.flush()
    names = [f"{f} {last}" for f in FIRST for last in LAST]
    ids = db.session.scalars(
        sa.insert(User).returning(User.id, sort_by_parameter_order=True),
        [
            {
                "email": f"door{i}@example.org",
                "full_name": f"{names[i % len(names)]} {i}",
                "affiliate_id": affiliate.id,
                "job_family_id": family.id,
                "local_name": f"Local {i % 40}",
                "password_hash": "x",
            }
            for i in range(count)
        ],
    ).all()
    registration_ids = db.session.scalars(
        sa.insert(Registration).returning(Registration.id, sort_by_parameter_order=True),
        [
            {"user_id": i, "offering_id": offering.id, "status": RegistrationStatus.CONFIRMED}
            for i in ids
        ],
    ).all()
    session_id = offering.sessions[0].id
    db.session.execute(
        sa.insert(Attendance),
        [
            {
                "registration_id": r,
                "session_id": session_id,
                "status": AttendanceStatus.PRESENT,
                "credited_hours": Decimal(6),
                "marked_by_id": facilitator.id,
            }
            for r in registration_ids[::2]
        ],
    )
    db.session.commit()
    return session_id, registration_ids[1]


def median_ms(call: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def main() -> None:
    url, drop = throwaway_database("bench_roster")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    app.config["RATELIMIT_ENABLED"] = False
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            seed_reference()
            session_id, registration_id = seed(ATTENDEES)
        client = app.test_client()
        signed_in = client.post(
            "/signin", data={"email": "door-facilitator@example.org", "password": PASSWORD}
        )
        assert signed_in.status_code == 302, signed_in.status_code
        roster = f"/sessions/{session_id}/roster"
        statements: list[str] = []
        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

        def get(path: str, **kw: object) -> bytes:
            response = client.get(path, **kw)
            assert response.status_code == 200, (path, response.status_code)
            return response.data

        first = get(roster)
        assert b"1000 present of 2000 registered" in first or ATTENDEES != 2000
        statements.clear()
        get(roster)
        queries = len(statements)
        figures = {
            # A signed-in page listing one training: what any page costs here, for scale.
            "facilitate_floor_ms": median_ms(lambda: get("/facilitate")),
            "roster_first_page_ms": median_ms(lambda: get(roster)),
            "roster_search_ms": median_ms(
                lambda: get(roster, query_string={"q": "grace"}, headers=search_headers())
            ),
            "roster_page_2_ms": median_ms(lambda: get(roster, query_string={"page": 2})),
            "roster_mark_ms": median_ms(
                lambda: client.post(
                    f"/sessions/{session_id}/attendance/{registration_id}",
                    data={"status": "present"},
                    headers={"HX-Request": "true"},
                )
            ),
        }
        rows = len(re.findall(rb'<tr id="r', first))
        print(f"{app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, {ATTENDEES} registrants")
        print(f"first page: {rows} rows, {len(first) / 1024:.1f} KB, {queries} queries")
        for name, value in figures.items():
            print(f"{name:>22}: {value:6.1f} ms (median of {RUNS})")
        print(
            " ".join(
                [
                    f"{k}={figures[k]:.1f}"
                    for k in ("facilitate_floor_ms", "roster_first_page_ms", "roster_search_ms")
                ]
                + [f"roster_mark_ms={figures['roster_mark_ms']:.1f}"]
                + [f"roster_kb={len(first) / 1024:.1f}", f"roster_queries={queries}"]
            )
        )
    finally:
        drop()


def search_headers() -> dict[str, str]:
    return {"HX-Request": "true", "HX-Trigger": "search"}


if __name__ == "__main__":
    main()
