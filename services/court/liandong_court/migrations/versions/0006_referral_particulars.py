"""what a referral letter states beyond version 1: the 执行依据, the creditor, coercive measures taken, and the reason
for each evidence class not yet proved

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enforcement_basis', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('creditor', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('coercive_measures', sa.JSON(), nullable=True))
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('missing_evidence', sa.JSON(), nullable=True))
    op.execute("UPDATE leads SET coercive_measures = '[]'")


def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('missing_evidence')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_column('coercive_measures')
        batch_op.drop_column('creditor')
        batch_op.drop_column('enforcement_basis')
