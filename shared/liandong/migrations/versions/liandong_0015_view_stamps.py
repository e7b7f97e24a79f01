"""the stamps of what each kept answer was drawn from

Revision ID: liandong_0015
Revises: liandong_0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'liandong_0015'
down_revision: str | None = 'liandong_0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'view_stamps',
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('stamp', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_view_stamps')),
    )


def downgrade() -> None:
    op.drop_table('view_stamps')
