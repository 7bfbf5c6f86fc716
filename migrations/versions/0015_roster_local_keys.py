"""Mentoring: each mentor's and request's local as the ranking compares it (local_key), so
suggestions are ranked in SQL

Revision ID: 0015_roster_local_keys
Revises: 0014_bench_indexes
Create Date: 2026-12-07 13:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_roster_local_keys"
down_revision = "0014_bench_indexes"
branch_labels = None
depends_on = None

TABLES = ("mentor_profiles", "mentoring_requests")


def local_key(local_name: str) -> str:
    """As esp_registry.mentoring.matching.local_key on the day of this migration."""
    return " ".join((local_name or "").casefold().split())


def upgrade():
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("local_key", sa.Text(), server_default="", nullable=False))
    connection = op.get_bind()
    for name in TABLES:
        table = sa.table(
            name, sa.column("id", sa.Integer), sa.column("local_name"), sa.column("local_key")
        )
        rows = connection.execute(sa.select(table.c.id, table.c.local_name)).all()
        updates = [{"row_id": i, "key": local_key(n)} for i, n in rows if local_key(n)]
        if updates:
            connection.execute(
                table.update()
                .where(table.c.id == sa.bindparam("row_id"))
                .values(local_key=sa.bindparam("key")),
                updates,
            )


def downgrade():
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column("local_key")
