"""Spanish names of job families, programs and affiliates; "Getting Educated: Paraeducators"

The Spanish names of the seeded rows are filled by `flask seed reference` (run after every
upgrade); admins edit them on the reference data pages. A family whose name already
names the people gets "Getting Educated: Paraeducators", not "… Paraeducators Professionals".

Revision ID: 0016_polishb
Revises: 0015_roster_local_keys
Create Date: 2026-12-07 13:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_polishb'
down_revision = '0015_roster_local_keys'
branch_labels = None
depends_on = None

TABLES = (('job_families', 80), ('affiliates', 80), ('programs', 160))


def _names_people(name):
    # As esp_registry.reference_data.names_people when this migration was written.
    words = name.split()
    return bool(words) and words[-1].lower().endswith(('ors', 'ers', 'ians', 'ists'))


def upgrade():
    for table, length in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('name_es', sa.String(length=length), server_default='', nullable=False))

    bind = op.get_bind()
    families = bind.execute(sa.text('SELECT id, name FROM job_families')).all()
    for family_id, name in families:
        if _names_people(name):
            bind.execute(
                sa.text(
                    'UPDATE programs SET name = :new WHERE job_family_id = :id AND name = :old'
                    ' AND NOT EXISTS (SELECT 1 FROM programs AS p WHERE p.name = :new)'
                ),
                {'id': family_id, 'old': f'Getting Educated: {name} Professionals',
                 'new': f'Getting Educated: {name}'},
            )


def downgrade():
    bind = op.get_bind()
    families = bind.execute(sa.text('SELECT id, name FROM job_families')).all()
    for family_id, name in families:
        if _names_people(name):
            bind.execute(
                sa.text('UPDATE programs SET name = :old WHERE job_family_id = :id AND name = :new'),
                {'id': family_id, 'old': f'Getting Educated: {name} Professionals',
                 'new': f'Getting Educated: {name}'},
            )
    for table, _length in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('name_es')
