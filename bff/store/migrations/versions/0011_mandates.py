"""mandates: a resident's authorisation of a relative or community agent to act for them

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-07 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bff.store.models

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('mandates',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('principal_user_id', BIG_ID, nullable=False),
    sa.Column('agent_user_id', BIG_ID, nullable=True),
    sa.Column('agent_kind', sa.String(length=20), nullable=False),
    sa.Column('agent_ref', sa.String(length=80), nullable=True),
    sa.Column('agent_id_hash', sa.String(length=64), nullable=True),
    sa.Column('agent_name', sa.String(length=100), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=True),
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('bundle', sa.String(length=60), nullable=True),
    sa.Column('application_number', sa.String(length=32), nullable=True),
    sa.Column('expires_at', bff.store.models.UtcDateTime(), nullable=False),
    sa.Column('revoked_at', bff.store.models.UtcDateTime(), nullable=True),
    sa.Column('created_at', bff.store.models.UtcDateTime(), nullable=False),
    sa.Column('accepted_at', bff.store.models.UtcDateTime(), nullable=True),
    sa.CheckConstraint('(bundle IS NULL) <> (application_number IS NULL)', name=op.f('ck_mandates_one_target')),
    sa.ForeignKeyConstraint(['principal_user_id'], ['users.id'], name=op.f('fk_mandates_principal_user_id_users')),
    sa.ForeignKeyConstraint(['agent_user_id'], ['users.id'], name=op.f('fk_mandates_agent_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mandates'))
    )
    op.create_index(op.f('ix_mandates_principal_user_id'), 'mandates', ['principal_user_id'])
    op.create_index(op.f('ix_mandates_agent_id_hash'), 'mandates', ['agent_id_hash'])
    op.create_index('ix_mandates_agent_user_id_revoked_at', 'mandates', ['agent_user_id', 'revoked_at'])


def downgrade() -> None:
    op.drop_index('ix_mandates_agent_user_id_revoked_at', table_name='mandates')
    op.drop_index(op.f('ix_mandates_agent_id_hash'), table_name='mandates')
    op.drop_index(op.f('ix_mandates_principal_user_id'), table_name='mandates')
    op.drop_table('mandates')
