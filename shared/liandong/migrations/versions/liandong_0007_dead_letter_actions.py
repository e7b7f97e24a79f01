"""dead letter actions: each replay and discard of a dead letter, with who, when and why

Revision ID: liandong_0007
Revises: liandong_0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = 'liandong_0007'
down_revision: str | None = 'liandong_0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('dead_letter_actions',
    sa.Column('dlt_id', sa.String(length=300), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.Column('event_type', sa.String(length=120), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('dlt_id', name=op.f('pk_dead_letter_actions'))
    )


def downgrade() -> None:
    op.drop_table('dead_letter_actions')
