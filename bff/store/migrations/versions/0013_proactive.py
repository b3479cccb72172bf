"""proactive service: life-event signals, offers, automatic grants, the resident's choices, feed cursors

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 23:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bff.store.crypto
import bff.store.models

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('life_signals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('signal_id', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('person_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id_number', bff.store.crypto.Encrypted(length=512), nullable=False),
    sa.Column('sequence', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('record', sa.String(length=60), nullable=True),
    sa.Column('age', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('offers', sa.Integer(), nullable=False),
    sa.Column('received_at', bff.store.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_life_signals')),
    sa.UniqueConstraint('source', 'signal_id', name='uq_life_signals_source_signal_id')
    )
    with op.batch_alter_table('life_signals', schema=None) as batch_op:
        batch_op.create_index('ix_life_signals_person_hash_sequence', ['person_hash', 'sequence'], unique=False)

    op.create_table('signal_cursors',
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('cursor', sa.String(length=200), nullable=True),
    sa.Column('polled_at', bff.store.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_signal_cursors'))
    )
    op.create_table('auto_grants',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('item', sa.String(length=60), nullable=False),
    sa.Column('department', sa.String(length=40), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('basis', sa.JSON(), nullable=False),
    sa.Column('signal_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_at', bff.store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('objection', bff.store.crypto.Encrypted(length=4096), nullable=True),
    sa.Column('objected_at', bff.store.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('review_outcome', sa.String(length=20), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=True),
    sa.Column('reviewed_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reviewed_at', bff.store.models.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_auto_grants_reviewed_by_users')),
    sa.ForeignKeyConstraint(['signal_id'], ['life_signals.id'], name=op.f('fk_auto_grants_signal_id_life_signals')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_auto_grants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auto_grants')),
    sa.UniqueConstraint('user_id', 'item', name='uq_auto_grants_user_id_item')
    )
    with op.batch_alter_table('auto_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auto_grants_department'), ['department'], unique=False)

    op.create_table('offers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('signal_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('bundle', sa.String(length=60), nullable=True),
    sa.Column('item', sa.String(length=60), nullable=True),
    sa.Column('recipient_hash', sa.String(length=64), nullable=False),
    sa.Column('recipient_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('subject_ref', sa.String(length=80), nullable=False),
    sa.Column('subject_name', bff.store.crypto.Encrypted(length=512), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('application_number', sa.String(length=32), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('created_at', bff.store.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', bff.store.models.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['users.id'], name=op.f('fk_offers_recipient_user_id_users')),
    sa.ForeignKeyConstraint(['signal_id'], ['life_signals.id'], name=op.f('fk_offers_signal_id_life_signals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers')),
    sa.UniqueConstraint('recipient_hash', 'kind', 'subject_ref', name='uq_offers_recipient_kind_subject')
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_recipient_hash'), ['recipient_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_recipient_user_id'), ['recipient_user_id'], unique=False)

    op.create_table('proactive_settings',
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('offers_off', sa.JSON(), nullable=False),
    sa.Column('automatic_items', sa.JSON(), nullable=False),
    sa.Column('updated_at', bff.store.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_proactive_settings_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_proactive_settings'))
    )


def downgrade() -> None:
    op.drop_table('proactive_settings')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offers_recipient_user_id'))
        batch_op.drop_index(batch_op.f('ix_offers_recipient_hash'))

    op.drop_table('offers')
    with op.batch_alter_table('auto_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auto_grants_department'))

    op.drop_table('auto_grants')
    op.drop_table('signal_cursors')
    with op.batch_alter_table('life_signals', schema=None) as batch_op:
        batch_op.drop_index('ix_life_signals_person_hash_sequence')

    op.drop_table('life_signals')
