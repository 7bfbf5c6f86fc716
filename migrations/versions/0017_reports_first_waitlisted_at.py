"""Reports: when a registration first joined the waitlist, kept after a promotion

Revision ID: 0017_reports
Revises: 0016_polishb
Create Date: 2026-12-07 13:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_reports'
down_revision = '0016_polishb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_waitlisted_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE registrations SET first_waitlisted_at = waitlisted_at WHERE waitlisted_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('first_waitlisted_at')
