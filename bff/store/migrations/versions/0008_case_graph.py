"""case graph: what a case needs and consumes, its inputs and outputs, holds and when it was ready

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bff.store.models

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('dependents', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('consumes', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('inputs', bff.store.models.EncryptedJson(), nullable=True))
        batch_op.add_column(sa.Column('outputs', bff.store.models.EncryptedJson(), nullable=True))
        batch_op.add_column(sa.Column('hold', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('ready_at', bff.store.models.UtcDateTime(), nullable=True))
    # Cases submitted before the graph could start at once: they were ready when submitted.
    op.execute("UPDATE cases SET ready_at = created_at WHERE ready_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('ready_at')
        batch_op.drop_column('hold')
        batch_op.drop_column('outputs')
        batch_op.drop_column('inputs')
        batch_op.drop_column('consumes')
        batch_op.drop_column('dependents')
        batch_op.drop_column('needs')
