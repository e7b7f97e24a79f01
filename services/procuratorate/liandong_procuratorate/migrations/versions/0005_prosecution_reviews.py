"""prosecution reviews (审查起诉): transferred cases, returns, the decision, the judgment

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('prosecution_reviews',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('case_number', sa.String(length=64), nullable=False),
    sa.Column('referral_id', sa.String(length=64), nullable=True),
    sa.Column('correlation_id', sa.String(length=128), nullable=False),
    sa.Column('police_unit', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('defendants', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('investigation_log', sa.JSON(), nullable=False),
    sa.Column('transfer_number', sa.String(length=64), nullable=False),
    sa.Column('received_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.Column('status', sa.Enum('reviewing', 'returned', 'not_prosecuted', 'indicted', 'judged', name='prosecutionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('fast_track', sa.Boolean(), nullable=False),
    sa.Column('window_id', sa.String(length=36), nullable=True),
    sa.Column('returns', sa.JSON(), nullable=False),
    sa.Column('resubmissions', sa.JSON(), nullable=False),
    sa.Column('decision', sa.JSON(), nullable=True),
    sa.Column('performance', sa.JSON(), nullable=True),
    sa.Column('judgment', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prosecution_reviews')),
    sa.UniqueConstraint('case_id', name=op.f('uq_prosecution_reviews_case_id'))
    )
    with op.batch_alter_table('prosecution_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_prosecution_reviews_matter', ['correlation_id'], unique=False)
        batch_op.create_index('ix_prosecution_reviews_unit_status', ['unit', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('prosecution_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_prosecution_reviews_unit_status')
        batch_op.drop_index('ix_prosecution_reviews_matter')
    op.drop_table('prosecution_reviews')
