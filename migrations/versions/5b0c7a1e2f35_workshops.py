"""workshops

Revision ID: 5b0c7a1e2f35
Revises: c25e4e7997bf
Create Date: 2026-11-23 13:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import ecommunity.database


# revision identifiers, used by Alembic.
revision = '5b0c7a1e2f35'
down_revision = 'c25e4e7997bf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workshop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('opens_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('country_quota', sa.Integer(), nullable=True),
    sa.Column('eligible_regions', sa.JSON(), nullable=False),
    sa.Column('eligible_countries', sa.JSON(), nullable=False),
    sa.Column('eligible_roles', sa.JSON(), nullable=False),
    sa.Column('approval_required', sa.Boolean(), nullable=False),
    sa.Column('working_languages', sa.JSON(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('next_rank', sa.Integer(), nullable=False),
    sa.Column('created_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_workshop_capacity_not_negative')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_workshop_closes_after_opening')),
    sa.CheckConstraint('country_quota IS NULL OR country_quota > 0', name=op.f('ck_workshop_quota_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_workshop_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop')),
    sa.UniqueConstraint('event_id', name=op.f('uq_workshop_event_id'))
    )
    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('queue_rank', sa.Integer(), nullable=False),
    sa.Column('rejection_reason', sa.String(length=500), nullable=False),
    sa.Column('travel_support', sa.Boolean(), nullable=False),
    sa.Column('visa_letter', sa.Boolean(), nullable=False),
    sa.Column('arrival_date', sa.Date(), nullable=True),
    sa.Column('departure_date', sa.Date(), nullable=True),
    sa.Column('dietary_needs', sa.String(length=300), nullable=False),
    sa.Column('material_language', sa.String(length=5), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', ecommunity.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'confirmed', 'waitlisted', 'rejected', 'withdrawn')", name=op.f('ck_registration_state_known')),
    sa.CheckConstraint('departure_date IS NULL OR arrival_date IS NULL OR departure_date >= arrival_date', name=op.f('ck_registration_departure_after_arrival')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user_account.id'], name=op.f('fk_registration_registered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_registration_user_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_registration_workshop_id_workshop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration'))
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index('ix_registration_user_id', ['user_id'], unique=False)
        batch_op.create_index('ix_registration_workshop_state_rank', ['workshop_id', 'state', 'queue_rank'], unique=False)
        batch_op.create_index('uq_registration_active', ['workshop_id', 'user_id'], unique=True, sqlite_where=sa.text("state IN ('pending', 'confirmed', 'waitlisted')"), postgresql_where=sa.text("state IN ('pending', 'confirmed', 'waitlisted')"))

    op.create_table('registration_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', ecommunity.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=False),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_registration_log_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_registration_log_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_registration_log_workshop_id_workshop'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_log'))
    )
    with op.batch_alter_table('registration_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_log_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_log_workshop_id'), ['workshop_id'], unique=False)



def downgrade():
    with op.batch_alter_table('registration_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_log_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_registration_log_registration_id'))

    op.drop_table('registration_log')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('uq_registration_active', sqlite_where=sa.text("state IN ('pending', 'confirmed', 'waitlisted')"), postgresql_where=sa.text("state IN ('pending', 'confirmed', 'waitlisted')"))
        batch_op.drop_index('ix_registration_workshop_state_rank')
        batch_op.drop_index('ix_registration_user_id')

    op.drop_table('registration')
    op.drop_table('workshop')
