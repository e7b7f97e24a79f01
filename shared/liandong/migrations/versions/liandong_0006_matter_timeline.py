"""the matter timeline: what each received event said, and lookups of a matter's events by correlation id

Revision ID: liandong_0006
Revises: liandong_0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = 'liandong_0006'
down_revision: str | None = 'liandong_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occurred_at', liandong.persistence.types.UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column('envelope', sa.Text(), nullable=True))
        batch_op.create_index('ix_inbox_correlation', ['correlation_id'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_correlation', ['correlation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_correlation')
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_correlation')
        batch_op.drop_column('envelope')
        batch_op.drop_column('occurred_at')
