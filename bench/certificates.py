"""Certificates benchmark (not a test): `make bench-certificates`.

Creates an offering with 2,000 attendees in a scratch SQLite database (or a fresh
database on the PostgreSQL server in TEST_DATABASE_URL) and measures, in one run:
- one certificate through the app's code vs raw WeasyPrint on the same HTML (the floor),
  as a member's download finds it (the offering's layout cached by an earlier download or
  print) and as the first download of the offering (its layout made first);
- the bulk print job's pages/s vs raw WeasyPrint laying out the same pages as one document.
The last line reads `single_ratio=<x> bulk_ratio=<y> bulk_pages_per_s=<z>`.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade
from weasyprint import HTML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throwaway import throwaway_database  # noqa: E402
from esp_registry import create_app  # noqa: E402
from esp_registry.accounts.models import User  # noqa: E402
from esp_registry.attendance.models import Attendance, AttendanceStatus  # noqa: E402
from esp_registry.catalog.models import Offering, OfferingStatus, Session  # noqa: E402
from esp_registry.certificates import render  # noqa: E402
from esp_registry.certificates.models import Certificate, CertificatePrintJob  # noqa: E402
from esp_registry.certificates.printing import run_print_job  # noqa: E402
from esp_registry.certificates.rules import issue_for_offering  # noqa: E402
from esp_registry.columns import utcnow  # noqa: E402
from esp_registry.extensions import db  # noqa: E402
from esp_registry.reference.models import Affiliate, JobFamily, Program  # noqa: E402
from esp_registry.registrations.models import Registration, RegistrationStatus  # noqa: E402
from esp_registry.seeding import seed_reference  # noqa: E402

ATTENDEES = int(os.environ.get("BENCH_ATTENDEES", "2000"))
SINGLE_RUNS = 7


def seed(count: int) -> int:
    start = utcnow() - timedelta(days=2)
    offering = Offering(
        title="National ESP Conference: Certificates for everyone",
        program=db.session.scalar(sa.select(Program).limit(1)),
        status=OfferingStatus.COMPLETED,
        host_affiliate=db.session.scalar(sa.select(Affiliate).where(Affiliate.code == "OH")),
        venue="Greater Columbus Convention Center",
        signatory="Director, ESP Quality Department",
    )
    offering.sessions.append(
        Session(
            title="Day 1",
            starts_at=start,
            ends_at=start + timedelta(hours=6),
            contact_hours=Decimal("6"),
        )
    )
    db.session.add(offering)
    family = db.session.scalar(sa.select(JobFamily).limit(1))
    users = [
        User(
            email=f"bench{i}@example.org",
            full_name=f"Member Number {i:04d}",
            affiliate_id=offering.host_affiliate.id,
            job_family_id=family.id,
            password_hash="x",
            email_confirmed_at=utcnow(),
        )
        for i in range(count)
    ]
    db.session.add_all(users)
    db.session.flush()
    registrations = [
        Registration(offering_id=offering.id, user_id=u.id, status=RegistrationStatus.CONFIRMED)
        for u in users
    ]
    db.session.add_all(registrations)
    db.session.flush()
    db.session.add_all(
        Attendance(
            registration_id=r.id,
            session_id=offering.sessions[0].id,
            status=AttendanceStatus.PRESENT,
            credited_hours=Decimal("6"),
        )
        for r in registrations
    )
    db.session.commit()
    return offering.id


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def main(bulk_floor: bool = True) -> dict[str, float]:
    """The figures; `bulk_floor=False` leaves out raw WeasyPrint laying out all the pages as
    one document (minutes on a busy machine), so bulk_ratio is then not measured."""
    url, drop = throwaway_database("bench_cert")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PUBLIC_BASE_URL": "https://esp.example.org"})
    prints = tempfile.mkdtemp(prefix="bench-prints-")
    app.config["CERTIFICATE_PRINTS_DIR"] = prints
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            seed_reference()
            began = time.perf_counter()
            offering_id = seed(ATTENDEES)
            print(f"seeded {ATTENDEES} attendees in {time.perf_counter() - began:.1f}s")

        with app.test_request_context(base_url=app.config["PUBLIC_BASE_URL"]):
            offering = render.load_offering_for_print(offering_id)
            issue_for_offering(offering)  # every certificate issued once, as after a first print
            db.session.commit()
            certificate_id = db.session.scalar(sa.select(Certificate.id).limit(1))

            def app_single() -> None:
                db.session.expire_all()
                render.certificate_pdf(db.session.get(Certificate, certificate_id))

            html = render.certificate_html(db.session.get(Certificate, certificate_id))
            db.session.commit()
            app_single()  # warm up fonts and template caches
            HTML(string=html).write_pdf()
            app_times, first_times, floor_times = [], [], []
            for _ in range(SINGLE_RUNS):
                app_times.append(timed(app_single))
                render.forget_backgrounds()
                first_times.append(timed(app_single))
                floor_times.append(timed(lambda: HTML(string=html).write_pdf()))
            single_app, single_floor = statistics.median(app_times), statistics.median(floor_times)
            single_first = statistics.median(first_times)
            print(
                f"single certificate: app {single_app * 1000:.0f} ms "
                f"(first of its offering, layout not cached: {single_first * 1000:.0f} ms, "
                f"ratio {single_first / single_floor:.2f}), "
                f"raw WeasyPrint {single_floor * 1000:.0f} ms (median of {SINGLE_RUNS})"
            )

            job = CertificatePrintJob(offering_id=offering_id)
            db.session.add(job)
            db.session.commit()
            bulk_app = timed(lambda: run_print_job(job.id))
            db.session.expire_all()
            job = db.session.get(CertificatePrintJob, job.id)
            assert job.status == "done" and job.done == ATTENDEES, (job.status, job.error)
            size = (Path(prints) / job.filename).stat().st_size
            print(
                f"bulk print job: {ATTENDEES} pages in {bulk_app:.1f}s = "
                f"{ATTENDEES / bulk_app:.1f} pages/s ({size / 1e6:.1f} MB, {os.cpu_count()} cores)"
            )

            bulk_ratio = float("nan")
            if bulk_floor:
                offering = render.load_offering_for_print(offering_id)
                document = render.certificates_html(
                    offering, render.pages_for(issue_for_offering(offering), offering)
                )
                db.session.commit()
                bulk_raw = timed(lambda: HTML(string=document).write_pdf())
                print(
                    f"raw WeasyPrint, same {ATTENDEES} pages as one document: "
                    f"{bulk_raw:.1f}s = {ATTENDEES / bulk_raw:.1f} pages/s"
                )
                bulk_ratio = bulk_app / bulk_raw
            else:
                print("raw WeasyPrint bulk floor: not measured here (make bench-certificates)")
        single_ratio = single_app / single_floor
        print(
            f"single_ratio={single_ratio:.2f} bulk_ratio={bulk_ratio:.2f} "
            f"bulk_pages_per_s={ATTENDEES / bulk_app:.1f}"
        )
        return {
            "single_ratio": single_ratio,
            "bulk_ratio": bulk_ratio,
            "bulk_pages_per_s": ATTENDEES / bulk_app,
        }
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


if __name__ == "__main__":
    main()
