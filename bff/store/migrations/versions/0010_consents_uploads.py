"""consents and uploads: heirs' answers for inheritance items, and documents the law needs

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-07 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bff.store.crypto
import bff.store.models

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('heir_consents',
    sa.Column('id', BigId, nullable=False),
    sa.Column('application_id', BigId, nullable=False),
    sa.Column('heir_ref', sa.String(length=80), nullable=False),
    sa.Column('heir_name', bff.store.crypto.Encrypted(length=512), nullable=False),
    sa.Column('heir_id_hash', sa.String(length=64), nullable=False),
    sa.Column('heir_mobile', bff.store.crypto.Encrypted(length=512), nullable=True),
    sa.Column('heir_user_id', BigId, nullable=True),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('decision', sa.String(length=12), nullable=False),
    sa.Column('undertaking', sa.Boolean(), nullable=False),
    sa.Column('undertaking_version', sa.String(length=20), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('decided_at', bff.store.models.UtcDateTime(), nullable=True),
    sa.Column('decided_by_user_id', BigId, nullable=True),
    sa.Column('sms_sent_at', bff.store.models.UtcDateTime(), nullable=True),
    sa.Column('created_at', bff.store.models.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                            name=op.f('fk_heir_consents_application_id_applications')),
    sa.ForeignKeyConstraint(['heir_user_id'], ['users.id'], name=op.f('fk_heir_consents_heir_user_id_users')),
    sa.ForeignKeyConstraint(['decided_by_user_id'], ['users.id'],
                            name=op.f('fk_heir_consents_decided_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_heir_consents')),
    sa.UniqueConstraint('application_id', 'heir_ref', name='uq_heir_consents_application_heir')
    )
    op.create_index(op.f('ix_heir_consents_application_id'), 'heir_consents', ['application_id'])
    op.create_index(op.f('ix_heir_consents_heir_user_id'), 'heir_consents', ['heir_user_id'])
    op.create_index('ix_heir_consents_heir_id_hash_decision', 'heir_consents', ['heir_id_hash', 'decision'])
    op.create_index('ix_heir_consents_decision_deadline', 'heir_consents', ['decision', 'deadline'])
    op.create_table('uploads',
    sa.Column('id', BigId, nullable=False),
    sa.Column('application_id', BigId, nullable=False),
    sa.Column('case_id', BigId, nullable=True),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=80), nullable=False),
    sa.Column('wrapped_key', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by', BigId, nullable=False),
    sa.Column('scan_status', sa.String(length=12), nullable=False),
    sa.Column('created_at', bff.store.models.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_uploads_application_id_applications')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_uploads_case_id_cases')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_uploads_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_uploads_storage_key'))
    )
    op.create_index(op.f('ix_uploads_application_id'), 'uploads', ['application_id'])
    op.create_index(op.f('ix_uploads_case_id'), 'uploads', ['case_id'])


def downgrade() -> None:
    op.drop_table('uploads')
    op.drop_table('heir_consents')
