"""Indexes for national scale (issue 13): people by name (nationally and per affiliate),
registrations by status and age (the approvals queue), the mentoring queue and mentors'
load

Revision ID: 0014_bench_indexes
Revises: 0013
Create Date: 2026-12-07 13:05:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_bench_indexes'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_users_name', 'users', ['full_name', 'id'])
    op.create_index('ix_users_affiliate_name', 'users', ['affiliate_id', 'full_name', 'id'])
    op.create_index(
        'ix_registrations_status_created', 'registrations', ['status', 'created_at', 'id']
    )
    op.create_index(
        'ix_mentoring_requests_status_created', 'mentoring_requests', ['status', 'created_at', 'id']
    )
    op.create_index(
        'ix_mentoring_pairings_profile_status', 'mentoring_pairings', ['mentor_profile_id', 'status']
    )


def downgrade():
    op.drop_index('ix_mentoring_pairings_profile_status', table_name='mentoring_pairings')
    op.drop_index('ix_mentoring_requests_status_created', table_name='mentoring_requests')
    op.drop_index('ix_registrations_status_created', table_name='registrations')
    op.drop_index('ix_users_affiliate_name', table_name='users')
    op.drop_index('ix_users_name', table_name='users')
