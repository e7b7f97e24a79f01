"""arrest reviews: 提请批准逮捕书 received, decided per suspect, with the persons found involved

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('arrest_reviews',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('case_number', sa.String(length=64), nullable=False),
    sa.Column('referral_id', sa.String(length=64), nullable=True),
    sa.Column('correlation_id', sa.String(length=128), nullable=False),
    sa.Column('police_unit', sa.String(length=16), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('document_number', sa.String(length=64), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'decided', name='reviewstatus', native_enum=False, length=16), nullable=False),
    sa.Column('suspects', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('investigation_log', sa.JSON(), nullable=False),
    sa.Column('persons_involved', sa.JSON(), nullable=False),
    sa.Column('requested_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.Column('requested_by', sa.String(length=64), nullable=False),
    sa.Column('received_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrest_reviews')),
    sa.UniqueConstraint('request_id', name=op.f('uq_arrest_reviews_request_id'))
    )
    with op.batch_alter_table('arrest_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_arrest_reviews_case', ['case_id'], unique=False)
        batch_op.create_index('ix_arrest_reviews_unit_status', ['unit', 'status', 'received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('arrest_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_arrest_reviews_unit_status')
        batch_op.drop_index('ix_arrest_reviews_case')
    op.drop_table('arrest_reviews')
