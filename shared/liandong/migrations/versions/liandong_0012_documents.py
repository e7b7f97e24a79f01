"""the papers of each act (法律文书): numbered documents, their HTML and PDF, stored once with their digest

Revision ID: liandong_0012
Revises: liandong_0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from liandong.persistence.types import UtcDateTime

revision: str = 'liandong_0012'
down_revision: str | None = 'liandong_0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'documents',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=64), nullable=False),
        sa.Column('number', sa.String(length=128), nullable=False),
        sa.Column('agency', sa.String(length=16), nullable=False),
        sa.Column('issuer', sa.String(length=128), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('addressee', sa.String(length=255), nullable=False),
        sa.Column('record_type', sa.String(length=64), nullable=False),
        sa.Column('record_id', sa.String(length=128), nullable=False),
        sa.Column('correlation_id', sa.String(length=128), nullable=False),
        sa.Column('issued_at', UtcDateTime(), nullable=False),
        sa.Column('corrects', sa.String(length=36), nullable=True),
        sa.Column('origin', sa.String(length=16), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('html', sa.Text(), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
        sa.UniqueConstraint('number', name=op.f('uq_documents_number')),
        sa.UniqueConstraint('sha256', name=op.f('uq_documents_sha256')),
    )
    op.create_index('ix_documents_record', 'documents', ['record_type', 'record_id'])
    op.create_index('ix_documents_matter', 'documents', ['correlation_id', 'issued_at'])


def downgrade() -> None:
    op.drop_index('ix_documents_matter', table_name='documents')
    op.drop_index('ix_documents_record', table_name='documents')
    op.drop_table('documents')
