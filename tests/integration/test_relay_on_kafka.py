"""The outbox relay against a real broker, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from liandong.clock import SystemClock
from liandong.envelope import Envelope
from liandong.messaging.kafka import KafkaConnection, idempotent_producer
from liandong.messaging.relay import OutboxRelay
from liandong.persistence.uow import outbox_row
from liandong_court.adapters.orm import common
from tests.integration.conftest import Database
from tests.support.kafka_io import new_topics, poll_until, reaches, read_topic
from tests.support.outbox import receipt_envelope

pytestmark = [pytest.mark.kafka]


def relay(db: Database, kafka: KafkaConnection, name: str = "it") -> OutboxRelay:
    return OutboxRelay(
        name=name,
        session_factory=db.sessions,
        outbox=common.outbox,
        producer_factory=lambda: idempotent_producer(kafka, f"test-relay-{name}"),
        clock=SystemClock(),
        batch_size=50,
        idle_seconds=0.05,
        send_timeout=10,
    )


async def add_rows(db: Database, topic: str, envelopes: list[Envelope], *, commit: bool = True) -> None:
    async with db.sessions() as session:
        await session.execute(insert(common.outbox), [outbox_row(e, datetime.now(UTC), topic) for e in envelopes])
        if commit:
            await session.commit()
        else:
            await session.rollback()


def event_ids(records: list[object]) -> list[str]:
    return [str(Envelope.model_validate_json(r.value).event_id) for r in records]  # type: ignore[attr-defined]


async def test_only_committed_rows_are_published(court_db: Database, kafka: KafkaConnection) -> None:
    (topic,) = await new_topics(kafka, "it.relay.committed")
    committed = receipt_envelope()
    rolled_back = receipt_envelope()
    in_flight = receipt_envelope()
    await add_rows(court_db, topic, [committed])
    await add_rows(court_db, topic, [rolled_back], commit=False)

    open_session = None
    if court_db.is_postgres:  # a transaction still open while the relay runs must stay invisible to it
        open_session = court_db.sessions()
        await open_session.execute(insert(common.outbox), [outbox_row(in_flight, datetime.now(UTC), topic)])
        await open_session.flush()

    worker = relay(court_db, kafka)
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0
    assert event_ids(await read_topic(kafka, topic)) == [str(committed.event_id)]

    if open_session is not None:
        await open_session.commit()
        await open_session.close()
        assert await worker.run_once() == 1
        published = event_ids(await read_topic(kafka, topic))  # two aggregates: partition order only
        assert sorted(published) == sorted([str(committed.event_id), str(in_flight.event_id)])
    await worker.stop()


async def test_the_running_relay_keeps_per_aggregate_order(court_db: Database, kafka: KafkaConnection) -> None:
    (topic,) = await new_topics(kafka, "it.relay.order")
    envelopes = [receipt_envelope(f"agg-{i % 7}") for i in range(70)]
    for start in range(0, 70, 10):
        await add_rows(court_db, topic, envelopes[start : start + 10])
    worker = relay(court_db, kafka)
    worker.start()
    try:
        records = await poll_until(
            lambda: reaches(read_topic(kafka, topic), 70), timeout=60, message="70 published rows"
        )
    finally:
        await worker.stop()
    expected: dict[str, list[str]] = defaultdict(list)
    for envelope in envelopes:
        expected[envelope.aggregate_id].append(str(envelope.event_id))
    seen: dict[str, list[str]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        seen[record.key.decode()].append(str(Envelope.model_validate_json(record.value).event_id))
    assert seen == expected


@pytest.mark.postgres
async def test_two_relay_replicas_on_postgres_publish_each_row_once_in_order(
    court_pg_db: Database, kafka: KafkaConnection
) -> None:
    court_db = court_pg_db  # replicas share one database only on PostgreSQL; SQLite is single-process
    (topic,) = await new_topics(kafka, "it.relay.replicas")
    envelopes = [receipt_envelope(f"agg-{i % 25}") for i in range(500)]
    await add_rows(court_db, topic, envelopes)
    first, second = relay(court_db, kafka, "a"), relay(court_db, kafka, "b")

    async def drain(worker: OutboxRelay) -> int:
        published = 0
        while True:
            n = await worker.run_once()
            published += n
            if n == 0:
                async with court_db.sessions() as session:
                    left = await session.scalar(
                        select(common.outbox.c.seq).where(common.outbox.c.published_at.is_(None)).limit(1)
                    )
                if left is None:
                    return published

    counts = await asyncio.gather(drain(first), drain(second))
    await first.stop()
    await second.stop()
    # How the rows split between the replicas depends on timing (one aggregate's rows go one at a time, so a
    # replica may find nothing it can take); what must hold is each row once and each aggregate in order.
    assert sum(counts) == 500
    records = await read_topic(kafka, topic)
    ids = event_ids(records)
    assert sorted(ids) == sorted(str(e.event_id) for e in envelopes), "each row exactly once"
    seen: dict[str, list[str]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        seen[record.key.decode()].append(str(Envelope.model_validate_json(record.value).event_id))
    expected: dict[str, list[str]] = defaultdict(list)
    for envelope in envelopes:
        expected[envelope.aggregate_id].append(str(envelope.event_id))
    assert seen == expected
