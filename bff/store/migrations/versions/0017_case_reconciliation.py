"""case reconciliation: when a department was last asked for a case's status; cases by due date

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-07 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bff.store.models

revision = '0017'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch:
        batch.add_column(sa.Column('status_checked_at', bff.store.models.UtcDateTime(), nullable=True))
    op.create_index('ix_cases_due_on', 'cases', ['due_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cases_due_on', table_name='cases')
    with op.batch_alter_table('cases', schema=None) as batch:
        batch.drop_column('status_checked_at')
