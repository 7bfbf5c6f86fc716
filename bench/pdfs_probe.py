"""PDF probe (not a test): the sign-in sheet of 500 names and the transcript of 40 trainings,
timed in-process as their routes make them (median of several runs, with the queries each
run sends). A scratch SQLite database, or a fresh one on the PostgreSQL server in
TEST_DATABASE_URL. `python bench/pdfs_probe.py`; the last line holds the figures.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throwaway import throwaway_database  # noqa: E402
from esp_registry import create_app  # noqa: E402
from esp_registry.accounts.models import User  # noqa: E402
from esp_registry.attendance import sheet as sheets  # noqa: E402
from esp_registry.attendance.models import Attendance, AttendanceStatus  # noqa: E402
from esp_registry.catalog.models import Offering, OfferingStatus, Session  # noqa: E402
from esp_registry.certificates.transcript import transcript_for, transcript_pdf  # noqa: E402
from esp_registry.columns import utcnow  # noqa: E402
from esp_registry.extensions import db  # noqa: E402
from esp_registry.reference.models import Affiliate, JobFamily, Program  # noqa: E402
from esp_registry.registrations.models import Registration, RegistrationStatus  # noqa: E402
from esp_registry.seeding import seed_reference  # noqa: E402

NAMES = int(os.environ.get("PROBE_NAMES", "500"))
TRAININGS = int(os.environ.get("PROBE_TRAININGS", "40"))
RUNS = int(os.environ.get("PROBE_RUNS", "7"))
FIRST = ["José", "Zoë", "Ana María", "Nguyễn", "Björn", "Siobhán", "Kwame", "Li", "Pat", "Renée"]


def offering(title: str, start: datetime, program: Program, host: Affiliate | None) -> Offering:
    created = Offering(
        title=title,
        program=program,
        status=OfferingStatus.COMPLETED,
        host_affiliate=host,
        venue="Greater Columbus Convention Center",
    )
    created.sessions.append(
        Session(
            title="Day 1",
            starts_at=start,
            ends_at=start + timedelta(hours=6),
            contact_hours=Decimal("6"),
        )
    )
    db.session.add(created)
    return created


def seed() -> tuple[int, int]:
    """A session with NAMES confirmed registrants; a member with TRAININGS attended."""
    programs = list(db.session.scalars(sa.select(Program)))
    families = list(db.session.scalars(sa.select(JobFamily)))
    ohio = db.session.scalar(sa.select(Affiliate).where(Affiliate.code == "OH"))
    users = [
        User(
            email=f"probe{i}@example.org",
            full_name=f"{FIRST[i % len(FIRST)]} Probe-Lastname {i:04d}"
            + (" de la Fuente y Montenegro-Villalobos" if i % 250 == 0 else ""),
            affiliate_id=ohio.id,
            job_family_id=families[i % len(families)].id,
            local_name=f"Local {i % 90}",
            password_hash="x",
            email_confirmed_at=utcnow(),
        )
        for i in range(max(NAMES, 1))
    ]
    db.session.add_all(users)
    big = offering("National ESP Conference", utcnow(), programs[0], ohio)
    db.session.flush()
    db.session.add_all(
        Registration(offering_id=big.id, user_id=u.id, status=RegistrationStatus.CONFIRMED)
        for u in users[:NAMES]
    )
    member = users[0]
    start = datetime(2023, 1, 10, 15, tzinfo=UTC)
    for i in range(TRAININGS):
        past = offering(
            f"Workshop {i}",
            start + timedelta(days=20 * i),
            programs[i % len(programs)],
            ohio if i % 2 else None,
        )
        db.session.flush()
        registration = Registration(
            offering_id=past.id, user_id=member.id, status=RegistrationStatus.CONFIRMED
        )
        db.session.add(registration)
        db.session.flush()
        db.session.add(
            Attendance(
                registration_id=registration.id,
                session_id=past.sessions[0].id,
                status=AttendanceStatus.PRESENT,
                credited_hours=Decimal("6"),
            )
        )
    db.session.commit()
    return big.sessions[0].id, member.id


def measure(fn) -> tuple[float, float, int, bytes]:  # type: ignore[no-untyped-def]
    """Median seconds (wall clock, and this process's CPU: the machine may be shared),
    queries of the last run, the last PDF."""
    statements: list[str] = []

    def count(*_args: object) -> None:
        statements.append("q")

    times, cpu, pdf = [], [], b""
    fn()  # warm up fonts and templates
    for _ in range(RUNS):
        db.session.expire_all()
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        began, began_cpu = time.perf_counter(), time.process_time()
        pdf = fn()
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return statistics.median(times), statistics.median(cpu), len(statements), pdf


def main() -> None:
    url, drop = throwaway_database("probe_pdfs")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PUBLIC_BASE_URL": "https://esp.example.org"})
    out = Path(os.environ.get("PROBE_OUT", tempfile.mkdtemp(prefix="probe-pdfs-out-")))
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            seed_reference()
            session_id, member_id = seed()
        with app.test_request_context(base_url=app.config["PUBLIC_BASE_URL"]):
            sheet_s, sheet_cpu, sheet_q, sheet = measure(
                lambda: sheets.sign_in_sheet_pdf(db.session.get(Session, session_id))
            )

            def first_sheet() -> bytes:
                sheets.forget_layouts()  # as the first print of this session's sheet
                return sheets.sign_in_sheet_pdf(db.session.get(Session, session_id))

            first_s, first_cpu, _, _ = measure(first_sheet)
            transcript_s, transcript_cpu, transcript_q, transcript = measure(
                lambda: transcript_pdf(transcript_for(db.session.get(User, member_id)))[0]
            )
        (out / "sheet.pdf").write_bytes(sheet)
        (out / "transcript.pdf").write_bytes(transcript)
        print(f"PDFs written to {out} ({url.split(':')[0]})")
        print(
            f"sheet_names={NAMES} sheet_ms={sheet_s * 1000:.0f} "
            f"sheet_cpu_ms={sheet_cpu * 1000:.0f} sheet_queries={sheet_q} "
            f"sheet_first_ms={first_s * 1000:.0f} sheet_first_cpu_ms={first_cpu * 1000:.0f} "
            f"transcript_trainings={TRAININGS} transcript_ms={transcript_s * 1000:.0f} "
            f"transcript_cpu_ms={transcript_cpu * 1000:.0f} transcript_queries={transcript_q}"
        )
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


if __name__ == "__main__":
    main()
