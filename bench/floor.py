"""The floor: a bare Flask app under the same gunicorn settings as the registry, on the same
database. `/hello` answers a constant; `/select` runs one `SELECT 1` through SQLAlchemy.
What the registry's pages cost is read against these, measured in the same run.

gunicorn bench.floor:app  (DATABASE_URL names the database)
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from esp_registry.config import database_url

app = Flask(__name__)
engine = sa.create_engine(database_url(app.instance_path), pool_pre_ping=True)


@app.get("/hello")
def hello() -> str:
    return "hello"


@app.get("/select")
def select() -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT 1")).scalar_one())
