"""audit entries carry the digest of the row each act left (audit verify --rows); the read log of personal data

Revision ID: liandong_0011
Revises: liandong_0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from liandong.persistence.tables import BigId
from liandong.persistence.types import UtcDateTime

revision: str = 'liandong_0011'
down_revision: str | None = 'liandong_0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('row_digest', sa.String(length=200), nullable=True))
    op.create_table(
        'personal_data_reads',
        sa.Column('id', BigId, primary_key=True, autoincrement=True),
        sa.Column('at', UtcDateTime(), nullable=False),
        sa.Column('actor', sa.String(length=200), nullable=False),
        sa.Column('role', sa.String(length=64), nullable=False),
        sa.Column('unit', sa.String(length=32), nullable=False),
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('request_id', sa.String(length=128), nullable=True),
    )
    op.create_index('ix_personal_data_reads_unit_at', 'personal_data_reads', ['unit', 'at'])
    op.create_index('ix_personal_data_reads_actor_at', 'personal_data_reads', ['actor', 'at'])


def downgrade() -> None:
    op.drop_index('ix_personal_data_reads_actor_at', table_name='personal_data_reads')
    op.drop_index('ix_personal_data_reads_unit_at', table_name='personal_data_reads')
    op.drop_table('personal_data_reads')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('row_digest')
