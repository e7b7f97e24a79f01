"""where each applied event was read (topic, partition, offset), and the restores of the database from a backup

Revision ID: liandong_0014
Revises: liandong_0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from liandong.persistence.types import UtcDateTime

revision: str = 'liandong_0014'
down_revision: str | None = 'liandong_0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('inbox') as batch:
        batch.add_column(sa.Column('topic', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('partition', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('offset', sa.BigInteger(), nullable=True))
    op.create_index('ix_inbox_position', 'inbox', ['consumer', 'topic', 'partition', 'offset'])
    op.create_table(
        'restores',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('restored_at', UtcDateTime(), nullable=False),
        sa.Column('source', sa.String(length=500), nullable=False),
        sa.Column('rewound_at', UtcDateTime(), nullable=True),
        sa.Column('rewind', sa.Text(), nullable=True),
        sa.Column('lost', sa.Text(), nullable=True),
        sa.Column('acknowledged_at', UtcDateTime(), nullable=True),
        sa.Column('acknowledgement', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_restores')),
    )


def downgrade() -> None:
    op.drop_table('restores')
    op.drop_index('ix_inbox_position', table_name='inbox')
    with op.batch_alter_table('inbox') as batch:
        batch.drop_column('offset')
        batch.drop_column('partition')
        batch.drop_column('topic')
