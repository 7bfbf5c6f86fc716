"""`make bench` (issue 13): the registry at national scale against a bare Flask floor.

1. Seeds the national data set (bench/seed.py) into its own PostgreSQL database, and one
   tenth of it into a second one.
2. At each scale, starts gunicorn (2 sync workers) on the registry and on the floor app
   (bench/floor.py) with the same settings and database, signs in for real as a member,
   a facilitator, an approver and a national admin, and loads every page with 4
   concurrent clients; prints per page its queries and bytes (counted in-process once),
   req/s, p50, p95, one request alone, and the ratio to the floor.
3. At full scale, the registration rush: 600 members signed in beforehand, 50 at once
   each press Register on an offering of 400 seats with a waitlist.
4. The growth from one tenth to full data, per page; then the certificate figures of
   bench/certificates.py. The last line sums up the run.

Only 127.0.0.1 is loaded; the servers stop on exit, Ctrl-C or error. Settings:
BENCH_DATABASE_URL (the server, default the test server), BENCH_SECONDS (per page,
default 5), BENCH_REDIS_URL (default redis://127.0.0.1:6379/11), BENCH_PORT (default 5110:
the app; +10 the floor, +20 and +30 at one tenth).
"""

from __future__ import annotations

import logging
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from bench import load
from bench.database import bench_app, build, server_url
from bench.seed import FULL, Scale, World
from esp_registry.accounts.models import User
from esp_registry.extensions import db
from esp_registry.registrations.models import Registration, RegistrationStatus

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CLIENTS = 4
FLOOR_PROBE = 2.0  # seconds of the floor's SELECT 1 before each page (the machine is shared)
RUSH_CLIENTS = 50
PORT = int(os.environ.get("BENCH_PORT", "5110"))
ROLES = ("member", "facilitator", "approver", "admin")


@dataclass(frozen=True)
class Page:
    name: str
    role: str
    path: Callable[[World], str]
    pdf: bool = False


PAGES = [
    Page("catalog", "member", lambda w: "/"),
    Page("job-family page", "member", lambda w: f"/job-families/{w.job_family_slug}"),
    Page("offering page", "member", lambda w: f"/offerings/{w.offering_id}"),
    Page("conference page", "member", lambda w: f"/offerings/{w.conference_id}"),
    Page("My trainings", "member", lambda w: "/my-trainings"),
    Page("transcript page", "member", lambda w: "/transcript"),
    Page("manage list", "admin", lambda w: "/manage"),
    Page("manage conference", "admin", lambda w: f"/manage/offerings/{w.conference_id}"),
    Page("approvals (approver)", "approver", lambda w: "/approvals"),
    Page("approvals (admin)", "admin", lambda w: "/approvals"),
    Page("LFT affiliate queue", "approver", lambda w: f"/lft/cycles/{w.lft_cycle_id}/queue"),
    Page("LFT national review", "admin", lambda w: f"/lft/cycles/{w.lft_cycle_id}/review"),
    Page("mentoring queue", "admin", lambda w: "/mentoring/requests"),
    Page("facilitator dashboard", "facilitator", lambda w: "/facilitate"),
    Page(
        "conference roster", "facilitator", lambda w: f"/sessions/{w.conference_session_id}/roster"
    ),
    Page(
        "certificate list", "admin", lambda w: f"/offerings/{w.certified_offering_id}/certificates"
    ),
    Page("people directory", "admin", lambda w: "/people"),
    Page("reference index", "admin", lambda w: "/admin/reference"),
    Page("reports", "admin", lambda w: "/reports"),
    Page("report: participation", "admin", lambda w: "/reports/participation"),
    Page("report: participation (approver)", "approver", lambda w: "/reports/participation"),
    Page("report: attendance", "admin", lambda w: "/reports/attendance"),
    Page("report: certificates", "admin", lambda w: "/reports/certificates"),
    Page("report: LFT pipeline", "admin", lambda w: "/reports/lft"),
    Page("report: mentoring", "admin", lambda w: "/reports/mentoring"),
    Page("overdue trainings (approver)", "approver", lambda w: "/required-trainings/overdue"),
    Page("overdue trainings (admin)", "admin", lambda w: "/required-trainings/overdue"),
    Page("transcript PDF", "member", lambda w: "/transcript.pdf", pdf=True),
    Page(
        "certificate PDF",
        "member",
        lambda w: f"/registrations/{w.member_registration_id}/certificate.pdf",
        pdf=True,
    ),
    Page(
        "sign-in sheet PDF",
        "facilitator",
        lambda w: f"/sessions/{w.sheet_session_id}/sign-in-sheet.pdf",
        pdf=True,
    ),
]


