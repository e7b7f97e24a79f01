"""Benchmark of the SLA tracker on PostgreSQL (`make bench-sla`).

1,000,000 open deadlines; then the cost of a tick when nothing is due, the time to fire 10,000 deadlines that fall
due together (with their outbox rows and audit entries), and memory — the peak of Python memory measured on a
second firing of 10,000 under tracemalloc, since tracing every allocation slows the firing it measures (three to
four times: 10-11 s instead of 2.7-3.1 s here). The database comes from LIANDONG_BENCH_DATABASE_URL (an admin
URL; a database is created in it) or from a private PostgreSQL cluster made with the local server binaries.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liandong import gc_pauses
from liandong.clock import ManualClock
from liandong.deadlines.engine import DeadlineEngine
from liandong.persistence import migrations
from liandong.persistence.engine import create_engine, session_factory
from liandong.persistence.uow import SqlUnitOfWork
from liandong.sla.kinds import kind
from liandong.sla.rules import stages_for
from liandong_police.adapters.orm import common
from liandong_police.bootstrap import spec
from tests.bench.infra import database
from tests.conftest import _asyncpg_dsn
from tests.support.outbox import no_translation

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def load(url: str, count: int) -> float:
    """COPY `count` running deadlines, none due yet, due times spread over the next 60 days."""
    spec_ = kind("police_filing_decision")
    started = time.perf_counter()
    connection = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        chunk = 50_000
        for offset in range(0, count, chunk):
            records = []
            for i in range(offset, min(offset + chunk, count)):
                start = NOW - timedelta(days=1, minutes=i % 1440)
                due = NOW + timedelta(days=3 + (i % 57), minutes=i % 1440)
                first = stages_for(due, start, spec_.warnings_hours)[0].at
                records.append(
                    (
                        str(uuid.uuid4()),
                        spec_.name,
                        spec_.title,
                        spec_.legal_basis,
                        "421222",
                        "referral",
                        f"ref-{i}",
                        f"lead-{i}",
                        False,
                        7,
                        "days",
                        0,
                        start,
                        due,
                        False,
                        "[48, 24]",
                        0,
                        0,
                        first,
                        "running",
                        0,
                        0,
                        start,
                        start,
                    )
                )
            await connection.copy_records_to_table(
                "deadlines",
                records=records,
                columns=[
                    "id",
                    "kind",
                    "title",
                    "legal_basis",
                    "unit",
                    "subject_type",
                    "subject_id",
                    "correlation_id",
                    "custody",
                    "window",
                    "window_unit",
                    "extra_days",
                    "period_started_at",
                    "due_at",
                    "rolled_forward",
                    "warnings_hours",
                    "generation",
                    "stage_index",
                    "next_fire_at",
                    "state",
                    "extensions",
                    "restarts",
                    "created_at",
                    "updated_at",
                ],
            )
        await connection.execute("ANALYZE deadlines")
    finally:
        await connection.close()
    return time.perf_counter() - started


async def fall_due(sessions: async_sessionmaker[AsyncSession], count: int, *, skip: int, due: datetime) -> None:
    """`count` of the loaded deadlines (after the first `skip` by id) fall due together at `due`, in their first
    warning's period (each will breach)."""
    async with sessions() as session:
        await session.execute(
            text(
                "UPDATE deadlines SET due_at = :due, next_fire_at = :first, period_started_at = :start "
                "WHERE id IN (SELECT id FROM deadlines ORDER BY id OFFSET :skip LIMIT :n)"
            ),
            {
                "due": due,
                "first": due - timedelta(hours=48),
                "start": due - timedelta(days=7),
                "n": count,
                "skip": skip,
            },
        )
        await session.commit()


async def run(url: str, count: int, due_now: int, idle_ticks: int) -> dict[str, Any]:
    results: dict[str, Any] = {"open_deadlines": count, "fired_together": due_now}
    await migrations.upgrade_async(spec().migrations, url)
    results["load_seconds"] = round(await load(url, count), 1)
    engine = create_engine(url, pool_size=4)
    sessions = session_factory(engine)
    clock = ManualClock(NOW)
    tracker = DeadlineEngine(agency="police", tables=common, clock=clock, batch_size=1000)

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(session_factory=sessions, tables=common, clock=clock, translate=no_translation)

    async with sessions() as session:
        plan = (
            (
                await session.execute(
                    text(
                        "EXPLAIN SELECT * FROM deadlines WHERE state = 'running' "
                        "AND next_fire_at <= '2026-03-02 02:00:00+00' "
                        "ORDER BY next_fire_at LIMIT 1000 FOR UPDATE SKIP LOCKED"
                    )
                )
            )
            .scalars()
            .all()
        )
    results["claim_plan"] = plan

    await tracker.tick(uow)  # warm the pool and the plan cache
    samples = []
    for _ in range(idle_ticks):
        begin = time.perf_counter()
        fired = await tracker.tick(uow)
        samples.append((time.perf_counter() - begin) * 1000)
        assert fired == 0
    samples.sort()
    results["idle_tick_ms"] = {
        "median": round(statistics.median(samples), 3),
        "p95": round(samples[int(len(samples) * 0.95) - 1], 3),
        "max": round(samples[-1], 3),
    }

    gc_pauses.freeze_startup()  # as the service does once started (liandong.api.app)
    # 10,000 deadlines fall due at the same instant and are fired, timed; then another 10,000, fired under
    # tracemalloc for the peak of Python memory (tracing every allocation slows the firing: never timed)
    await fall_due(sessions, due_now, skip=0, due=NOW + timedelta(hours=1))
    clock.set(NOW + timedelta(hours=1, seconds=1))
    begin = time.perf_counter()
    fired = await tracker.tick(uow)
    results["fire_seconds"] = round(time.perf_counter() - begin, 2)
    await fall_due(sessions, due_now, skip=due_now, due=NOW + timedelta(hours=2))
    clock.set(NOW + timedelta(hours=2, seconds=1))
    tracemalloc.start()
    fired_traced = await tracker.tick(uow)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert fired_traced == due_now, fired_traced
    results["fired"] = fired
    results["fire_python_peak_mib"] = round(peak / 2**20, 1)
    async with sessions() as session:
        results["outbox_rows"] = await session.scalar(select(func.count()).select_from(common.outbox))
        results["breached_rows"] = await session.scalar(
            select(func.count()).select_from(common.deadlines).where(common.deadlines.c.state == "breached")
        )
        results["table_size_mib"] = round(
            (await session.scalar(text("SELECT pg_total_relation_size('deadlines')")) or 0) / 2**20, 1
        )
    results["process_max_rss_mib"] = round(rss_mib(), 1)
    await engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deadlines", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--idle-ticks", type=int, default=200)
    parser.add_argument("--out", default="bench-results/sla.json")
    args = parser.parse_args()
    with database() as url:
        results = asyncio.run(run(url, args.deadlines, args.due, args.idle_ticks))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(json.dumps(results, ensure_ascii=False, indent=2))
    goal_idle = results["idle_tick_ms"]["median"] < 10
    goal_fire = results["fire_seconds"] < 10 and results["fired"] == args.due
    print(
        f"goal: idle tick under 10 ms: {'met' if goal_idle else 'MISSED'}; "
        f"{args.due} fired with outbox rows under 10 s: {'met' if goal_fire else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
