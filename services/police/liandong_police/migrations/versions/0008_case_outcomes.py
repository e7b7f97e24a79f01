"""a case's way to its end: transfers for prosecution, returns, the procuratorate's decision, the judgment, the
withdrawal

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ('transfers', 'returns', 'prosecution', 'judgment', 'withdrawal')


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
