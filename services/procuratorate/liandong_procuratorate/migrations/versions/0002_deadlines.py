"""deadlines: the deadline tables, now created by the shared library's branch (liandong_0002)

This revision is kept so that databases created before the shared branch existed, whose history passed through it,
keep a continuous history; it changes nothing itself.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = 'liandong_0002'


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
