"""立案监督: supervision cases and their notices; the police cases of each matter

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('supervision_cases',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('correlation_id', sa.String(length=128), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('police_unit', sa.String(length=16), nullable=False),
    sa.Column('origin', sa.Enum('court_request', 'arrest_review', 'prosecution_review', 'own_initiative', name='origin', native_enum=False, length=32), nullable=False),
    sa.Column('referral_id', sa.String(length=64), nullable=True),
    sa.Column('source_id', sa.String(length=64), nullable=True),
    sa.Column('court_request', sa.JSON(), nullable=True),
    sa.Column('opened_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='supervisionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('notices', sa.JSON(), nullable=False),
    sa.Column('closed_at', liandong.persistence.types.UtcDateTime(), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_cases')),
    sa.UniqueConstraint('source_id', name=op.f('uq_supervision_cases_source_id'))
    )
    with op.batch_alter_table('supervision_cases', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_cases_matter', ['correlation_id'], unique=False)
        batch_op.create_index('ix_supervision_cases_unit_status', ['unit', 'status'], unique=False)

    op.create_table('police_cases',
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('correlation_id', sa.String(length=128), nullable=False),
    sa.Column('police_unit', sa.String(length=16), nullable=False),
    sa.Column('case_number', sa.String(length=64), nullable=False),
    sa.Column('suspects', sa.JSON(), nullable=False),
    sa.Column('opened_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_police_cases'))
    )
    with op.batch_alter_table('police_cases', schema=None) as batch_op:
        batch_op.create_index('ix_police_cases_matter', ['correlation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('police_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_police_cases_matter')
    op.drop_table('police_cases')
    with op.batch_alter_table('supervision_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_cases_unit_status')
        batch_op.drop_index('ix_supervision_cases_matter')
    op.drop_table('supervision_cases')
