"""Benchmark of a cross-agency hop (`make bench-hop`): an event committed to the police's outbox until the court's
inbox holds it, measured from the rows' own timestamps (`outbox.created_at` at the police, `inbox.received_at` at
the court, one machine, one clock), against the raw aiokafka produce → consume round trip in the same run.

The two services run as they do in production — `Runtime` with its relay woken on commit and its consumer, on
PostgreSQL and the real broker — and the hop is a real one: the police's window started, which the court keeps as
a peer window. Events are committed open-loop at a fixed rate, so the figures are latencies, not a queue draining.

The hop is also broken into its stages (`liandong.messaging.stages`, one monotonic clock in this one process):
outbox commit → relay claims the row → broker acknowledges → consumer takes it up → handler starts → inbox commit,
each step with its p50/p99, so a wait shows where it is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer
from sqlalchemy import Table, select

from liandong.contracts.deadlines import STARTED
from liandong.envelope import Envelope, ProducerRef
from liandong.messaging import stages
from liandong.messaging.admin import ensure_topics
from liandong.messaging.kafka import KafkaConnection, idempotent_producer
from liandong.runtime import Runtime
from liandong_court.bootstrap import spec as court_spec
from liandong_court.config import CourtSettings
from liandong_police.bootstrap import spec as police_spec
from liandong_police.config import PoliceSettings
from tests.bench.infra import broker, databases, percentiles, postgres_admin
from tests.support.kafka_io import poll_until, service_kafka

GOAL = 3.0  # the hop's p99 at most 3 × the raw round trip's


def window_started(now: datetime, i: int) -> Envelope:
    payload = STARTED["police"](
        deadline_id=str(uuid.uuid4()),
        kind="police_filing_decision",
        title="公安机关对法院移送的拒执案件作出是否立案决定",
        legal_basis="法发〔2025〕8号 第五条",
        unit="421222",
        subject_type="referral",
        subject_id=f"ref-bench-{i}",
        started_at=now,
        due_at=now + timedelta(days=7),
        window=7,
        window_unit="days",
        custody=False,
    )
    return Envelope.wrap(
        payload,
        producer=ProducerRef(agency="police", unit="421222"),
        jurisdiction="421222",
        aggregate_id=payload.deadline_id,
        correlation_id=f"lead-bench-{i}",
        occurred_at=now,
    )


async def timestamps(runtime: Runtime, table: Table, column: str, event_ids: list[str]) -> dict[str, datetime]:
    async with runtime.session_factory() as session:
        rows = await session.execute(select(table.c.event_id, table.c[column]).where(table.c.event_id.in_(event_ids)))
        return {event_id: at for event_id, at in rows.all()}


def stage_steps(marks: dict[str, dict[str, float]], event_ids: list[str]) -> dict[str, Any]:
    """Each step between two stages, p50/p99 over the events that passed both (a redelivery keeps its first mark)."""
    steps = {}
    for earlier, later in zip(stages.STAGES, stages.STAGES[1:], strict=False):
        took = [
            marks[e][later] - marks[e][earlier] for e in event_ids if earlier in marks.get(e, {}) and later in marks[e]
        ]
        steps[f"{earlier}->{later}"] = percentiles(took)
    return steps


async def hops(police_url: str, court_url: str, kafka: KafkaConnection, count: int, rate: float) -> dict[str, Any]:
    police = Runtime(
        police_spec(),
        PoliceSettings(database_url=police_url, **service_kafka(kafka), environment="test"),
    )
    court = Runtime(
        court_spec(),
        CourtSettings(database_url=court_url, **service_kafka(kafka), environment="test"),
    )
    marks: dict[str, dict[str, float]] = {}

    def mark(event_id: str, stage: str) -> None:
        marks.setdefault(event_id, {}).setdefault(stage, time.monotonic())

    stages.install(mark)
    await police.start()
    await court.start()
    inbox = court.tables.inbox
    try:

        async def arrived(event_ids: list[str]) -> bool:
            async with court.session_factory() as session:
                found = await session.scalars(select(inbox.c.event_id).where(inbox.c.event_id.in_(event_ids)))
                return len(set(found)) == len(event_ids)

        async def commit(i: int) -> str:
            envelope = window_started(police.clock.now(), i)
            async with police.uow() as uow:
                uow.emit(envelope)
                await uow.commit()
            stages.mark("outbox_committed", (str(envelope.event_id),))
            return str(envelope.event_id)

        warm = await commit(-1)  # the consumer joined and the producer connected before the clock starts
        await poll_until(lambda: arrived([warm]), 120, "the first hop")
        began = time.monotonic()
        sent: list[str] = []
        for i in range(count):
            await asyncio.sleep(max(0.0, began + i / rate - time.monotonic()))
            sent.append(await commit(i))
        await poll_until(lambda: arrived(sent), 120, f"{count} hops at the court")

        committed = await timestamps(police, police.tables.outbox, "created_at", sent)
        received = await timestamps(court, inbox, "received_at", sent)
    finally:
        await court.stop()
        await police.stop()
        stages.uninstall()
    return {
        **percentiles([(received[e] - committed[e]).total_seconds() for e in sent]),
        "stages": stage_steps(marks, sent),
    }


async def raw_round_trips(kafka: KafkaConnection, count: int, rate: float) -> dict[str, Any]:
    """aiokafka alone: the same producer settings, a consumer in its own group, the same rate and payload size."""
    topic = f"bench.hop.raw.{uuid.uuid4().hex[:8]}"
    await ensure_topics(kafka, [topic], partitions=6, replication_factor=1)
    value = window_started(datetime.now(UTC), 0).to_json().encode()  # the hop's payload, byte for byte
    producer = idempotent_producer(kafka, "bench-raw-producer")
    consumer = AIOKafkaConsumer(
        topic, **kafka.client_kwargs(), group_id=f"bench-raw-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest"
    )
    await producer.start()
    await consumer.start()
    sent_at: dict[bytes, float] = {}
    latencies: list[float] = []
    warm_seen = asyncio.Event()

    async def consume() -> None:
        async for record in consumer:
            if record.key == b"warm":
                warm_seen.set()
            elif record.key in sent_at:
                latencies.append(time.monotonic() - sent_at[record.key])
                if len(latencies) == count:
                    return

    reading = asyncio.create_task(consume())
    try:
        await producer.send_and_wait(topic, value, key=b"warm")
        await asyncio.wait_for(warm_seen.wait(), 120)
        began = time.monotonic()
        for i in range(count):
            await asyncio.sleep(max(0.0, began + i / rate - time.monotonic()))
            key = f"k{i}".encode()
            sent_at[key] = time.monotonic()
            await producer.send(topic, value, key=key)
        await asyncio.wait_for(reading, 120)
    finally:
        reading.cancel()
        await consumer.stop()
        await producer.stop()
    return percentiles(latencies)


async def run(police_url: str, court_url: str, kafka: KafkaConnection, count: int, rate: float) -> dict[str, Any]:
    raw = await raw_round_trips(kafka, count, rate)
    hop = await hops(police_url, court_url, kafka, count, rate)
    return {
        "hops": count,
        "rate_per_second": rate,
        "hop_outbox_commit_to_peer_inbox": hop,
        "raw_aiokafka_round_trip": raw,
        "p99_ratio": round(hop["p99_ms"] / raw["p99_ms"], 2),
        "goal": f"p99 ratio <= {GOAL}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hops", type=int, default=600)
    parser.add_argument("--rate", type=float, default=50.0, help="hops committed per second (open loop)")
    parser.add_argument("--out", default="bench-results/hop.json")
    args = parser.parse_args()
    if not 100 <= args.hops <= 100_000 or not 0 < args.rate <= 2000:
        parser.error("--hops must be 100..100000 and --rate 0..2000")
    with postgres_admin() as admin, broker() as kafka, databases(admin, 2) as (police_url, court_url):
        results = asyncio.run(run(police_url, court_url, kafka, args.hops, args.rate))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
