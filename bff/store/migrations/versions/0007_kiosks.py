"""kiosks: enrolled hall kiosks and the hash of their device credential

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bff.store.models

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kiosks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('hall', sa.String(length=60), nullable=False),
    sa.Column('device_name', sa.String(length=40), nullable=False),
    sa.Column('credential_hash', sa.String(length=64), nullable=False),
    sa.Column('enrolled_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', bff.store.models.UtcDateTime(), nullable=False),
    sa.Column('revoked_at', bff.store.models.UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enrolled_by'], ['users.id'], name=op.f('fk_kiosks_enrolled_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosks')),
    sa.UniqueConstraint('credential_hash', name=op.f('uq_kiosks_credential_hash'))
    )


def downgrade() -> None:
    op.drop_table('kiosks')
