"""a 立案 number names one case: unique case numbers in the register

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    shared = op.get_bind().execute(
        sa.text('SELECT case_number FROM cases GROUP BY case_number HAVING COUNT(*) > 1')
    ).scalars().all()
    if shared:
        raise RuntimeError(
            f'case numbers shared by several cases: {sorted(shared)}; give each case its own number (UPDATE cases '
            'SET case_number = ... WHERE id = ...) and run the migration again'
        )
    op.create_index('ux_cases_case_number', 'cases', ['case_number'], unique=True)


def downgrade() -> None:
    op.drop_index('ux_cases_case_number', table_name='cases')
