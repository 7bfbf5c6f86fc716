"""Digital badges: the personal e-mail a member's badges name instead of the account's

Revision ID: 0022_badges
Revises: 0021_required
Create Date: 2026-12-07 17:23:06.446110

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022_badges"
down_revision = "0021_required"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('badge_emails',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_badge_emails_email_lowercase')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_badge_emails_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_badge_emails'))
    )


def downgrade():
    op.drop_table('badge_emails')
