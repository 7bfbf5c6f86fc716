"""A database of its own for one bench script's run, dropped afterwards: a fresh
PostgreSQL database on the server TEST_DATABASE_URL names, else a temporary SQLite file."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable

import sqlalchemy as sa

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def throwaway_database(
    prefix: str, *, require_postgres: bool = False
) -> tuple[str, Callable[[], None]]:
    """The new database's URL and the function that drops it."""
    server = os.environ.get("TEST_DATABASE_URL") or (DEFAULT_SERVER if require_postgres else "")
    if not server:
        folder = tempfile.mkdtemp(prefix=f"{prefix}-")
        return "sqlite:///" + os.path.join(folder, "bench.db"), lambda: None
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return sa.make_url(server).set(database=name).render_as_string(hide_password=False), drop
