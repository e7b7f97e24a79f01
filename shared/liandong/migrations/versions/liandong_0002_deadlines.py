"""the deadline tables of the SLA trackers

Revision ID: liandong_0002
Revises: liandong_0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import liandong.persistence.types

revision: str = "liandong_0002"
down_revision: str | None = "liandong_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deadline_history",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("deadline_id", sa.String(length=36), nullable=False),
        sa.Column("at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_deadline_history")),
    )
    with op.batch_alter_table("deadline_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_history_deadline_id"), ["deadline_id"], unique=False)

    op.create_table(
        "deadline_stages",
        sa.Column("deadline_id", sa.String(length=36), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("scheduled_at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("fired_at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("deadline_id", "generation", "stage", name="pk_deadline_stages"),
    )
    op.create_table(
        "deadlines",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("subject_type", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("correlation_id", sa.String(length=128), nullable=False),
        sa.Column("custody", sa.Boolean(), nullable=False),
        sa.Column("window", sa.Integer(), nullable=False),
        sa.Column("window_unit", sa.String(length=8), nullable=False),
        sa.Column("extra_days", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("period_started_at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("due_at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("rolled_forward", sa.Boolean(), nullable=False),
        sa.Column("warnings_hours", sa.JSON(), nullable=False),
        sa.Column("generation", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("stage_index", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_fire_at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("extensions", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("restarts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("met_at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("breached_at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deadlines_due",
            ["next_fire_at"],
            unique=False,
            postgresql_where=sa.text("state = 'running'"),
            sqlite_where=sa.text("state = 'running'"),
        )
        batch_op.create_index("ix_deadlines_subject", ["subject_type", "subject_id"], unique=False)
        batch_op.create_index("ix_deadlines_unit_state", ["unit", "state", "due_at"], unique=False)
        batch_op.create_index(
            "uq_deadlines_running_subject",
            ["kind", "subject_type", "subject_id"],
            unique=True,
            postgresql_where=sa.text("state = 'running'"),
            sqlite_where=sa.text("state = 'running'"),
        )

    op.create_table(
        "received_breaches",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("deadline_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("subject_type", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("correlation_id", sa.String(length=128), nullable=False),
        sa.Column("due_at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("fired_at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("received_at", liandong.persistence.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_received_breaches")),
    )
    with op.batch_alter_table("received_breaches", schema=None) as batch_op:
        batch_op.create_index("ix_received_breaches_unit", ["unit", "fired_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("received_breaches", schema=None) as batch_op:
        batch_op.drop_index("ix_received_breaches_unit")

    op.drop_table("received_breaches")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_deadlines_running_subject",
            postgresql_where=sa.text("state = 'running'"),
            sqlite_where=sa.text("state = 'running'"),
        )
        batch_op.drop_index("ix_deadlines_unit_state")
        batch_op.drop_index("ix_deadlines_subject")
        batch_op.drop_index(
            "ix_deadlines_due", postgresql_where=sa.text("state = 'running'"), sqlite_where=sa.text("state = 'running'")
        )

    op.drop_table("deadlines")
    op.drop_table("deadline_stages")
    with op.batch_alter_table("deadline_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deadline_history_deadline_id"))

    op.drop_table("deadline_history")
