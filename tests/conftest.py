"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from TEST_DATABASE_URL (a server we may create databases on); each test
run gets its own database, dropped at the end. Without a reachable server the PostgreSQL
half skips, unless REQUIRE_POSTGRES=1 turns that into a failure (as CI does).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.test import TestResponse

from esp_registry import create_app
from esp_registry import reference_data as ref
from esp_registry.badges.keys import generate_pem
from esp_registry.extensions import db, limiter
from esp_registry.seeding import seed_reference

BADGE_KEY = generate_pem()
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REFERENCE_TABLES = {"job_families", "affiliates", "programs", "alembic_version"}
REFERENCE_PROGRAMS = [slug for slug, _name, _text in ref.PROGRAMS] + [
    ref.getting_educated_slug(slug) for slug, _name, _text in ref.JOB_FAMILIES
]


def _postgres_server() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return url
    except Exception as error:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but not reachable at {url}: {error}")
        return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run on one database, which keeps `make test` within CI's time: the
    production one (PostgreSQL) when it is reachable, else SQLite. The database behaviour
    itself is tested on both by the integration tests. BROWSER_DATABASES=both runs both."""
    if os.environ.get("BROWSER_DATABASES") == "both":
        return
    browser = [item for item in items if item.get_closest_marker("browser")]
    if not browser:
        return
    keep = "postgresql" if _postgres_server() else "sqlite"
    dropped = [
        item
        for item in browser
        if getattr(item, "callspec", None) is not None
        and item.callspec.params.get("app", keep) != keep
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        gone = set(map(id, dropped))
        items[:] = [item for item in items if id(item) not in gone]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test run."""
    server = _postgres_server()
    if server is None:
        pytest.skip("PostgreSQL not reachable (set TEST_DATABASE_URL)")
    name = f"esp_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, hence its own database session, as in
    production; otherwise Flask would reuse the test body's context and its identity map."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_test_app(database_url: str, **extra: object) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "BADGE_SIGNING_KEY": BADGE_KEY,  # the tests' own, never instance/'s
            "SQLALCHEMY_DATABASE_URI": database_url,
            # Enough connections for the concurrency tests' threads on either database.
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_pre_ping": True,
                "pool_size": 30,
                "max_overflow": 40,
            },
            "PUBLIC_BASE_URL": "http://verify.test",
            "LOGIN_FAILURES_PER_ACCOUNT": "1000 per minute",
            "LOGIN_FAILURES_PER_ADDRESS": "1000 per minute",
            "SIGNUP_RATE_LIMIT": "1000 per minute",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "WORKER_ENQUEUE": False,  # no consumer in tests: they call deliver_due themselves
            # Uploads stay in this process (fsspec's memory file system), never on disk.
            "UPLOAD_STORAGE_URL": "memory://test-uploads",
            **extra,
        }
    )
    app.test_client_class = FreshContextClient
    return app


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The app on a migrated database of each kind, with reference data loaded once."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "test.db")
    else:
        url = request.getfixturevalue("postgres_url")
    application = make_test_app(url)
    with application.app_context():
        upgrade()  # the real migrations, not create_all: the schema under test is the shipped one
        seed_reference()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """A clean database (reference data kept) and an app context for the test body."""
    with app.app_context():
        _wipe()
        limiter.reset()
        yield app
        db.session.remove()


def _wipe() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        db.session.execute(sa.text("PRAGMA defer_foreign_keys=ON"))  # offerings refer to offerings
        for table in tables:
            db.session.execute(table.delete())
    # Programs a demo added (the required-trainings demo makes two): reference data only.
    programs = db.metadata.tables["programs"]
    db.session.execute(programs.delete().where(programs.c.slug.not_in(REFERENCE_PROGRAMS)))
    db.session.commit()


@pytest.fixture
def kept_reference(ctx: Flask) -> Iterator[None]:
    """Reference tables survive between tests (conftest keeps them): put them back as found."""
    tables = [db.metadata.tables[name] for name in ("job_families", "affiliates", "programs")]
    saved = {t.name: [dict(r._mapping) for r in db.session.execute(sa.select(t))] for t in tables}
    yield
    db.session.rollback()
    for table in tables:
        for row in saved[table.name]:
            db.session.execute(table.update().where(table.c.id == row["id"]).values(**row))
    db.session.commit()


@pytest.fixture
def client(ctx: Flask) -> FlaskClient:
    return ctx.test_client()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token of this client's session, read from a page as a browser would."""
    page = client.get("/verify").get_data(as_text=True)
    found = CSRF_RE.search(page) or re.search(r'"X-CSRFToken": "([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


class Actions:
    """What a person does, for tests that read like it."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def post(self, url: str, data: dict[str, object] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
        payload = {"csrf_token": csrf_token(self.client), **(data or {})}
        return self.client.post(url, data=payload, **kwargs)

    def sign_in(self, email: str, password: str = "correct horse battery"):  # type: ignore[no-untyped-def]
        return self.post("/signin", {"email": email, "password": password})

    def sign_out(self):  # type: ignore[no-untyped-def]
        return self.post("/signout")


@pytest.fixture
def actions(client: FlaskClient) -> Actions:
    return Actions(client)


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
