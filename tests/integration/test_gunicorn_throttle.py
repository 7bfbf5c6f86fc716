"""Sign-in throttling holds across gunicorn's worker processes (issue 11, finding 5).

gunicorn with 3 workers and the production store (Redis): 30 wrong passwords for one
account give 10 refusals and 20 "too many attempts", not 30 refusals as three separate
in-memory counters would; another account from the same address signs in meanwhile.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis

from esp_registry.extensions import db
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis required but not reachable at {REDIS}: {error}")
        pytest.skip(f"Redis not reachable at {REDIS}")
    return REDIS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "gunicorn-test-secret",
        "WORKER_ENQUEUE": "0",
        "LOGIN_FAILURES_PER_ACCOUNT": "10 per 15 minutes",
        "LOGIN_FAILURES_PER_ADDRESS": "100 per 15 minutes",
        **extra,
    }


class Browser:
    """One visitor's cookie and CSRF token, over plain HTTP to 127.0.0.1."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""
        self.token = ""

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        payload = None
        if body is not None:
            payload = urlencode({"csrf_token": self.token, **body})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        page = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        found = CSRF.search(page)
        if found:
            self.token = found.group(1)
        conn.close()
        return response.status

    def sign_in(self, email: str, password: str) -> int:
        if not self.token:
            self.request("GET", "/signin")
        return self.request("POST", "/signin", {"email": email, "password": password})


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
    return subprocess.Popen(
        [*command, "--no-control-socket", "wsgi:app"],
        cwd=ROOT,  # so gunicorn reads the project's gunicorn.conf.py
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_until_serving(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start within 60 s")


def test_three_workers_share_one_count_of_failed_sign_ins(ctx, redis_url):
    factories.person("victim@example.org")
    factories.person("colleague@example.org")
    db.session.remove()
    prefix = f"esp-test-{uuid.uuid4().hex[:8]}"
    env = server_env(
        ctx.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=prefix,
    )
    port = free_port()
    server = start_gunicorn(env, port, workers=3)
    try:
        wait_until_serving(server, port)
        attacker = Browser(port)
        codes = [attacker.sign_in("victim@example.org", "wrong guess") for _ in range(30)]
        colleague = Browser(port).sign_in("colleague@example.org", factories.PASSWORD)
    finally:
        server.terminate()
        server.wait(timeout=30)
        store = redis.Redis.from_url(redis_url)
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
    assert codes.count(422) == 10, codes
    assert codes.count(429) == 20, codes
    assert colleague == 302


def test_several_workers_with_per_process_counters_refuse_to_start(ctx):
    env = server_env(ctx.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_STORAGE_URI="memory://")
    env.pop("REDIS_URL", None)
    server = start_gunicorn(env, free_port(), workers=3)
    try:
        _, stderr = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode != 0
    assert "need a shared store for sign-in throttling" in stderr.decode()
