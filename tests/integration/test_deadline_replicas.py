"""Two tracker replicas on one PostgreSQL racing over 1,000 due deadlines: each stage fires exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from liandong.clock import ManualClock
from liandong.deadlines.engine import DeadlineEngine
from liandong.envelope import Envelope
from liandong.messaging.kafka import KafkaConnection, idempotent_producer
from liandong.messaging.relay import OutboxRelay
from liandong.persistence.uow import SqlUnitOfWork
from liandong_police.adapters.orm import common
from tests.integration.conftest import Database
from tests.support.kafka_io import new_topics, read_topic
from tests.support.outbox import no_translation

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]
RECEIVED = datetime(2025, 9, 26, 2, 0, tzinfo=UTC)
DUE = datetime(2025, 10, 9, 16, 0, tzinfo=UTC)
N = 1000


async def test_two_replicas_fire_every_warning_and_breach_once(police_pg_db: Database, kafka: KafkaConnection) -> None:
    clock = ManualClock(RECEIVED)

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(
            session_factory=police_pg_db.sessions, tables=common, clock=clock, translate=no_translation
        )

    replicas = [DeadlineEngine(agency="police", tables=common, clock=clock, batch_size=50) for _ in range(2)]
    async with uow() as work:
        for i in range(N):
            await replicas[0].start(
                work,
                kind_name="police_filing_decision",
                subject_type="referral",
                subject_id=f"ref-{i}",
                correlation_id=f"lead-{i}",
                unit="421222",
                started_at=RECEIVED,
            )
        await work.commit()

    per_replica = [0, 0]
    for instant in (DUE - timedelta(hours=47), DUE - timedelta(hours=23), DUE + timedelta(minutes=1)):
        clock.set(instant)
        fired = await asyncio.gather(*(r.tick(uow) for r in replicas))
        assert sum(fired) == N, f"at {instant}: {fired}"
        per_replica = [a + b for a, b in zip(per_replica, fired, strict=True)]
    assert min(per_replica) > 0, f"both replicas took part: {per_replica}"

    async with police_pg_db.sessions() as session:
        stages = (await session.execute(select(common.deadline_stages.c.stage))).scalars().all()
        outbox = await session.scalar(select(func.count()).select_from(common.outbox))
        states = Counter((await session.execute(select(common.deadlines.c.state))).scalars())
    assert Counter(stages) == {"approaching_48h": N, "approaching_24h": N, "breached": N}
    assert outbox == 4 * N  # each window's start, two warnings and the breach
    assert states == {"breached": N}

    (topic,) = await new_topics(kafka, "it.deadlines")
    async with police_pg_db.sessions() as session:  # route this test's events to a topic of its own
        await session.execute(update(common.outbox).values(topic=topic))
        await session.commit()
    relay = OutboxRelay(
        name="deadlines",
        session_factory=police_pg_db.sessions,
        outbox=common.outbox,
        producer_factory=lambda: idempotent_producer(kafka, "it-deadlines"),
        clock=clock,
        batch_size=500,
    )
    while await relay.run_once():
        pass
    await relay.stop()
    events = [Envelope.model_validate_json(r.value) for r in await read_topic(kafka, topic)]
    assert len(events) == 4 * N
    assert len({e.event_id for e in events}) == 4 * N
    per_deadline = Counter(e.aggregate_id for e in events)
    assert set(per_deadline.values()) == {4}
    assert Counter(e.event_type for e in events) == {
        "police.deadline.started": N,
        "police.deadline.approaching": 2 * N,
        "police.deadline.breached": N,
    }
