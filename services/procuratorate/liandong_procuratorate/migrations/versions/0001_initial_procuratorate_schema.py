"""initial procuratorate schema

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
    op.create_table('timeline',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('correlation_id', sa.String(length=128), nullable=False),
    sa.Column('event_type', sa.String(length=120), nullable=False),
    sa.Column('producer_agency', sa.String(length=32), nullable=False),
    sa.Column('producer_unit', sa.String(length=32), nullable=False),
    sa.Column('jurisdiction', sa.String(length=32), nullable=False),
    sa.Column('occurred_at', liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_timeline'))
    )
    with op.batch_alter_table('timeline', schema=None) as batch_op:
        batch_op.create_index('ix_timeline_jurisdiction', ['jurisdiction', 'occurred_at'], unique=False)
        batch_op.create_index('ix_timeline_matter', ['correlation_id', 'occurred_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('timeline', schema=None) as batch_op:
        batch_op.drop_index('ix_timeline_matter')
        batch_op.drop_index('ix_timeline_jurisdiction')

    op.drop_table('timeline')
