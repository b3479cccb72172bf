"""family: application members, one active application per (bundle, subject), an inbox entry per member

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bff.store.models

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

ACTIVE_SUBJECT_WHERE = "subject_ref IS NOT NULL AND subject_ref <> 'self' AND status NOT IN ('draft', 'withdrawn')"
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('application_members',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('application_id', BIG_ID, nullable=False),
    sa.Column('user_id', BIG_ID, nullable=True),
    sa.Column('invitee_hash', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=True),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('invited_by', BIG_ID, nullable=True),
    sa.Column('created_at', bff.store.models.UtcDateTime(), nullable=False),
    sa.Column('decided_at', bff.store.models.UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                            name=op.f('fk_application_members_application_id_applications')),
    sa.ForeignKeyConstraint(['invited_by'], ['users.id'], name=op.f('fk_application_members_invited_by_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_application_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_members')),
    sa.UniqueConstraint('application_id', 'invitee_hash', name='uq_application_members_application_invitee'),
    sa.UniqueConstraint('application_id', 'user_id', name='uq_application_members_application_user')
    )
    with op.batch_alter_table('application_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_members_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_members_invitee_hash'), ['invitee_hash'], unique=False)
        batch_op.create_index('ix_application_members_user_id_status', ['user_id', 'status'], unique=False)
    op.create_index('uq_applications_bundle_subject_active', 'applications', ['bundle', 'subject_ref'], unique=True,
                    postgresql_where=sa.text(ACTIVE_SUBJECT_WHERE), sqlite_where=sa.text(ACTIVE_SUBJECT_WHERE))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_notifications_event_id', type_='unique')
        batch_op.create_unique_constraint('uq_notifications_event_id_user_id', ['event_id', 'user_id'])


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_notifications_event_id_user_id', type_='unique')
        batch_op.create_unique_constraint('uq_notifications_event_id', ['event_id'])
    op.drop_index('uq_applications_bundle_subject_active', table_name='applications',
                  postgresql_where=sa.text(ACTIVE_SUBJECT_WHERE), sqlite_where=sa.text(ACTIVE_SUBJECT_WHERE))
    with op.batch_alter_table('application_members', schema=None) as batch_op:
        batch_op.drop_index('ix_application_members_user_id_status')
        batch_op.drop_index(batch_op.f('ix_application_members_invitee_hash'))
        batch_op.drop_index(batch_op.f('ix_application_members_application_id'))
    op.drop_table('application_members')
