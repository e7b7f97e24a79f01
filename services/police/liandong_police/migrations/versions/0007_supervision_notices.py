"""the procuratorate's supervision notices (立案监督) in the bureau's inbox

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('supervision_notices',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('supervision_id', sa.String(length=64), nullable=False),
    sa.Column('correlation_id', sa.String(length=128), nullable=False),
    sa.Column('police_unit', sa.String(length=16), nullable=False),
    sa.Column('referral_id', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.Enum('explanation_demand', 'filing_notice', 'correction_notice', 'reminder', name='noticekind', native_enum=False, length=32), nullable=False),
    sa.Column('document_number', sa.String(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('co_offender', sa.JSON(), nullable=True),
    sa.Column('concerns_notice_id', sa.String(length=64), nullable=True),
    sa.Column('case_id', sa.String(length=64), nullable=True),
    sa.Column('issued_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.Column('issued_by', sa.String(length=64), nullable=False),
    sa.Column('received_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.Column('status', sa.Enum('open', 'answered', 'received', name='noticestatus', native_enum=False, length=16), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=True),
    sa.Column('answered_at', liandong.persistence.types.UtcDateTime(), nullable=True),
    sa.Column('answered_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_notices'))
    )
    with op.batch_alter_table('supervision_notices', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_notices_unit_status', ['police_unit', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('supervision_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_notices_unit_status')
    op.drop_table('supervision_notices')
