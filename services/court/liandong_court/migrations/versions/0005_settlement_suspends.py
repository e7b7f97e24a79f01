"""a settlement suspends enforcement: the status it suspended, when, what was paid at opening; defaults

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_before_settlement', sa.Enum('open', 'not_suspected', 'notice_served', 'referred', 'received_by_police', 'filed', 'declined', 'withdrawn', 'settled', 'performed', name='leadstatus', native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('settled_at', liandong.persistence.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('amount_paid_at_opening', liandong.persistence.types.Money(), nullable=True))
    with op.batch_alter_table('settlements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('defaulted_at', liandong.persistence.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('default_reason', sa.Text(), nullable=True))
    # what the debtor had paid when the lead was opened: today's figure less the payments and settlements since
    op.execute(
        "UPDATE leads SET amount_paid_at_opening = amount_paid"
        " - COALESCE((SELECT SUM(p.amount) FROM payments p WHERE p.lead_id = leads.id), 0)"
        " - COALESCE((SELECT SUM(s.paid_now) FROM settlements s WHERE s.lead_id = leads.id), 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table('settlements', schema=None) as batch_op:
        batch_op.drop_column('default_reason')
        batch_op.drop_column('defaulted_at')
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_column('amount_paid_at_opening')
        batch_op.drop_column('settled_at')
        batch_op.drop_column('status_before_settlement')
