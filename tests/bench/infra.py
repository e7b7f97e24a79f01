"""What the benchmarks run on: PostgreSQL from LIANDONG_BENCH_DATABASE_URL (an admin URL; databases are created in
it) or a private cluster made with the local server binaries; the broker from LIANDONG_BENCH_KAFKA_BOOTSTRAP or the
project's local broker. One broker and one PostgreSQL for a whole `make bench` run, so the ratios compare like with
like."""

from __future__ import annotations

import os
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from liandong.messaging.kafka import KafkaConnection, admin_connection
from tests.conftest import create_postgres_database, drop_postgres_database
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
