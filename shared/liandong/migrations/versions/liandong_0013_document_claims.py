"""documents announced to the other agencies, claimed with the events that carry them and fetched by digest; which
documents name a person's identity number in full

Revision ID: liandong_0013
Revises: liandong_0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from liandong.pii import shows_personal_numbers
from liandong.persistence.types import UtcDateTime

revision: str = 'liandong_0013'
down_revision: str | None = 'liandong_0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('documents') as batch:
        batch.add_column(sa.Column('announced', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch.add_column(sa.Column('personal', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    documents = sa.table('documents', sa.column('id', sa.String), sa.column('html', sa.Text), sa.column('personal'))
    connection = op.get_bind()
    for document_id, html in connection.execute(sa.select(documents.c.id, documents.c.html)).all():
        if shows_personal_numbers(html.encode()):
            connection.execute(documents.update().where(documents.c.id == document_id).values(personal=True))
    op.create_table(
        'document_claims',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('unit', sa.String(length=32), nullable=False),
        sa.Column('record_type', sa.String(length=64), nullable=False),
        sa.Column('record_id', sa.String(length=128), nullable=False),
        sa.Column('correlation_id', sa.String(length=128), nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('ref', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UtcDateTime(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('claimed_at', UtcDateTime(), nullable=False),
        sa.Column('fetched_at', UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_claims')),
    )
    op.create_index('ix_document_claims_due', 'document_claims', ['status', 'next_attempt_at'])
    op.create_index('ix_document_claims_matter', 'document_claims', ['correlation_id'])


def downgrade() -> None:
    op.drop_index('ix_document_claims_matter', table_name='document_claims')
    op.drop_index('ix_document_claims_due', table_name='document_claims')
    op.drop_table('document_claims')
    with op.batch_alter_table('documents') as batch:
        batch.drop_column('personal')
        batch.drop_column('announced')
