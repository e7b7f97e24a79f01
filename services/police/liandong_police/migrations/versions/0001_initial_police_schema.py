"""initial police schema

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
    op.create_table('referrals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('lead_id', sa.String(length=36), nullable=False),
    sa.Column('court_code', sa.String(length=16), nullable=False),
    sa.Column('court_unit', sa.String(length=16), nullable=False),
    sa.Column('police_unit', sa.String(length=16), nullable=False),
    sa.Column('enforcement_case_number', sa.String(length=64), nullable=False),
    sa.Column('enforcement_summary', sa.Text(), nullable=False),
    sa.Column('amount_owed', liandong.persistence.types.Money(), nullable=False),
    sa.Column('amount_paid', liandong.persistence.types.Money(), nullable=False),
    sa.Column('suspects', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('submitted_at', liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('arrived_at', liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('awaiting_registration', 'registered', name='referralstatus', native_enum=False, length=32), nullable=False),
    sa.Column('registered_at', liandong.persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('registered_by', sa.String(length=64), nullable=True),
    sa.Column('receipt_number', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('receipt_number', name=op.f('uq_referrals_receipt_number'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index('ix_referrals_unit_status', ['police_unit', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_unit_status')

    op.drop_table('referrals')
