"""What the benchmarks run on: PostgreSQL from LIANDONG_BENCH_DATABASE_URL (an admin URL; databases are created in
it) or a private cluster made with the local server binaries; the broker from LIANDONG_BENCH_KAFKA_BOOTSTRAP or the
project's local broker. One broker and one PostgreSQL for a whole `make bench` run, so the ratios compare like with
like."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from liandong.messaging.kafka import KafkaConnection, admin_connection
from tests.conftest import _asyncpg_dsn, create_postgres_database, drop_postgres_database
from tests.support.infra import LocalBroker, postgres_server, provision_broker


@contextmanager
def postgres_admin() -> Iterator[str]:
    given = os.environ.get("LIANDONG_BENCH_DATABASE_URL")
    if given:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="liandong-bench-pg-") as tmp, postgres_server(Path(tmp)) as admin:
        yield admin


@contextmanager
def databases(admin: str, count: int) -> Iterator[list[str]]:
    """`count` fresh databases, dropped afterwards."""
    urls = [create_postgres_database(admin) for _ in range(count)]
    try:
        yield urls
    finally:
        for url in urls:
            drop_postgres_database(admin, url)


def settle(admin: str) -> None:
    """Flush what the previous benchmark wrote before the next is measured: a CHECKPOINT (superuser or
    pg_checkpoint; skipped with a note otherwise). Without it, the 1,000,000 deadlines the SLA bench loads are
    written out while the next run's relay and hop are timed."""

    async def checkpoint() -> None:
        connection = await asyncpg.connect(_asyncpg_dsn(admin))
        try:
            await connection.execute("CHECKPOINT")
        except asyncpg.InsufficientPrivilegeError:
            print("bench: CHECKPOINT not allowed to this account; the runs are not settled", flush=True)
        finally:
            await connection.close()

    asyncio.run(checkpoint())
    idle = quiet_machine()
    print(f"bench: machine {idle:.0%} idle before the next run", flush=True)


def _cpu_times() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return fields[3] + fields[4], sum(fields)  # idle + iowait, all


def quiet_machine(threshold: float = 0.85, deadline_seconds: float = 90.0) -> float:
    """Wait (up to the deadline) until the machine's CPUs are idle `threshold` of a second — the database's
    background work and the processes of the previous benchmark done — and return the idle share last seen."""
    if not Path("/proc/stat").exists():
        return 1.0
    ends = time.monotonic() + deadline_seconds
    share = 0.0
    while time.monotonic() < ends:
        idle0, all0 = _cpu_times()
        time.sleep(1.0)
        idle1, all1 = _cpu_times()
        share = (idle1 - idle0) / max(all1 - all0, 1)
        if share >= threshold:
            break
    return share


@contextmanager
def database() -> Iterator[str]:
    with postgres_admin() as admin, databases(admin, 1) as (url,):
        yield url


@contextmanager
def broker() -> Iterator[KafkaConnection]:
    """The bench's broker as its admin principal, provisioned (LIANDONG_BENCH_KAFKA_BOOTSTRAP, or one of its own)."""
    given = os.environ.get("LIANDONG_BENCH_KAFKA_BOOTSTRAP")
    if given:
        connection = admin_connection(given)
        provision_broker(connection)
        yield connection
        return
    with tempfile.TemporaryDirectory(prefix="liandong-bench-kafka-") as tmp:
        local = LocalBroker(Path(tmp))
        local.start()
        try:
            yield local.admin
        finally:
            local.stop()


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p90, p99 and max of latencies in seconds, reported in milliseconds."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "count": len(samples),
        "p50_ms": round(cuts[49] * 1000, 1),
        "p90_ms": round(cuts[89] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }
