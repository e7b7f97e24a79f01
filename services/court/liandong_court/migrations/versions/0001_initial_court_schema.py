"""initial court schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
# the common tables come from the shared library's branch (liandong/migrations)
depends_on: str | Sequence[str] | None = 'liandong_0001'


def upgrade() -> None:
    op.create_table('leads',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('court_code', sa.String(length=16), nullable=False),
    sa.Column('enforcement_case_number', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Enum('case_screening', 'public_tip', name='leadsource', native_enum=False, length=32), nullable=False),
    sa.Column('suspects', sa.JSON(), nullable=False),
    sa.Column('amount_owed', liandong.persistence.types.Money(), nullable=False),
    sa.Column('amount_paid', liandong.persistence.types.Money(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'referred', 'received_by_police', name='leadstatus', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leads'))
    )
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index('ix_leads_case_number', ['enforcement_case_number'], unique=False)
        batch_op.create_index('ix_leads_unit_status', ['unit', 'status'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('lead_id', sa.String(length=36), nullable=False),
    sa.Column('court_unit', sa.String(length=16), nullable=False),
    sa.Column('police_unit', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'received', name='referralstatus', native_enum=False, length=32), nullable=False),
    sa.Column('submitted_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.Column('submitted_by', sa.String(length=64), nullable=False),
    sa.Column('received_at', liandong.persistence.types.UtcDateTime(), nullable=True),
    sa.Column('receipt_number', sa.String(length=64), nullable=True),
    sa.Column('received_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_referrals_lead_id_leads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_lead', ['lead_id'], unique=False)
        batch_op.create_index('ix_referrals_unit_status', ['court_unit', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_unit_status')
        batch_op.drop_index('ix_referrals_lead')

    op.drop_table('referrals')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_unit_status')
        batch_op.drop_index('ix_leads_case_number')

    op.drop_table('leads')
