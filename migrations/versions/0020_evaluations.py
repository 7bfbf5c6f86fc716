"""Evaluations: questions per program or offering, who answered (receipts) apart from the
anonymous answers

Revision ID: 0020_evaluations
Revises: 0019_outside
Create Date: 2026-12-07 16:01:58.589790

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_evaluations'
down_revision = '0019_outside'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('offering_id', sa.Integer(), nullable=True),
    sa.Column('required_for_certificate', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(program_id IS NULL) <> (offering_id IS NULL)', name=op.f('ck_evaluations_program_or_offering')),
    sa.ForeignKeyConstraint(['offering_id'], ['offerings.id'], name=op.f('fk_evaluations_offering_id_offerings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_evaluations_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_evaluations_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations')),
    sa.UniqueConstraint('offering_id', name=op.f('uq_evaluations_offering_id')),
    sa.UniqueConstraint('program_id', name=op.f('uq_evaluations_program_id'))
    )
    op.create_table('evaluation_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('rating', 'text', name='evaluation_question_kind', native_enum=False, create_constraint=True, length=6), nullable=False),
    sa.Column('prompt', sa.String(length=200), nullable=False),
    sa.Column('low_label', sa.String(length=60), nullable=False),
    sa.Column('high_label', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluation_questions_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_questions')),
    sa.UniqueConstraint('evaluation_id', 'position', name='uq_evaluation_question_position')
    )
    with op.batch_alter_table('evaluation_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_questions_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('evaluation_receipts',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluation_receipts_evaluation_id_evaluations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_evaluation_receipts_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_evaluation_receipts'))
    )
    with op.batch_alter_table('evaluation_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_receipts_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('evaluation_answers',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('offering_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.CheckConstraint('(rating IS NULL) <> (text IS NULL)', name=op.f('ck_evaluation_answers_rating_or_text')),
    sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 5)', name=op.f('ck_evaluation_answers_rating_range')),
    sa.ForeignKeyConstraint(['offering_id'], ['offerings.id'], name=op.f('fk_evaluation_answers_offering_id_offerings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['evaluation_questions.id'], name=op.f('fk_evaluation_answers_question_id_evaluation_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_answers')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('evaluation_answers', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_answers_offering_question', ['offering_id', 'question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_answers_question_id'), ['question_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evaluation_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_answers_question_id'))
        batch_op.drop_index('ix_evaluation_answers_offering_question')

    op.drop_table('evaluation_answers')
    with op.batch_alter_table('evaluation_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_receipts_evaluation_id'))

    op.drop_table('evaluation_receipts')
    with op.batch_alter_table('evaluation_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_questions_evaluation_id'))

    op.drop_table('evaluation_questions')
    op.drop_table('evaluations')
