"""peer windows: the other agencies' windows of this agency's matters, kept from their deadline events

Revision ID: liandong_0005
Revises: liandong_0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = 'liandong_0005'
down_revision: str | None = 'liandong_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('peer_windows',
    sa.Column('deadline_id', sa.String(length=36), nullable=False),
    sa.Column('agency', sa.String(length=32), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('subject_type', sa.String(length=64), nullable=False),
    sa.Column('subject_id', sa.String(length=128), nullable=False),
    sa.Column('correlation_id', sa.String(length=128), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('started_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.Column('due_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.Column('met_at', liandong.persistence.types.UtcDateTime(), nullable=True),
    sa.Column('days_used', sa.Float(), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('breached_at', liandong.persistence.types.UtcDateTime(), nullable=True),
    sa.Column('cancelled_at', liandong.persistence.types.UtcDateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('updated_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('deadline_id', name=op.f('pk_peer_windows'))
    )
    with op.batch_alter_table('peer_windows', schema=None) as batch_op:
        batch_op.create_index('ix_peer_windows_matter', ['correlation_id', 'started_at'], unique=False)
        batch_op.create_index('ix_peer_windows_unit_state', ['unit', 'state', 'due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('peer_windows', schema=None) as batch_op:
        batch_op.drop_index('ix_peer_windows_unit_state')
        batch_op.drop_index('ix_peer_windows_matter')
    op.drop_table('peer_windows')
