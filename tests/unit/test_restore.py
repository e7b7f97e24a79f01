"""Backup and restore of the embedded database (SQLite's online backup API) through the command line, and what a
restore leaves for the next start: a pending rewind, and the inbox's positions to rewind to."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from liandong import restore
from liandong.__main__ import main
from liandong.clock import ManualClock
from liandong.contracts import ReferralReceivedV1
from liandong.envelope import Envelope, ProducerRef
from liandong.persistence import migrations
from liandong.persistence.engine import create_engine, session_factory
from liandong.persistence.uow import SqlUnitOfWork, causing_event
from liandong_police.bootstrap import spec
from tests.support.outbox import no_translation
from tests.unit.conftest import migrated_sqlite

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def inbox_row(event_id: str, partition: int, offset: int) -> dict[str, object]:
    return {
        "consumer": "liandong.police",
        "event_id": event_id,
        "event_type": "court.referral.submitted",
        "correlation_id": "m1",
        "outcome": "applied",
        "received_at": NOW,
        "topic": "court.referrals",
        "partition": partition,
        "offset": offset,
    }


async def add_inbox(url: str, *rows: dict[str, object]) -> None:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            await session.execute(insert(spec().tables.inbox), list(rows))
            await session.commit()
    finally:
        await engine.dispose()


async def state(url: str) -> tuple[list[str], bool, dict[int, int]]:
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        tables = spec().tables
        async with sessions() as session:
            events = list(await session.scalars(select(tables.inbox.c.event_id).order_by(tables.inbox.c.event_id)))
        held = await restore.inbox_positions(sessions, tables, "liandong.police", "court.referrals", [0, 1, 2])
        return events, await restore.pending(sessions, tables), held
    finally:
        await engine.dispose()


def test_a_backup_restored_brings_the_database_back_and_leaves_a_rewind_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'police.db'}"
    monkeypatch.setenv("POLICE_DATABASE_URL", url)
    asyncio.run(migrations.upgrade_async(spec().migrations, url))
    asyncio.run(add_inbox(url, inbox_row("e1", 0, 4), inbox_row("e2", 1, 9)))
    backup = tmp_path / "police.backup"
    assert main(["backup", "--service", "police", "--out", str(backup)]) == 0

    asyncio.run(add_inbox(url, inbox_row("e3", 0, 5), inbox_row("e4", 2, 1)))  # applied after the backup
    assert asyncio.run(state(url)) == (["e1", "e2", "e3", "e4"], False, {0: 6, 1: 10, 2: 2})

    assert main(["restore", "--service", "police", "--from", str(backup)]) == 0
    events, pending, held = asyncio.run(state(url))
    assert events == ["e1", "e2"], "the database as it was at the backup"
    assert pending, "the next start rewinds the consumers"
    assert held == {0: 5, 1: 10}, "partition 0 goes back to the event after e1; partition 2 from its beginning"


def test_a_restore_from_a_file_not_there_is_refused_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'police.db'}"
    monkeypatch.setenv("POLICE_DATABASE_URL", url)
    asyncio.run(migrations.upgrade_async(spec().migrations, url))
    asyncio.run(add_inbox(url, inbox_row("e1", 0, 4)))
    assert main(["restore", "--service", "police", "--from", str(tmp_path / "missing.backup")]) == 2
    assert "no backup at" in capsys.readouterr().err
    assert asyncio.run(state(url)) == (["e1"], False, {0: 5})


async def test_an_event_emitted_while_another_is_applied_names_it_as_its_cause(tmp_path: Path) -> None:
    """What a consumer's unit of work emits carries the applied event as `causation_id`: the rewind after a restore
    applies that cause again, so the lost-acts report leaves such events out; staff acts name no cause."""
    url = await migrated_sqlite(spec(), tmp_path / "police.db")
    engine = create_engine(url)
    clock = ManualClock(NOW)
    try:
        sessions = session_factory(engine)

        def wrapped(referral_id: str) -> Envelope:
            receipt = ReferralReceivedV1(
                referral_id=referral_id,
                police_unit="421222",
                receipt_number="通城公（刑）受字〔2026〕1号",
                received_at=NOW,
                registered_by="tongcheng.investigator",
            )
            return Envelope.wrap(
                receipt,
                producer=ProducerRef(agency="police", unit="421222"),
                jurisdiction="421222",
                aggregate_id=referral_id,
                correlation_id="m1",
                occurred_at=NOW,
            )

        cause = uuid.uuid4()
        for referral_id, applying in (("r-caused", cause), ("r-staff", None)):
            token = causing_event.set(applying)
            try:
                async with SqlUnitOfWork(sessions, spec().tables, clock, no_translation) as uow:
                    uow.emit(wrapped(referral_id))
                    await uow.commit()
            finally:
                causing_event.reset(token)
        async with sessions() as session:
            rows = await session.scalars(select(spec().tables.outbox.c.envelope))
            causes = {e.aggregate_id: e.causation_id for e in (Envelope.model_validate_json(r) for r in rows)}
        assert causes == {"r-caused": cause, "r-staff": None}
    finally:
        await engine.dispose()
