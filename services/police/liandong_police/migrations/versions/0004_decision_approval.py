"""filing and declining are proposed by an investigator and approved by a bureau head

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
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposal', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('proposed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('proposed_at', liandong.persistence.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('proposal_returned_note', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('proposal_returned_note')
        batch_op.drop_column('proposed_at')
        batch_op.drop_column('proposed_by')
        batch_op.drop_column('proposal')
