"""Registration rush probe (not a test): many members press Register at once.

Creates its own PostgreSQL database (on the server in TEST_DATABASE_URL, default the test
server), an offering with RUSH_CAPACITY seats and a waitlist, RUSH_MEMBERS members each
signed in beforehand (a sign-in row and a session cookie with its CSRF token, as a browser
holds after signing in), starts gunicorn (2 sync workers) on 127.0.0.1:RUSH_PORT and lets
RUSH_CLIENTS threads POST the htmx registration until every member has pressed once.
Then checks the database: nobody over capacity, one registration each, and every member
was told the position that is stored. Only 127.0.0.1; bounded in count and time.
The last line: `rush_per_s=<n> errors=<n> overbooked=<n> wrong_position=<n> p50_ms p95_ms`.
"""

from __future__ import annotations

import http.client
import os
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import session
from flask_migrate import upgrade
from flask_wtf.csrf import generate_csrf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.throwaway import throwaway_database  # noqa: E402
from esp_registry import create_app  # noqa: E402
from esp_registry.accounts import sessions  # noqa: E402
from esp_registry.accounts.models import User  # noqa: E402
from esp_registry.catalog.models import Offering, OfferingStatus, Session  # noqa: E402
from esp_registry.columns import utcnow  # noqa: E402
from esp_registry.extensions import db  # noqa: E402
from esp_registry.reference.models import Affiliate, JobFamily, Program  # noqa: E402
from esp_registry.registrations.models import Registration, RegistrationStatus  # noqa: E402
from esp_registry.registrations.rules import waitlist_positions  # noqa: E402
from esp_registry.seeding import seed_reference  # noqa: E402

MEMBERS = int(os.environ.get("RUSH_MEMBERS", "1500"))
CAPACITY = int(os.environ.get("RUSH_CAPACITY", "1000"))
CLIENTS = int(os.environ.get("RUSH_CLIENTS", "50"))
PORT = int(os.environ.get("RUSH_PORT", "5410"))
WORKERS = os.environ.get("RUSH_WORKERS", "2")
TIME_LIMIT = 120.0  # seconds: the rush stops here whatever is left
SECRET = "rush-probe-secret"
AGENT = "rush-probe"
POSITION = re.compile(r"number (\d+) on the waitlist")


