"""catalog_snapshots: the catalog files of each version applications were submitted with

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bff.store.models

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('catalog_snapshots',
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('created_at', bff.store.models.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_catalog_snapshots'))
    )


def downgrade() -> None:
    op.drop_table('catalog_snapshots')
