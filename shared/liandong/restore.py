"""A service's database backed up and restored (`python -m liandong backup|restore --service S`), and what a restore
asks of the consumer when the service starts again.

- **Backup**: PostgreSQL with `pg_dump` (custom format), SQLite with its online backup API; either while the service
  runs.
- **Restore** (the service stopped): `pg_restore --clean`, or SQLite's backup API into the database file; then the
  migrations of this code, and a row in `restores` that the next start reads.
- **Rewind**: the broker's committed offsets of the service's group are now ahead of its inbox (events applied after
  the backup are in the offsets but not in the database). While a restore is pending, each partition assigned to the
  consumer is moved back to the offset after the last event its inbox holds for that partition (the inbox records
  each applied event's topic, partition and offset), so those events are applied again; anything read twice is a
  duplicate the inbox drops. Outbox rows published after the backup are unpublished in the restored database, so the
  relay publishes them again under their own event ids, which every other agency's inbox drops as repeats.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liandong.aio import bounded
from liandong.envelope import Envelope
from liandong.messaging.kafka import KafkaConnection
from liandong.persistence.tables import CommonTables

log = logging.getLogger(__name__)


class RestoreError(RuntimeError):
    """A backup or restore that could not be made (a tool missing or failing, a file not there)."""


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise RestoreError("an in-memory SQLite database has nothing to back up")
    return Path(parsed.database)


def _libpq(url: str) -> str:
    """The database URL as pg_dump and pg_restore take it (postgresql://…, without the async driver)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _run(*command: str) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise RestoreError(f"{command[0]} is not installed (PostgreSQL's client tools)")
    process = await asyncio.create_subprocess_exec(
        tool, *command[1:], stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await process.communicate()
    if process.returncode != 0:
        raise RestoreError(f"{command[0]} failed ({process.returncode}): {err.decode(errors='replace').strip()[:2000]}")


async def backup(database_url: str, out: Path) -> Path:
    """A consistent copy of the database in `out`, taken while the service runs."""
    await asyncio.to_thread(out.parent.mkdir, parents=True, exist_ok=True)
    path = _sqlite_path(database_url)
    if path is not None:

        def copy() -> None:
            if not path.exists():
                raise RestoreError(f"no database at {path}")
            with sqlite3.connect(path) as source, sqlite3.connect(out) as target:
                source.backup(target)

        await asyncio.to_thread(copy)
    else:
        await _run("pg_dump", "--format=custom", "--no-owner", f"--file={out}", f"--dbname={_libpq(database_url)}")
    return out


async def restore(database_url: str, source: Path) -> None:
    """The database replaced by the backup in `source` (the service stopped)."""
    if not await asyncio.to_thread(source.exists):
        raise RestoreError(f"no backup at {source}")
    path = _sqlite_path(database_url)
    if path is not None:

        def copy() -> None:
            for stale in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                stale.unlink(missing_ok=True)
            with sqlite3.connect(source) as backup_file, sqlite3.connect(path) as target:
                backup_file.backup(target)

        await asyncio.to_thread(copy)
    else:
        await _run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq(database_url)}",
            str(source),
        )


async def mark_restored(
    sessions: async_sessionmaker[AsyncSession], tables: CommonTables, source: str, at: datetime
) -> None:
    """The restore recorded: the next start rewinds the consumers to what the inbox holds."""
    async with sessions() as session:
        await session.execute(insert(tables.restores).values(restored_at=at, source=source[:500]))
        await session.commit()


async def pending(sessions: async_sessionmaker[AsyncSession], tables: CommonTables) -> bool:
    """Whether a restore waits for its consumers' rewind."""
    restores = tables.restores
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(restores).where(restores.c.rewound_at.is_(None)))
    return bool(count)


async def inbox_positions(
    sessions: async_sessionmaker[AsyncSession], tables: CommonTables, consumer: str, topic: str, partitions: list[int]
) -> dict[int, int]:
    """For each partition, the offset after the last event the inbox holds of it for this consumer."""
    inbox = tables.inbox
    async with sessions() as session:
        rows = await session.execute(
            select(inbox.c.partition, func.max(inbox.c.offset))
            .where(inbox.c.consumer == consumer, inbox.c.topic == topic, inbox.c.partition.in_(partitions))
            .group_by(inbox.c.partition)
        )
        return {int(partition): int(offset) + 1 for partition, offset in rows if offset is not None}


async def mark_rewound(
    sessions: async_sessionmaker[AsyncSession], tables: CommonTables, at: datetime, note: str
) -> None:
    restores = tables.restores
    async with sessions() as session:
        await session.execute(
            update(restores).where(restores.c.rewound_at.is_(None)).values(rewound_at=at, rewind=note[:4000])
        )
        await session.commit()


