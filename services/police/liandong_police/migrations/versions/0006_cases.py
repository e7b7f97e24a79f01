"""criminal cases: one per filing, with suspects, the investigation log, detentions and arrest requests;
existing filings get their case

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _suspects(filed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """As liandong_police.domain.cases.suspects_from_filing does at a filing (copied: a migration stays as written)."""
    suspects = [{**s, "suspect_id": str(uuid.uuid4()), "custody": "free"} for s in filed]
    units = [s["suspect_id"] for s in suspects if s.get("kind") == "unit"]
    for s in suspects:
        s.setdefault("id_number", None)
        s["represents"] = units[0] if s.get("role") == "legal_representative" and len(units) == 1 else None
        if s.get("kind") == "unit":
            s["custody"] = None
    return suspects


def upgrade() -> None:
    cases = op.create_table('cases',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('referral_id', sa.String(length=36), nullable=True),
    sa.Column('correlation_id', sa.String(length=128), nullable=False),
    sa.Column('police_unit', sa.String(length=16), nullable=False),
    sa.Column('case_number', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('investigating', name='casestatus', native_enum=False, length=32), nullable=False),
    sa.Column('suspects', sa.JSON(), nullable=False),
    sa.Column('opened_at', liandong.persistence.types.UtcDateTime(), nullable=False),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('log', sa.JSON(), nullable=False),
    sa.Column('detentions', sa.JSON(), nullable=False),
    sa.Column('arrest_requests', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('referral_id', name=op.f('uq_cases_referral_id'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_correlation', ['correlation_id'], unique=False)
        batch_op.create_index('ix_cases_unit_opened', ['police_unit', 'opened_at'], unique=False)

    referrals = sa.table(
        'referrals',
        sa.column('id', sa.String), sa.column('lead_id', sa.String), sa.column('police_unit', sa.String),
        sa.column('status', sa.String), sa.column('case_id', sa.String), sa.column('case_number', sa.String),
        sa.column('filed_at', liandong.persistence.types.UtcDateTime()), sa.column('filed_by', sa.String),
        sa.column('filed_suspects', sa.JSON),
    )
    filed = op.get_bind().execute(
        sa.select(referrals).where(referrals.c.case_id.is_not(None), referrals.c.filed_at.is_not(None))
    ).all()
    if filed:
        op.bulk_insert(cases, [
            {
                'id': r.case_id, 'referral_id': r.id, 'correlation_id': r.lead_id, 'police_unit': r.police_unit,
                'case_number': r.case_number, 'status': 'investigating', 'suspects': _suspects(r.filed_suspects or []),
                'opened_at': r.filed_at, 'opened_by': r.filed_by or 'migration', 'log': [], 'detentions': [],
                'arrest_requests': [],
            }
            for r in filed
        ])


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_unit_opened')
        batch_op.drop_index('ix_cases_correlation')
    op.drop_table('cases')
