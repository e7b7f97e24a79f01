"""the criminal side: public and private prosecutions; a police case's way to its end

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('trials',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.Enum('public', 'private', name='trialkind', native_enum=False, length=16), nullable=False),
    sa.Column('lead_id', sa.String(length=36), nullable=False),
    sa.Column('court_unit', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('received', 'option_explained', 'complaint_registered', 'accepted', 'rejected', 'judged', 'withdrawn', 'settled', name='trialstatus', native_enum=False, length=32), nullable=False),
    sa.Column('referral_id', sa.String(length=64), nullable=True),
    sa.Column('case_id', sa.String(length=64), nullable=True),
    sa.Column('review_id', sa.String(length=64), nullable=True),
    sa.Column('indictment', sa.JSON(), nullable=True),
    sa.Column('option_explained', sa.JSON(), nullable=True),
    sa.Column('complaint', sa.JSON(), nullable=True),
    sa.Column('defendants', sa.JSON(), nullable=False),
    sa.Column('received_at', liandong.persistence.types.UtcDateTime(), nullable=True),
    sa.Column('court_case_number', sa.String(length=64), nullable=True),
    sa.Column('accepted_at', liandong.persistence.types.UtcDateTime(), nullable=True),
    sa.Column('accepted_by', sa.String(length=64), nullable=True),
    sa.Column('rejection', sa.JSON(), nullable=True),
    sa.Column('hearings', sa.JSON(), nullable=False),
    sa.Column('judgment', sa.JSON(), nullable=True),
    sa.Column('closure', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trials')),
    sa.UniqueConstraint('review_id', name=op.f('uq_trials_review_id'))
    )
    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.create_index('ix_trials_lead', ['lead_id'], unique=False)
        batch_op.create_index('ix_trials_unit_status', ['court_unit', 'status'], unique=False)
    with op.batch_alter_table('police_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('milestones', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('police_cases', schema=None) as batch_op:
        batch_op.drop_column('milestones')
    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.drop_index('ix_trials_unit_status')
        batch_op.drop_index('ix_trials_lead')
    op.drop_table('trials')
