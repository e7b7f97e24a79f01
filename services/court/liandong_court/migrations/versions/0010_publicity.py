"""publicity pieces and typical cases

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('publicity_pieces',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.Enum('tv', 'newspaper', 'weibo', 'wechat', 'douyin', 'website', name='channel', native_enum=False, length=16), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('link', sa.String(length=1000), nullable=True),
    sa.Column('lead_id', sa.String(length=36), nullable=True),
    sa.Column('recorded_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publicity_pieces'))
    )
    with op.batch_alter_table('publicity_pieces', schema=None) as batch_op:
        batch_op.create_index('ix_publicity_unit_day', ['unit', 'published_on'], unique=False)
    op.create_table('typical_cases',
    sa.Column('lead_id', sa.String(length=36), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('marked_on', sa.Date(), nullable=False),
    sa.Column('marked_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('lead_id', name=op.f('pk_typical_cases'))
    )


def downgrade() -> None:
    op.drop_table('typical_cases')
    with op.batch_alter_table('publicity_pieces', schema=None) as batch_op:
        batch_op.drop_index('ix_publicity_unit_day')
    op.drop_table('publicity_pieces')
