"""HTTP load against 127.0.0.1 only: real sign-ins (CSRF token, session cookie), a page's
throughput and latency under a few concurrent clients (wrk, or threads when wrk is
missing), and the registration rush.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
POSITION = re.compile(r"(?:number|número) (\d+)")
PLACED = re.compile(r'class="flash (?:success|info)"')

# wrk prints this JSON line after its own summary (latency in microseconds).
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "bytes": %d, "p50": %f, "p95": %f, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
"""


class Browser:
    """One person's cookies against one server, as a browser keeps them."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, htmx: bool = False
    ) -> tuple[int, str, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    for morsel in SimpleCookie(value).values():
                        self.cookies[morsel.key] = morsel.value
            return response.status, text, dict(response.getheaders())
        finally:
            conn.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def csrf(self, path: str) -> str:
        status, text, _headers = self.request("GET", path)
        found = CSRF.search(text)
        if not found:
            raise RuntimeError(f"no CSRF token on {path} (HTTP {status})")
        return found.group(1)

    def sign_in(self, email: str, password: str) -> Browser:
        token = self.csrf("/signin")
        status, _text, _headers = self.request(
            "POST", "/signin", {"csrf_token": token, "email": email, "password": password}
        )
        if status != 302:
            raise RuntimeError(f"sign-in of {email} answered {status}")
        return self


@dataclass
class Load:
    """A page under load: requests/s and latency (ms) of the responses."""

    requests: int
    seconds: float
    p50: float
    p95: float
    errors: int
    tool: str

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def load(port: int, path: str, cookie: str, clients: int, seconds: float) -> Load:
    if shutil.which("wrk"):
        return _wrk(port, path, cookie, clients, seconds)
    return _threads(port, path, cookie, clients, seconds)


def _wrk(port: int, path: str, cookie: str, clients: int, seconds: float) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = ["wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{seconds:.0f}s"]
    command += ["--timeout", "60s", "-s", script.name, f"http://127.0.0.1:{port}{path}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        Path(script.name).unlink()
    figures = json.loads(out.strip().splitlines()[-1])
    return Load(
        figures["requests"],
        figures["seconds"],
        figures["p50"],
        figures["p95"],
        figures["errors"],
        "wrk",
    )


def _threads(port: int, path: str, cookie: str, clients: int, seconds: float) -> Load:
    """The fallback without wrk: `clients` threads, keep-alive connections, for `seconds`."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": cookie} if cookie else {}
        while time.perf_counter() < stop:
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok = False
            with lock:
                times.append((time.perf_counter() - began) * 1000)
                errors[0] += not ok
        conn.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(times) or [0.0]
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return Load(len(times), elapsed, statistics.median(ordered), p95, errors[0], "threads")


def drain(port: int, workers: int = 2) -> None:
    """Wait until the server has no request of an earlier load left (wrk stops sending at
    its deadline, but slow requests go on in the workers): one cheap request per worker
    at once comes back only when each worker has taken one."""

    def cheap(_: int) -> None:
        Browser(port).request("GET", "/verify")

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(cheap, range(workers)))


def solo_ms(port: int, path: str, cookie: str, runs: int = 3) -> float:
    """Median time of one request alone (no other load from the bench): of `runs`, or of
    fewer when they took two seconds already."""
    browser = Browser(port)
    browser.cookies = dict(part.split("=", 1) for part in cookie.split("; ") if "=" in part)
    times: list[float] = []
    while len(times) < runs and sum(times) < 2000:  # a page of seconds is timed once
        began = time.perf_counter()
        browser.request("GET", path)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


# ------------------------------------------------------------------------ the rush


@dataclass
class RushResult:
    attempts: int
    seconds: float
    statuses: dict[int, int] = field(default_factory=dict)
    told: dict[str, int | None] = field(default_factory=dict)  # e-mail -> waitlist position
    errors: int = 0

    @property
    def successes(self) -> int:
        return len(self.told)

    @property
    def rate(self) -> float:
        return self.successes / self.seconds if self.seconds else 0.0


def signed_in_browsers(
    port: int, emails: list[str], password: str, page: str, workers: int = 8
) -> list[tuple[str, Browser, str]]:
    """Everyone signed in and holding the CSRF token of the page they register on (signing
    in starts a new session, so the sign-in form's token no longer works), before any
    timing."""

    def one(email: str) -> tuple[str, Browser, str]:
        browser = Browser(port).sign_in(email, password)
        return email, browser, browser.csrf(page)

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, emails))


def rush(
    port: int, offering_id: int, people: list[tuple[str, Browser, str]], clients: int
) -> RushResult:
    """`clients` at once, each person presses Register once (htmx, as the page does)."""
    path = f"/offerings/{offering_id}/register"
    result = RushResult(attempts=len(people), seconds=0.0)
    lock = threading.Lock()

    def press(person: tuple[str, Browser, str]) -> None:
        email, browser, token = person
        try:
            status, text, _headers = browser.request("POST", path, {"csrf_token": token}, htmx=True)
        except (OSError, http.client.HTTPException):
            status, text = 0, ""
        with lock:
            result.statuses[status] = result.statuses.get(status, 0) + 1
            # Placed: the box's message is a success (a seat) or info (a waitlist place).
            if status == 200 and PLACED.search(text):
                found = POSITION.search(text)
                result.told[email] = int(found.group(1)) if found else None
            else:
                result.errors += 1

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(press, people))
    result.seconds = time.perf_counter() - began
    return result


def timed(fn: Callable[[], object]) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began