async def acknowledge(
    sessions: async_sessionmaker[AsyncSession], tables: CommonTables, at: datetime, note: str
) -> bool:
    """The acts lost in the last restore re-entered (or judged not to need it): /healthz stops saying degraded."""
    restores = tables.restores
    async with sessions() as session:
        last = await session.scalar(select(func.max(restores.c.id)))
        if last is None:
            return False
        await session.execute(
            update(restores).where(restores.c.id == last).values(acknowledged_at=at, acknowledgement=note[:2000])
        )
        await session.commit()
    return True


async def latest(sessions: async_sessionmaker[AsyncSession], tables: CommonTables) -> dict[str, object]:
    """The last restore, for /healthz: whether its rewind is pending, and what moved."""
    restores = tables.restores
    async with sessions() as session:
        row = (await session.execute(select(restores).order_by(restores.c.id.desc()).limit(1))).first()
    if row is None:
        return {"pending": False, "restored_at": None, "rewound_at": None, "rewind": None, "lost": []}
    return {
        "pending": row.rewound_at is None,
        "restored_at": row.restored_at.isoformat(),
        "source": row.source,
        "rewound_at": row.rewound_at.isoformat() if row.rewound_at else None,
        "rewind": row.rewind,
        "lost": json.loads(row.lost) if row.lost else [],
        "lost_acknowledged_at": row.acknowledged_at.isoformat() if row.acknowledged_at else None,
    }


async def lost_acts(
    connection: KafkaConnection,
    sessions: async_sessionmaker[AsyncSession],
    tables: CommonTables,
    own_topics: list[str],
    *,
    margin_seconds: float = 60.0,
    timeout: float = 60.0,
) -> list[dict[str, Any]]:
    """The events on the service's own topics that its (restored) outbox does not hold — acts of its staff after the
    backup, which the other agencies have applied — read from a little before its newest published outbox row.
    Events caused by an event the service applied (`causation_id`) are not acts of its staff: the rewind applies
    their cause again; nor are the deadline events its tracker fires again from the restored windows."""
    outbox = tables.outbox
    async with sessions() as session:
        newest = await session.scalar(select(func.max(outbox.c.published_at)))
    since_ms = int((newest.timestamp() - margin_seconds) * 1000) if newest is not None else 0
    consumer = AIOKafkaConsumer(**connection.client_kwargs(), enable_auto_commit=False, group_id=None)
    await bounded(consumer.start(), timeout, "starting a reader of the service's own topics")
    found: list[Envelope] = []
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in own_topics
            for p in sorted(await bounded(_partitions(consumer, topic), timeout, f"the partitions of {topic}"))
        ]
        if not partitions:
            return []
        consumer.assign(partitions)
        starts = await bounded(consumer.offsets_for_times(dict.fromkeys(partitions, since_ms)), timeout, "offsets")
        ends = await bounded(consumer.end_offsets(partitions), timeout, "end offsets")
        reading = []
        for tp in partitions:
            start = starts.get(tp)
            if start is not None and start.offset < ends[tp]:
                consumer.seek(tp, start.offset)
                reading.append(tp)
        while reading:
            batches = await bounded(consumer.getmany(*reading, timeout_ms=1000), timeout, "reading own topics")
            for records in batches.values():
                for record in records:
                    try:
                        found.append(Envelope.from_bytes(record.value))
                    except ValueError:
                        continue  # not an event of this service's making: not an act it lost
            reading = [tp for tp in reading if await consumer.position(tp) < ends[tp]]
    finally:
        await consumer.stop()
    held: set[str] = set()
    ids = [str(e.event_id) for e in found]
    async with sessions() as session:
        for chunk in range(0, len(ids), 500):
            held |= set(
                await session.scalars(select(outbox.c.event_id).where(outbox.c.event_id.in_(ids[chunk : chunk + 500])))
            )
    return [
        {
            "event_id": str(e.event_id),
            "event_type": e.event_type,
            "correlation_id": e.correlation_id,
            "aggregate": f"{e.aggregate_type} {e.aggregate_id}",
            "occurred_at": e.occurred_at.isoformat(),
            "unit": e.producer.unit,
        }
        for e in found
        if str(e.event_id) not in held and e.causation_id is None and e.aggregate_type != "deadline"
    ]


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()


async def record_lost(
    sessions: async_sessionmaker[AsyncSession], tables: CommonTables, lost: list[dict[str, Any]]
) -> None:
    """The acts lost with the disk, kept with the last restore for /healthz and `restore --report`."""
    restores = tables.restores
    async with sessions() as session:
        last = await session.scalar(select(func.max(restores.c.id)))
        if last is not None:
            await session.execute(update(restores).where(restores.c.id == last).values(lost=json.dumps(lost)))
            await session.commit()


async def unreported(sessions: async_sessionmaker[AsyncSession], tables: CommonTables) -> bool:
    """Whether the last restore's lost acts are still to be looked for."""
    restores = tables.restores
    async with sessions() as session:
        row = (await session.execute(select(restores.c.lost).order_by(restores.c.id.desc()).limit(1))).first()
    return row is not None and row.lost is None
