"""evaluations

Revision ID: 5e1d4a7c9b20
Revises: 5b0c7a1e2f35
Create Date: 2026-11-23 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import ecommunity.database


# revision identifiers, used by Alembic.
revision = '5e1d4a7c9b20'
down_revision = '5b0c7a1e2f35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('closes_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_at', ecommunity.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', ecommunity.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name=op.f('ck_evaluation_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_evaluation_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_evaluation_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation')),
    sa.UniqueConstraint('event_id', name=op.f('uq_evaluation_event_id'))
    )
    op.create_table('evaluation_invitation',
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_invitation_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_evaluation_invitation_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('evaluation_id', 'user_id', name=op.f('pk_evaluation_invitation'))
    )
    with op.batch_alter_table('evaluation_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_invitation_user_id'), ['user_id'], unique=False)

    op.create_table('evaluation_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('submitted_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_response_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_evaluation_response_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_response')),
    sa.UniqueConstraint('evaluation_id', 'user_id', name='uq_evaluation_response_participant')
    )
    with op.batch_alter_table('evaluation_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_response_user_id'), ['user_id'], unique=False)

    op.create_table('evaluation_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('agenda_session_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('starts_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agenda_session_id'], ['event_session.id'], name=op.f('fk_evaluation_session_agenda_session_id_event_session'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_session_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_session'))
    )
    with op.batch_alter_table('evaluation_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_session_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('evaluation_topic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_fr', sa.String(length=200), nullable=False),
    sa.Column('title_es', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_topic_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_topic'))
    )
    with op.batch_alter_table('evaluation_topic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_topic_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('evaluation_assessment',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('level_before', sa.Integer(), nullable=False),
    sa.Column('level_after', sa.Integer(), nullable=False),
    sa.CheckConstraint('level_after BETWEEN 1 AND 5', name=op.f('ck_evaluation_assessment_after_in_range')),
    sa.CheckConstraint('level_before BETWEEN 1 AND 5', name=op.f('ck_evaluation_assessment_before_in_range')),
    sa.ForeignKeyConstraint(['response_id'], ['evaluation_response.id'], name=op.f('fk_evaluation_assessment_response_id_evaluation_response'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['evaluation_topic.id'], name=op.f('fk_evaluation_assessment_topic_id_evaluation_topic'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'topic_id', name=op.f('pk_evaluation_assessment'))
    )
    with op.batch_alter_table('evaluation_assessment', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_assessment_topic_id', ['topic_id'], unique=False)

    op.create_table('evaluation_rating',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_evaluation_rating_rating_in_range')),
    sa.ForeignKeyConstraint(['response_id'], ['evaluation_response.id'], name=op.f('fk_evaluation_rating_response_id_evaluation_response'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['evaluation_session.id'], name=op.f('fk_evaluation_rating_session_id_evaluation_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'session_id', name=op.f('pk_evaluation_rating'))
    )
    with op.batch_alter_table('evaluation_rating', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_rating_session_id', ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('evaluation_rating', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_rating_session_id')

    op.drop_table('evaluation_rating')
    with op.batch_alter_table('evaluation_assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_assessment_topic_id')

    op.drop_table('evaluation_assessment')
    with op.batch_alter_table('evaluation_topic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_topic_evaluation_id'))

    op.drop_table('evaluation_topic')
    with op.batch_alter_table('evaluation_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_session_evaluation_id'))

    op.drop_table('evaluation_session')
    with op.batch_alter_table('evaluation_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_response_user_id'))

    op.drop_table('evaluation_response')
    with op.batch_alter_table('evaluation_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_invitation_user_id'))

    op.drop_table('evaluation_invitation')
    op.drop_table('evaluation')
