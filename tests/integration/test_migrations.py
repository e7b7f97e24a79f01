"""The common tables' history belongs to the shared library (branch `liandong`); each service's history depends on it.

A database made before the branch existed holds only its service revision in `alembic_version` ('0003' for the
court and the police, '0002' for the procuratorate) and the same schema (the revisions are the same DDL, moved). It
must upgrade as it stands, keep every row of every common table, and receive the common revisions added since
(counters, the account audit) and any later one, like a new database does.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, Table, func, insert, select, text

from liandong.persistence import migrations
from liandong.persistence.engine import create_engine
from liandong.persistence.tables import CommonTables
from liandong.runtime import ServiceSpec
from liandong_court.bootstrap import spec as court_spec
from liandong_police.bootstrap import spec as police_spec
from liandong_procuratorate.bootstrap import spec as procuratorate_spec

PRE_BRANCH_HEAD = {"court": "0003", "police": "0003", "procuratorate": "0002"}
NOW = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)

NEXT_COMMON_REVISION = '''
"""a later change to a common table (written by the test)"""
import sqlalchemy as sa
from alembic import op

revision = "liandong_9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("probe", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("probe")
'''


def common_rows(tables: CommonTables) -> dict[Table, dict[str, Any]]:
    deadline_id = str(uuid.uuid4())
    event_id = str(uuid.uuid4())
    return {
        tables.outbox: {
            "event_id": event_id,
            "topic": "court.referrals",
            "event_type": "court.referral.submitted",
            "aggregate_type": "referral",
            "aggregate_id": "r-1",
            "correlation_id": "lead-1",
            "envelope": "{}",
            "created_at": NOW,
            "next_attempt_at": NOW,
        },
        tables.inbox: {
            "consumer": "liandong.court",
            "event_id": event_id,
            "event_type": "police.referral.received",
            "correlation_id": "lead-1",
            "outcome": "applied",
            "received_at": NOW,
        },
        tables.idempotency_keys: {"scope": "someone", "key": "k-1", "fingerprint": "f" * 64, "created_at": NOW},
        tables.users: {
            "username": "tongcheng.clerk",
            "password_hash": "x",
            "display_name": "书记员",
            "role": "enforcement_officer",
            "unit": "421222",
            "created_at": NOW,
        },
        tables.deadlines: {
            "id": deadline_id,
            "kind": "police_filing_decision",
            "title": "t",
            "legal_basis": "b",
            "unit": "421222",
            "subject_type": "referral",
            "subject_id": "r-1",
            "correlation_id": "lead-1",
            "custody": False,
            "window": 7,
            "window_unit": "days",
            "period_started_at": NOW,
            "due_at": NOW,
            "rolled_forward": False,
            "warnings_hours": [48, 24],
            "state": "running",
            "created_at": NOW,
            "updated_at": NOW,
        },
        tables.deadline_stages: {
            "deadline_id": deadline_id,
            "generation": 0,
            "stage": "breached",
            "scheduled_at": NOW,
            "fired_at": NOW,
            "late": False,
            "event_id": event_id,
        },
        tables.deadline_history: {"deadline_id": deadline_id, "at": NOW, "action": "started", "detail": {}},
        tables.received_breaches: {
            "event_id": event_id,
            "agency": "police",
            "unit": "421222",
            "deadline_id": deadline_id,
            "kind": "police_filing_decision",
            "title": "t",
            "legal_basis": "b",
            "subject_type": "referral",
            "subject_id": "r-1",
            "correlation_id": "lead-1",
            "due_at": NOW,
            "fired_at": NOW,
            "late": False,
            "received_at": NOW,
        },
    }


def differences(connection: Connection, metadata: MetaData) -> list[Any]:
    """What the database has that the models do not, or the other way round (alembic's autogenerate comparison)."""
    context = MigrationContext.configure(
        connection, opts={"compare_type": False, "include_object": migrations.modelled}
    )
    return list(compare_metadata(context, metadata))


@pytest.mark.parametrize("make_spec", [court_spec, police_spec, procuratorate_spec], ids=lambda f: f.__name__)
async def test_a_database_from_before_the_shared_branch_upgrades_without_loss(
    database_url: str, tmp_path: Path, make_spec: Any
) -> None:
    spec: ServiceSpec = make_spec()
    # a database as the release before the shared branch left it: the service's history up to its last revision then
    # (which now reaches the shared revisions holding the same DDL through `depends_on`)
    await migrations.upgrade_async(spec.migrations, database_url, revision=PRE_BRANCH_HEAD[spec.agency])
    engine = create_engine(database_url)
    try:
        rows = common_rows(spec.tables)
        async with engine.begin() as conn:
            versions = set((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars())
            assert versions == {PRE_BRANCH_HEAD[spec.agency]}, "exactly what such a database holds"
            for table, row in rows.items():
                await conn.execute(insert(table).values(**row))

        # the shared library adds a revision to its branch; every service database receives it at start-up
        later = tmp_path / "later_versions"
        later.mkdir()
        config = migrations.alembic_config(spec.migrations, database_url)
        head = ScriptDirectory.from_config(config).get_revision(f"{migrations.COMMON_BRANCH}@head")
        assert head is not None
        (later / "liandong_9001_probe.py").write_text(NEXT_COMMON_REVISION.format(head=head.revision))
        config.set_main_option("version_locations", f"{config.get_main_option('version_locations')} {later}")
        await asyncio.to_thread(command.upgrade, config, "heads")

        async with engine.connect() as conn:
            versions = set((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars())
            service_heads = {h for h in migrations.heads(spec.migrations) if not h.startswith("liandong_")}
            assert versions == {*service_heads, "liandong_9001"}
            for table in rows:
                assert await conn.scalar(select(func.count()).select_from(table)) == 1, f"{table.name} kept its row"
            for table in (spec.tables.counters, spec.tables.account_audit):
                assert await conn.scalar(select(func.count()).select_from(table)) == 0, f"{table.name} was created"
            probe = await conn.scalar(select(text("probe")).select_from(spec.tables.users))
            assert probe is None, "the new column exists on the old rows"
            diffs = await conn.run_sync(differences, spec.metadata)
            assert [d for d in diffs if not (d[0] == "remove_column" and d[3].name == "probe")] == []

        # and again: nothing left to apply, nothing applied twice
        await asyncio.to_thread(command.upgrade, config, "heads")
    finally:
        await engine.dispose()


async def test_existing_filings_get_their_case(database_url: str) -> None:
    """Police revision 0006 opens a case for every referral filed before cases existed, with the filed suspects."""
    spec = police_spec()
    await migrations.upgrade_async(spec.migrations, database_url, revision="0005")
    engine = create_engine(database_url)
    referral = {
        "id": str(uuid.uuid4()),
        "lead_id": str(uuid.uuid4()),
        "letter_number": "(2025)鄂1224执移1号",
        "court_code": "鄂1224",
        "court_unit": "421224",
        "police_unit": "421224",
        "enforcement_case_number": "(2023)鄂1224执789号",
        "enforcement_summary": "拒不履行",
        "amount_owed": "1200000.00",
        "amount_paid": "0.00",
        "suspects": [{"name": "陈某某", "kind": "person", "role": "debtor"}],
        "evidence": [],
        "submitted_at": NOW,
        "arrived_at": NOW,
        "status": "filed",
        "case_id": str(uuid.uuid4()),
        "case_number": "421224公立〔2025〕00001号",
        "filed_at": NOW,
        "filed_by": "tongshan.head",
        "filed_suspects": [{"name": "陈某某", "kind": "person", "role": "debtor"}],
    }
    try:
        referrals = spec.metadata.tables["referrals"]
        async with engine.begin() as conn:
            await conn.execute(insert(referrals).values(**referral))
        await migrations.upgrade_async(spec.migrations, database_url)
        cases = spec.metadata.tables["cases"]
        async with engine.connect() as conn:
            (case,) = (await conn.execute(select(cases))).all()
    finally:
        await engine.dispose()
    assert (case.id, case.referral_id, case.correlation_id) == (
        referral["case_id"],
        referral["id"],
        referral["lead_id"],
    )
    assert case.case_number == referral["case_number"]
    assert case.opened_at == NOW
    assert [(s["name"], s["custody"]) for s in case.suspects] == [("陈某某", "free")]
    assert case.suspects[0]["suspect_id"]
    assert (case.detentions, case.arrest_requests) == ([], [])


async def logs_in_column(conn: Any) -> dict[str, Any]:
    rows = await conn.execute(text("SELECT id, log FROM cases"))
    return {row.id: row.log if isinstance(row.log, list) else json.loads(row.log) for row in rows}


async def test_case_logs_move_to_their_table_in_order_and_back(database_url: str) -> None:
    """Police revision 0010 copies each case's log, entry by entry in its order, from the case's JSON column into the
    log's own table — the time of collection as it was written, with its offset. The column stays, as it was, for the
    previous release's replicas (expand only; a case opened without it has an empty log there), and a downgrade puts
    the table's entries back in it."""
    spec = police_spec()
    await migrations.upgrade_async(spec.migrations, database_url, revision="0009")
    engine = create_engine(database_url)
    entries = [
        {
            "entry_id": str(uuid.uuid4()),
            "kind": kind,
            "summary": f"第{i}次调查",
            "collected_by": "tongshan.investigator",
            "collected_at": f"2025-10-{10 + i}T09:30:00+08:00",
            "recorded_at": datetime(2025, 10, 10 + i, 3, 0, tzinfo=UTC).isoformat(),
            "evidence": [f"材料{i}"] if i else [],
        }
        for i, kind in enumerate(("bank_records", "interview", "property_register"))
    ]
    ids = [str(uuid.uuid4()) for _ in range(2)]
    try:
        async with engine.begin() as conn:
            for n, (case_id, log) in enumerate(zip(ids, (entries, []), strict=True)):
                await conn.execute(
                    text(
                        "INSERT INTO cases (id, correlation_id, police_unit, case_number, status, suspects, opened_at,"
                        " opened_by, log, detentions, arrest_requests) VALUES (:id, :matter, '421224', :number,"
                        " 'investigating', '[]', :at, 'tongshan.head', :log, '[]', '[]')"
                    ),
                    {
                        "id": case_id,
                        "matter": f"lead-{n}",
                        "number": f"通山公（刑）立字〔2025〕{n + 1}号",
                        "at": NOW,
                        "log": json.dumps(log, ensure_ascii=False),
                    },
                )
        await migrations.upgrade_async(spec.migrations, database_url)
        log_table = spec.metadata.tables["case_log"]
        async with engine.connect() as conn:
            rows = (await conn.execute(select(log_table).order_by(log_table.c.seq))).all()
            kept = await logs_in_column(conn)
        assert kept == {ids[0]: entries, ids[1]: []}, "the column as the previous release reads it"
        assert [r.case_id for r in rows] == [ids[0]] * 3  # the empty log moved nothing
        assert [r.entry_id for r in rows] == [e["entry_id"] for e in entries]
        assert [r.collected_at for r in rows] == [e["collected_at"] for e in entries]
        assert [r.recorded_at for r in rows] == [datetime.fromisoformat(str(e["recorded_at"])) for e in entries]
        assert [r.evidence for r in rows] == [e["evidence"] for e in entries]

        await asyncio.to_thread(command.downgrade, migrations.alembic_config(spec.migrations, database_url), "0009")
        async with engine.connect() as conn:
            back = await logs_in_column(conn)
        assert back == {ids[0]: entries, ids[1]: []}
    finally:
        await engine.dispose()


def test_replicas_starting_together_migrate_one_new_database(postgres_url: str) -> None:
    """Four replicas' migrations started at once on a new PostgreSQL database (four processes, as four pods do) all
    succeed, and the lineage holds each revision once: the migration lock covers the lineage table too."""
    env = {**os.environ, "POLICE_DATABASE_URL": postgres_url, "POLICE_ENVIRONMENT": "test"}
    command_line = [sys.executable, "-m", "liandong", "migrations", "--service", "police", "upgrade"]
    runs = [subprocess.Popen(command_line, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(4)]
    outputs = [run.communicate(timeout=120)[0].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], outputs
    assert all("current:" in output for output in outputs), outputs

    async def recorded() -> list[str]:
        engine = create_engine(postgres_url)
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(text(f"SELECT revision FROM {migrations.LINEAGE_TABLE}"))).scalars())
        finally:
            await engine.dispose()

    revisions = asyncio.run(recorded())
    assert sorted(revisions) == sorted(migrations.lineage(police_spec().migrations))
