"""Benchmark of the outbox relay (`make bench-relay`): rows published per second to a real broker.

Two shapes of load on PostgreSQL: bursts (many events of few aggregates, e.g. a busy matter) and spread (one
event per aggregate). The broker comes from LIANDONG_BENCH_KAFKA_BOOTSTRAP or the project's local broker; the
database from LIANDONG_BENCH_DATABASE_URL or a private PostgreSQL cluster.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from liandong.clock import SystemClock
from liandong.config import ServiceSettings
from liandong.messaging.admin import ensure_topics
from liandong.messaging.kafka import KafkaConnection, idempotent_producer
from liandong.messaging.relay import OutboxRelay
from liandong.persistence import migrations
from liandong.persistence.engine import create_engine, session_factory
from liandong.persistence.uow import outbox_row
from liandong_court.adapters.orm import common
from liandong_court.bootstrap import spec
from tests.bench.infra import broker, database
from tests.support.outbox import receipt_envelope


async def one_shape(url: str, kafka: KafkaConnection, name: str, rows: int, aggregates: int) -> dict[str, Any]:
    engine = create_engine(url, pool_size=4)
    sessions = session_factory(engine)
    topic = f"bench.relay.{name}.{int(time.time())}"
    await ensure_topics(kafka, [topic], partitions=6, replication_factor=1)
    now = datetime.now(UTC)
    async with sessions() as session:
        await session.execute(common.outbox.delete())
        for start in range(0, rows, 5000):
            await session.execute(
                insert(common.outbox),
                [
                    outbox_row(receipt_envelope(f"agg-{i % aggregates}"), now, topic)
                    for i in range(start, min(start + 5000, rows))
                ],
            )
        await session.commit()
    relay = OutboxRelay(
        name="bench",
        session_factory=sessions,
        outbox=common.outbox,
        producer_factory=lambda: idempotent_producer(kafka, "bench-relay"),
        clock=SystemClock(),
        batch_size=ServiceSettings().relay_batch_size,  # as the services run it
    )
    await relay.run_once()  # start the producer outside the measurement
    began = time.perf_counter()
    published = 0
    while True:
        n = await relay.run_once()
        if n == 0:
            break
        published += n
    seconds = time.perf_counter() - began
    await relay.stop()
    await engine.dispose()
    return {
        "rows": rows,
        "aggregates": aggregates,
        "seconds": round(seconds, 2),
        "rows_per_second": round(published / seconds) if seconds else None,
    }


async def raw_shape(kafka: KafkaConnection, name: str, rows: int, aggregates: int) -> dict[str, Any]:
    """The same envelopes, keys and headers sent by aiokafka alone (idempotent, acks=all, the relay's settings),
    all in flight at once: what the broker and the client can do without a database."""
    topic = f"bench.raw.{name}.{int(time.time())}"
    await ensure_topics(kafka, [topic], partitions=6, replication_factor=1)
    envelopes = [receipt_envelope(f"agg-{i % aggregates}") for i in range(rows)]
    messages = [(e.to_json().encode(), e.key, e.headers()) for e in envelopes]
    producer = idempotent_producer(kafka, "bench-raw")
    await producer.start()
    try:
        await (await producer.send(topic, value=messages[0][0], key=messages[0][1], headers=messages[0][2]))
        began = time.perf_counter()
        futures = [await producer.send(topic, value=v, key=k, headers=h) for v, k, h in messages]
        await asyncio.gather(*futures)
        seconds = time.perf_counter() - began
    finally:
        await producer.stop()
    rate = round(rows / seconds)
    return {"rows": rows, "aggregates": aggregates, "seconds": round(seconds, 2), "rows_per_second": rate}


async def run(url: str, kafka: KafkaConnection, rows: int) -> dict[str, Any]:
    await migrations.upgrade_async(spec().migrations, url)
    results: dict[str, Any] = {}
    for name, aggregates in (("bursts", 20), ("spread", rows)):
        raw = await raw_shape(kafka, name, rows, aggregates)
        relay = await one_shape(url, kafka, name, rows, aggregates)
        results[name] = {
            "relay": relay,
            "raw_aiokafka": raw,
            "ratio": round(relay["rows_per_second"] / raw["rows_per_second"], 3),
            "goal": ">= 0.5",
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--out", default="bench-results/relay.json")
    args = parser.parse_args()
    with database() as url, broker() as kafka:
        results = asyncio.run(run(url, kafka, args.rows))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
