"""proposals awaiting the chief prosecutor (a non-prosecution, a notice to file: SPP Rules 365, 370, 561); the fast
track's terms (the plea, the agreement, the likely sentence: CPL 174, 222)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ('prosecution_reviews', 'supervision_cases'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('proposal', sa.JSON(), nullable=True))
    with op.batch_alter_table('prosecution_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fast_track_terms', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('prosecution_reviews', schema=None) as batch_op:
        batch_op.drop_column('fast_track_terms')
    for table in ('supervision_cases', 'prosecution_reviews'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('proposal')