@dataclass
class Measure:
    page: Page
    status: int
    queries: int = 0
    bytes: int = 0
    solo: float = 0.0
    load: load.Load | None = None
    floor: load.Load | None = None  # SELECT 1 just before this page: the machine then

    @property
    def ratio(self) -> float:
        if not self.load or not self.floor or not self.load.rate:
            return float("inf")
        return self.floor.rate / self.load.rate

    @property
    def missing(self) -> bool:
        return self.status == 404


# ------------------------------------------------------------------------ servers


class Servers:
    """gunicorn processes this run started; all stopped on exit, error or Ctrl-C."""

    def __init__(self) -> None:
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, app: str, port: int, url: str) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(16),
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"),
            "RATELIMIT_KEY_PREFIX": f"esp-bench-{port}",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "WORKER_ENQUEUE": "0",
        }
        command = [GUNICORN, "--workers", "2", "--worker-class", "sync", "--no-control-socket"]
        command += ["--bind", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning"]
        process = subprocess.Popen([*command, app], cwd=ROOT, env=env, start_new_session=True)
        self.running.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {app} on {port} exited with {process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn {app} on {port} did not start")

    def stop(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()


@contextmanager
def serving(url: str, port: int) -> Iterator[None]:
    servers = Servers()
    try:
        servers.start("wsgi:app", port, url)
        servers.start("bench.floor:app", port + 10, url)
        yield
    finally:
        servers.stop()


# ------------------------------------------------------------------------ measuring


def signed_in_client(app: Flask, email: str, password: str) -> FlaskClient:
    client = app.test_client()
    token = load.CSRF.search(client.get("/signin").text)
    assert token, "no CSRF token on the sign-in page"
    response = client.post(
        "/signin", data={"csrf_token": token.group(1), "email": email, "password": password}
    )
    assert response.status_code == 302, f"in-process sign-in of {email}: {response.status_code}"
    return client


def count_in_process(url: str, world: World) -> dict[str, Measure]:
    """Queries and bytes of each page, as the second request finds them (one warm-up)."""
    app = bench_app(url)
    measures: dict[str, Measure] = {}
    with app.app_context():  # not kept: each request has its own context, as when served
        engine = db.engine
    executed = [0]

    def count(*_args: object) -> None:
        executed[0] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    clients = {r: signed_in_client(app, world.accounts[r], world.password) for r in ROLES}
    for page in PAGES:
        client = clients[page.role]
        client.get(page.path(world))
        executed[0] = 0
        response = client.get(page.path(world))
        measures[page.name] = Measure(page, response.status_code, executed[0], len(response.data))
    sa.event.remove(engine, "before_cursor_execute", count)
    engine.dispose()
    return measures


def measure_scale(
    label: str, url: str, world: World, port: int
) -> tuple[dict[str, Measure], float]:
    """Every page of this scale under load; returns the measures and the floor's req/s."""
    measures = count_in_process(url, world)
    with serving(url, port):
        hello = load.load(port + 10, "/hello", "", CLIENTS, SECONDS)
        floor = load.load(port + 10, "/select", "", CLIENTS, SECONDS)
        print(
            f"\n[{label}] floor (bare Flask, same gunicorn settings, {CLIENTS} clients, "
            f"{floor.tool}): hello {hello.rate:,.0f} req/s p50 {hello.p50:.1f} ms; "
            f"SELECT 1 {floor.rate:,.0f} req/s p50 {floor.p50:.1f} ms p95 {floor.p95:.1f} ms"
        )
        cookies = {
            r: load.Browser(port).sign_in(world.accounts[r], world.password).cookie_header()
            for r in ROLES
        }
        print(
            f"{'page':<22} {'as':<11} {'HTTP':>4} {'queries':>7} {'bytes':>9} {'req/s':>7} "
            f"{'p50 ms':>8} {'p95 ms':>8} {'alone ms':>8} {'x floor':>8}"
        )
        for page in PAGES:
            m = measures[page.name]
            if m.missing:
                print(f"{page.name:<22} {page.role:<11} missing (404): skipped")
                continue
            path, cookie = page.path(world), cookies[page.role]
            load.drain(port)  # the previous page's slow requests, still in the workers
            m.solo = load.solo_ms(port, path, cookie)
            # A slow page gets long enough for a few responses per client (at most 30 s).
            seconds = max(SECONDS, min(30.0, 6 * m.solo / 1000))
            m.floor = load.load(port + 10, "/select", "", CLIENTS, FLOOR_PROBE)
            m.load = load.load(port, path, cookie, CLIENTS, seconds)
            errors = f"  {m.load.errors} errors" if m.load.errors else ""
            if not m.load.requests:
                errors += f"  no response within {seconds:.0f} s"
            print(
                f"{page.name:<22} {page.role:<11} {m.status:>4} {m.queries:>7} {m.bytes:>9,} "
                f"{m.load.rate:>7.1f} {m.load.p50:>8.1f} {m.load.p95:>8.1f} {m.solo:>8.1f} "
                f"{m.ratio:>8.1f}{errors}",
                flush=True,
            )
        if label == "full":
            load.drain(port)
            measures["_rush"] = run_rush(url, world, port)  # type: ignore[assignment]
    return measures, floor.rate


@dataclass
class RushFigures:
    rate: float
    errors: int
    overbooked: int
    positions_wrong: int


def run_rush(url: str, world: World, port: int) -> RushFigures:
    began = time.perf_counter()
    page = f"/offerings/{world.rush_offering_id}"
    people = load.signed_in_browsers(port, world.rush_emails, world.password, page)
    print(
        f"\nregistration rush: {len(people)} members signed in beforehand "
        f"({time.perf_counter() - began:.0f} s, not timed); capacity "
        f"{world.scale.rush_capacity}, waitlist on; {RUSH_CLIENTS} concurrent clients"
    )
    result = load.rush(port, world.rush_offering_id, people, RUSH_CLIENTS)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        confirmed = conn.scalar(
            sa.select(sa.func.count()).where(
                Registration.offering_id == world.rush_offering_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
        position = sa.func.row_number().over(order_by=(Registration.waitlisted_at, Registration.id))
        stored = dict(
            conn.execute(
                sa.select(User.email, position)
                .join(User, User.id == Registration.user_id)
                .where(
                    Registration.offering_id == world.rush_offering_id,
                    Registration.status == RegistrationStatus.WAITLISTED,
                )
            ).all()
        )
    engine.dispose()
    wrong = sum(1 for email, told in result.told.items() if stored.get(email) != told)
    told_waitlisted = sum(1 for told in result.told.values() if told is not None)
    overbooked = max(0, (confirmed or 0) - world.scale.rush_capacity)
    print(
        f"  {result.successes} registered in {result.seconds:.2f} s = {result.rate:.1f} "
        f"registrations/s; errors {result.errors} (HTTP {result.statuses}); confirmed "
        f"{confirmed} of {world.scale.rush_capacity} (overbooked {overbooked}); waitlist "
        f"{len(stored)}; {told_waitlisted} told a waitlist position, {wrong} of "
        f"{len(result.told)} told otherwise than stored"
    )
    return RushFigures(result.rate, result.errors, overbooked, wrong)


def print_growth(full: dict[str, Measure], tenth: dict[str, Measure]) -> dict[str, float]:
    print(
        "\ngrowth from one tenth to full data: p50 full / p50 tenth; the same of 'x floor' "
        "(less sensitive to what else the machine does); queries; bytes"
    )
    print(f"{'page':<22} {'p50 x':>6} {'floor x':>7} {'queries tenth->full':>20} {'bytes x':>8}")
    growth: dict[str, float] = {}
    for page in PAGES:
        big, small = full[page.name], tenth[page.name]
        if big.missing or not big.load or not small.load:
            continue
        answered = big.load.requests and small.load.requests
        growth[page.name] = big.load.p50 / small.load.p50 if answered else float("inf")
        print(
            f"{page.name:<22} {growth[page.name]:>6.2f} {big.ratio / small.ratio:>7.2f} "
            f"{f'{small.queries} -> {big.queries}':>20} {big.bytes / max(small.bytes, 1):>8.2f}"
        )
    return growth


def certificates_figures() -> dict[str, float]:
    """bench/certificates.py (`make bench-certificates`) on the same PostgreSQL server; its
    raw-WeasyPrint bulk floor only with BENCH_CERT_FLOOR=1 (minutes on a busy machine)."""
    os.environ.setdefault("TEST_DATABASE_URL", server_url().render_as_string(hide_password=False))
    from bench import certificates

    print("\ncertificates (bench/certificates.py):", flush=True)
    logging.disable(logging.INFO)  # alembic's line per migration
    try:
        return certificates.main(bulk_floor=os.environ.get("BENCH_CERT_FLOOR") == "1")
    finally:
        logging.disable(logging.NOTSET)


def registrations_csv_figures(url: str, world: World) -> dict[str, float]:
    """The largest export, all registrations as CSV, streamed in-process by the admin:
    rows per second and how much the process grew while streaming (flat if it streams)."""
    app = bench_app(url)
    client = signed_in_client(app, world.accounts["admin"], world.password)
    grew_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get("/reports/registrations.csv?year_from=2000&year_to=2100", buffered=False)
    rows = sum(chunk.count(b"\n") for chunk in response.response) - 1
    seconds = time.perf_counter() - started
    grew_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - grew_before
    response.close()
    print(
        f"\nregistrations CSV: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s, "
        f"peak memory grew {grew_kb / 1024:.0f} MB",
        flush=True,
    )
    return {
        "csv_rows_per_s": rows / seconds,
        "csv_rows": float(rows),
        "csv_grew_mb": grew_kb / 1024,
    }


def worst(values: dict[str, float]) -> tuple[str, float]:
    name = max(values, key=lambda k: values[k])
    return name, values[name]


def main() -> None:
    def interrupted(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    started = time.perf_counter()
    print(f"make bench: PostgreSQL {server_url().host}:{server_url().port}, {os.cpu_count()} cores")
    print(
        "Columns: queries and bytes of one request counted in-process (after a warm-up); "
        f"req/s, p50, p95 under {CLIENTS} concurrent clients for {SECONDS:.0f} s (slow "
        "pages: 6x one request, at most 30 s) against "
        "gunicorn (2 sync workers); 'alone ms' = median of 3 requests one at a time; "
        "'x floor' = req/s of the floor's SELECT 1 route (measured for 2 s just before the "
        "page) / the page's req/s: how many times slower than a bare Flask route doing one "
        "query on the same database."
    )
    built: dict[str, tuple[str, World]] = {}
    for name, scale in (("full", FULL), ("tenth", FULL.tenth())):
        url, world, seconds = build(f"esp_bench_{name}" if name != "full" else "esp_bench", scale)
        built[name] = (url, world)
        print(f"seeded {name}: {describe(scale, world)} in {seconds:.0f} s", flush=True)

    results = {}
    for offset, name in enumerate(built):
        url, world = built[name]
        results[name], _floor = measure_scale(name, url, world, PORT + 20 * offset)
    rush: RushFigures = results["full"].pop("_rush")  # type: ignore[assignment]
    full, tenth = results["full"], results["tenth"]
    growth = print_growth(full, tenth)
    certificates = certificates_figures()
    export = registrations_csv_figures(*built["full"])

    html = [m for m in full.values() if not m.missing and not m.page.pdf and m.load]
    p95_page, p95 = worst({m.page.name: m.load.p95 for m in html})  # type: ignore[union-attr]
    q_page, queries = worst({m.page.name: float(m.queries) for m in html})
    b_page, size = worst({m.page.name: float(m.bytes) for m in html})
    g_page, grew = worst({k: v for k, v in growth.items() if not full[k].page.pdf})
    print(f"\nwhole run {time.perf_counter() - started:.0f} s")
    print(
        f"SUMMARY worst_p95_ms={p95:.0f} ({p95_page}) worst_growth={grew:.2f} ({g_page}) "
        f"worst_queries={queries:.0f} ({q_page}) max_html_kb={size / 1024:.0f} ({b_page}) "
        f"rush_regs_per_s={rush.rate:.0f} rush_errors={rush.errors} "
        f"overbooked={rush.overbooked} positions_wrong={rush.positions_wrong} "
        f"sheet_ms={full['sign-in sheet PDF'].solo:.0f} "
        f"transcript_ms={full['transcript PDF'].solo:.0f} "
        f"bulk_pages_per_s={certificates['bulk_pages_per_s']:.0f} "
        f"csv_rows_per_s={export['csv_rows_per_s']:.0f} csv_grew_mb={export['csv_grew_mb']:.0f}"
    )


def describe(scale: Scale, world: World) -> str:
    c = world.counts
    return (
        f"{c['users']:,} people, {c['offerings']:,} offerings, {c['registrations']:,} "
        f"registrations, {c['attendance']:,} attendance, {c['certificates']:,} certificates, "
        f"{c['lft_applications']:,} LFT applications, {c['mentoring_pairings']:,} pairings + "
        f"{scale.open_requests:,} open requests, {c['locals']:,} locals; conference "
        f"{scale.conference:,} + {scale.conference_waitlist} waitlisted"
    )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("\nmake bench: interrupted; servers stopped", file=sys.stderr)
        sys.exit(130)
