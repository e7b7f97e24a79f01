"""outbox: the unpublished rows in seq order (the relay's batch reads the front of this index)

Revision ID: liandong_0008
Revises: liandong_0007
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'liandong_0008'
down_revision: str | None = 'liandong_0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    unpublished = sa.text('published_at IS NULL')
    op.create_index(
        'ix_outbox_unpublished_seq',
        'outbox',
        ['seq'],
        unique=False,
        postgresql_where=unpublished,
        sqlite_where=unpublished,
    )


def downgrade() -> None:
    op.drop_index('ix_outbox_unpublished_seq', table_name='outbox')
