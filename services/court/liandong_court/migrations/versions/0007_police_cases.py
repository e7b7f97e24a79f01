"""police cases of the court's matters, as the police and the procuratorate report them

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('police_cases',
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('lead_id', sa.String(length=36), nullable=False),
    sa.Column('police_unit', sa.String(length=16), nullable=False),
    sa.Column('referral_id', sa.String(length=64), nullable=True),
    sa.Column('case_number', sa.String(length=64), nullable=True),
    sa.Column('opened_at', liandong.persistence.types.UtcDateTime(), nullable=True),
    sa.Column('suspects', sa.JSON(), nullable=False),
    sa.Column('detentions', sa.JSON(), nullable=False),
    sa.Column('arrest_requests', sa.JSON(), nullable=False),
    sa.Column('decisions', sa.JSON(), nullable=False),
    sa.Column('executions', sa.JSON(), nullable=False),
    sa.Column('updated_at', liandong.persistence.types.UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_police_cases'))
    )
    with op.batch_alter_table('police_cases', schema=None) as batch_op:
        batch_op.create_index('ix_police_cases_lead', ['lead_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('police_cases', schema=None) as batch_op:
        batch_op.drop_index('ix_police_cases_lead')
    op.drop_table('police_cases')