def seed(app) -> tuple[int, list[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    """The offering and, per member, (cookie, csrf token) of a browser signed in as them."""
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        seed_reference()
        start = utcnow() + timedelta(days=30)
        offering = Offering(
            title="Popular training",
            program=db.session.scalar(sa.select(Program).limit(1)),
            status=OfferingStatus.PUBLISHED,
            capacity=CAPACITY,
            waitlist_enabled=True,
            venue="Union Hall",
        )
        offering.sessions.append(
            Session(
                title="Day 1",
                starts_at=start,
                ends_at=start + timedelta(hours=6),
                contact_hours=6,
            )
        )
        db.session.add(offering)
        affiliate = db.session.scalar(sa.select(Affiliate).where(Affiliate.code == "OH"))
        family = db.session.scalar(sa.select(JobFamily).limit(1))
        users = [
            User(
                email=f"rush{i}@example.org",
                full_name=f"Rush Member {i:05d}",
                affiliate_id=affiliate.id,
                job_family_id=family.id,
                local_name="Local 1",
                password_hash="x",
                email_confirmed_at=utcnow(),
            )
            for i in range(MEMBERS)
        ]
        db.session.add_all(users)
        db.session.commit()
        offering_id = offering.id
        user_ids = [u.id for u in users]
    serializer = app.session_interface.get_signing_serializer(app)
    browsers = []
    for user_id in user_ids:
        with app.test_request_context(
            headers={"User-Agent": AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
        ):
            sessions.sign_in(db.session.get(User, user_id), AGENT)
            token = generate_csrf()
            browsers.append((serializer.dumps(dict(session)), token))
            db.session.remove()
    return offering_id, browsers


def rush(offering_id: int, browsers: list[tuple[str, str]]) -> dict[str, object]:
    todo: queue.Queue[int] = queue.Queue()
    for i in range(len(browsers)):
        todo.put(i)
    told: dict[int, tuple[str, int | None]] = {}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + TIME_LIMIT
    path = f"/offerings/{offering_id}/register"

    def client() -> None:
        while time.monotonic() < deadline:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            cookie, token = browsers[i]
            body = urlencode({"csrf_token": token})
            began = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                conn.request(
                    "POST",
                    path,
                    body=body,
                    headers={
                        "Cookie": f"session={cookie}",
                        "Content-Type": "application/x-www-form-urlencoded",
                        "HX-Request": "true",
                        "User-Agent": AGENT,
                    },
                )
                response = conn.getresponse()
                page = response.read().decode()
                conn.close()
            except OSError as error:
                with lock:
                    errors.append(f"{i}: {error}")
                continue
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                if response.status != 200:
                    errors.append(f"{i}: HTTP {response.status}")
                elif "You are registered" in page:
                    told[i] = ("confirmed", None)
                elif found := POSITION.search(page):
                    told[i] = ("waitlisted", int(found.group(1)))
                else:
                    errors.append(f"{i}: {page[:200]!r}")

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return {"told": told, "latencies": latencies, "errors": errors, "elapsed": elapsed}


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time these processes have used (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def postgres_backends(url: str) -> list[int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        pids = list(
            conn.scalars(
                sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid()"
                )
            )
        )
    engine.dispose()
    return pids


def wait_for_server() -> None:
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/signin")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def main() -> None:
    url, drop = throwaway_database("rush", require_postgres=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    server = None
    try:
        began = time.perf_counter()
        offering_id, browsers = seed(app)
        print(f"seeded {MEMBERS} signed-in members in {time.perf_counter() - began:.1f}s")
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "WORKER_ENQUEUE": "0",  # no worker here: the outbox rows are written, not sent
            "RATELIMIT_STORAGE_URI": os.environ.get(
                "RUSH_RATELIMIT_STORAGE", "redis://127.0.0.1:6379/0"
            ),
        }
        env.pop("REDIS_URL", None)
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "--workers",
                WORKERS,
                "--bind",
                f"127.0.0.1:{PORT}",
                "--no-control-socket",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            # RUSH_APP_ROOT: serve another checkout of the app (e.g. main's, for a before/after).
            cwd=os.environ.get("RUSH_APP_ROOT", ROOT),
            env=env,
        )
        wait_for_server()
        workers = workers_of(server.pid)
        app_cpu = cpu_seconds(workers)
        mine = time.process_time()
        result = rush(offering_id, browsers)
        app_cpu = cpu_seconds(workers) - app_cpu
        client_cpu = time.process_time() - mine
        backends = postgres_backends(url)  # the workers' connections (pooled, kept)
        db_cpu = cpu_seconds(backends)  # since they opened: the rush and a warm-up GET
        told: dict[int, tuple[str, int | None]] = result["told"]  # type: ignore[assignment]
        latencies: list[float] = sorted(result["latencies"])  # type: ignore[arg-type]
        errors: list[str] = result["errors"]  # type: ignore[assignment]
        elapsed: float = result["elapsed"]  # type: ignore[assignment]
        with app.app_context():
            rows = list(
                db.session.execute(
                    sa.select(Registration.id, Registration.user_id, Registration.status).where(
                        Registration.offering_id == offering_id
                    )
                )
            )
            positions = waitlist_positions([offering_id])
            user_ids = list(
                db.session.scalars(
                    sa.select(User.id).where(User.email.like("rush%")).order_by(User.id)
                )
            )
        confirmed = sum(1 for r in rows if r.status == RegistrationStatus.CONFIRMED)
        by_user = {r.user_id: r for r in rows}
        wrong = 0
        for i, (status, position) in told.items():
            row = by_user.get(user_ids[i])
            stored = None if row is None else (row.status, positions.get(row.id))
            if stored != (status, position):
                wrong += 1
        per_s = len(told) / elapsed
        p50 = statistics.median(latencies) * 1000 if latencies else 0
        p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else 0
        for error in errors[:5]:
            print("error:", error)
        done = max(len(told), 1)
        print(
            f"CPU per registration: app {app_cpu / done * 1000:.1f} ms (gunicorn workers), "
            f"PostgreSQL {db_cpu / done * 1000:.1f} ms, "
            f"this client {client_cpu / done * 1000:.1f} ms; "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end"
        )
        print(
            f"{len(told)} registrations ({confirmed} confirmed of {CAPACITY} seats, "
            f"{len(rows) - confirmed} waitlisted) by {CLIENTS} clients in {elapsed:.1f}s "
            f"against gunicorn with {WORKERS} workers"
        )
        print(
            f"rush_per_s={per_s:.0f} errors={len(errors)} "
            f"overbooked={max(confirmed - CAPACITY, 0)} "
            f"wrong_position={wrong} missing={MEMBERS - len(told) - len(errors)} "
            f"p50_ms={p50:.0f} p95_ms={p95:.0f} "
            f"app_cpu_ms={app_cpu / done * 1000:.1f} db_cpu_ms={db_cpu / done * 1000:.1f}"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


if __name__ == "__main__":
    main()
