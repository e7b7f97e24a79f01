"""a lead assessed not suspected can be reopened on new evidence: who, when and why

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
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reopened_at', liandong.persistence.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reopened_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reopen_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_column('reopen_reason')
        batch_op.drop_column('reopened_by')
        batch_op.drop_column('reopened_at')
