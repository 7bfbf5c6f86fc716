"""EXPLAIN ANALYZE every query the bench's pages run, at national scale (not part of
`make bench`): `python -m bench.explain [page name ...]`.

Seeds its own database (esp_bench_explain) once and keeps what it seeded in
instance/bench-explain.pickle; BENCH_EXPLAIN_RESEED=1 seeds again. Prints, per page, each
query's execution time and the plan lines that scan a table or sort, slowest first.
"""

from __future__ import annotations

import os
import pickle
import re
import sys
from typing import Any

import sqlalchemy as sa

from bench.database import ROOT, bench_app, build, database_url
from bench.run import PAGES, ROLES, signed_in_client
from bench.seed import FULL, World
from esp_registry.extensions import db

NAME = "esp_bench_explain"
KEPT = ROOT / "instance" / "bench-explain.pickle"
INTERESTING = re.compile(r"Seq Scan|Index|Sort|Bitmap|Hash Join|Nested Loop")


def world() -> World:
    if KEPT.exists() and not os.environ.get("BENCH_EXPLAIN_RESEED"):
        return pickle.loads(KEPT.read_bytes())  # our own file
    _url, seeded, seconds = build(NAME, FULL)
    KEPT.write_bytes(pickle.dumps(seeded))
    print(f"seeded {NAME} in {seconds:.0f} s")
    return seeded


def main(names: list[str]) -> None:
    seeded = world()
    app = bench_app(database_url(NAME))
    with app.app_context():
        engine = db.engine
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        captured.append((statement, parameters))

    clients = {r: signed_in_client(app, seeded.accounts[r], seeded.password) for r in ROLES}
    for page in PAGES:
        if names and page.name not in names:
            continue
        client = clients[page.role]
        client.get(page.path(seeded))  # warm-up
        sa.event.listen(engine, "before_cursor_execute", capture)
        status = client.get(page.path(seeded)).status_code
        sa.event.remove(engine, "before_cursor_execute", capture)
        statements, captured[:] = list(captured), []
        print(f"\n=== {page.name} ({page.path(seeded)}): HTTP {status}, {len(statements)} queries")
        plans = []
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters in statements:
                if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                lines = [row[0] for row in cursor.fetchall()]
                took = next(
                    (
                        float(m.group(1))
                        for m in map(re.compile(r"Execution Time: ([\d.]+)").search, lines)
                        if m
                    ),
                    0.0,
                )
                plans.append((took, statement, lines))
            raw.rollback()
        finally:
            raw.close()
        for took, statement, lines in sorted(plans, key=lambda p: -p[0]):
            print(f"--- {took:.2f} ms: {' '.join(statement.split())[:300]}")
            for line in lines:
                if INTERESTING.search(line):
                    print("    " + line.strip()[:200])
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
