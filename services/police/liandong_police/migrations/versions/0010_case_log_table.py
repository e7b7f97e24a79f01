"""a case's investigation log as a table of its own: an entry a row, appended, never rewritten; the entries of
every case are copied there in their order. The cases keep their log column (expand only: replicas of the previous
release read and write it while the release rolls out; it defaults to an empty log for the cases this release opens)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500  # cases read at a time
CASES = sa.table('cases', sa.column('id', sa.String), sa.column('log', sa.JSON))


def _instant(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def upgrade() -> None:
    case_log = op.create_table('case_log',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('collected_by', sa.String(length=64), nullable=False),
    sa.Column('collected_at', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_case_log')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_case_log_entry_id'))
    )
    op.create_index('ix_case_log_case_seq', 'case_log', ['case_id', 'seq'], unique=False)

    bind = op.get_bind()
    after = ''
    while True:  # case by case in id order, each log's entries in their order
        chunk = bind.execute(
            sa.select(CASES.c.id, CASES.c.log).where(CASES.c.id > after).order_by(CASES.c.id).limit(BATCH)
        ).all()
        rows = [
            {
                'case_id': case_id, 'entry_id': entry['entry_id'], 'kind': entry['kind'], 'summary': entry['summary'],
                'collected_by': entry['collected_by'], 'collected_at': entry['collected_at'],
                'recorded_at': _instant(entry['recorded_at']), 'evidence': list(entry.get('evidence') or []),
            }
            for case_id, log in chunk
            for entry in log or []
        ]
        if rows:
            op.bulk_insert(case_log, rows)
        if len(chunk) < BATCH:
            break
        after = chunk[-1][0]
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('log', existing_type=sa.JSON(), existing_nullable=False, server_default='[]')


def downgrade() -> None:
    case_log = sa.table(
        'case_log', sa.column('seq', sa.Integer), sa.column('case_id', sa.String), sa.column('entry_id', sa.String),
        sa.column('kind', sa.String), sa.column('summary', sa.Text), sa.column('collected_by', sa.String),
        sa.column('collected_at', sa.String), sa.column('recorded_at', liandong.persistence.types.UtcDateTime()),
        sa.column('evidence', sa.JSON),
    )
    bind = op.get_bind()
    logs: dict[str, list[dict[str, object]]] = {}
    for row in bind.execute(sa.select(case_log).order_by(case_log.c.case_id, case_log.c.seq)):
        logs.setdefault(row.case_id, []).append({
            'entry_id': row.entry_id, 'kind': row.kind, 'summary': row.summary, 'collected_by': row.collected_by,
            'collected_at': row.collected_at, 'recorded_at': row.recorded_at.isoformat(), 'evidence': row.evidence,
        })
    for case_id, log in logs.items():  # the entries recorded since the upgrade, back in the column
        bind.execute(sa.update(CASES).where(CASES.c.id == case_id).values(log=log))
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('log', existing_type=sa.JSON(), existing_nullable=False, server_default=None)
    op.drop_index('ix_case_log_case_seq', table_name='case_log')
    op.drop_table('case_log')
