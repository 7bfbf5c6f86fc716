"""The bench's own PostgreSQL databases: dropped and made anew, migrated, seeded."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from bench.seed import Scale, World, seed_world
from esp_registry import create_app
from esp_registry.extensions import db
from esp_registry.seeding import seed_reference

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def server_url() -> sa.URL:
    return sa.make_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER))


def database_url(name: str) -> str:
    return server_url().set(database=name).render_as_string(hide_password=False)


def recreate(name: str) -> str:
    admin = sa.create_engine(server_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_url(name)


def bench_app(url: str) -> Flask:
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WORKER_ENQUEUE": False,
            "RATELIMIT_ENABLED": False,
            "PUBLIC_BASE_URL": "http://127.0.0.1",
        }
    )


def build(name: str, scale: Scale) -> tuple[str, World, float]:
    """A fresh database `name`, migrated and seeded at `scale`; returns its URL, what was
    seeded and the seconds it took."""
    began = time.perf_counter()
    url = recreate(name)
    app = bench_app(url)
    with app.app_context():
        logging.disable(logging.INFO)  # alembic's line per migration, twice per run
        try:
            upgrade(directory=str(ROOT / "migrations"))
        finally:
            logging.disable(logging.NOTSET)
        seed_reference()
        world = seed_world(scale)
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return url, world, time.perf_counter() - began
