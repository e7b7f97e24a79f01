"""Fault test: the broker process stops mid-stream and restarts on the same log directory.

The relay keeps the rows written meanwhile, the consumer (with its watchdog) resumes, and every event is applied
exactly once. This test runs its own broker, since it stops it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from liandong.clock import SystemClock
from liandong.contracts import ReferralReceivedV1
from liandong.messaging.admin import ensure_topics
from liandong.messaging.consumer import ConsumerRunner
from liandong.messaging.handlers import EventHandlers
from liandong.messaging.kafka import idempotent_producer, manual_commit_consumer
from liandong.messaging.relay import OutboxRelay
from liandong.persistence.uow import outbox_row
from liandong_procuratorate.adapters.orm import common, timeline
from liandong_procuratorate.service_layer.event_handlers import on_hand_off
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork
from tests.integration.conftest import Database
from tests.support.infra import LocalBroker
from tests.support.kafka_io import poll_until, reaches, read_topic
from tests.support.outbox import count, no_translation, receipt_envelope

pytestmark = [pytest.mark.kafka]
TOPIC, DLT, GROUP = "it.restart", "it.restart.dlt", "it-restart"


async def applied(db: Database) -> int:
    return await count(db.sessions, timeline)


async def _is_zero(count: Any) -> bool:
    return bool(await count == 0)


async def write_outbox(db: Database, count: int) -> None:
    async with db.sessions() as session:
        await session.execute(
            common.outbox.insert(),
            [outbox_row(receipt_envelope(f"ref-{i % 5}"), SystemClock().now(), TOPIC) for i in range(count)],
        )
        await session.commit()


async def test_relay_and_consumer_recover_when_the_broker_restarts(
    procuratorate_db: Database, own_broker: LocalBroker
) -> None:
    bootstrap = own_broker.admin
    await ensure_topics(bootstrap, [TOPIC, DLT], partitions=3, replication_factor=1)
    clock = SystemClock()
    relay = OutboxRelay(
        name="restart",
        session_factory=procuratorate_db.sessions,
        outbox=common.outbox,
        producer_factory=lambda: idempotent_producer(bootstrap, "restart-relay"),
        clock=clock,
        idle_seconds=0.1,
        send_timeout=5,
        backoff_max=2,
    )
    runner = ConsumerRunner(
        name=GROUP,
        group_id=GROUP,
        topic_names={ReferralReceivedV1.topic: TOPIC},
        handlers=EventHandlers[ProcuratorateUnitOfWork]().on(ReferralReceivedV1, on_hand_off),
        uow_factory=lambda: ProcuratorateUnitOfWork(
            session_factory=procuratorate_db.sessions, tables=common, clock=clock, translate=no_translation
        ),
        consumer_factory=lambda: manual_commit_consumer(bootstrap, GROUP, GROUP),
        producer_factory=lambda: idempotent_producer(bootstrap, "restart-dlt"),
        dead_letter_topic=DLT,
        clock=clock,
        stall_seconds=10,
        kafka_timeout=5,
    )
    relay.start()
    await runner.start()
    try:
        await write_outbox(procuratorate_db, 20)
        await poll_until(lambda: reaches(applied(procuratorate_db), 20), 60, "the first 20 applied")

        await asyncio.to_thread(own_broker.stop)
        await write_outbox(procuratorate_db, 20)  # written while the broker is down
        await asyncio.to_thread(own_broker.start)

        await poll_until(lambda: reaches(applied(procuratorate_db), 40), 120, "all 40 applied after the restart")

        async def unpublished() -> int:
            async with procuratorate_db.sessions() as session:
                pending = select(func.count()).select_from(common.outbox).where(common.outbox.c.published_at.is_(None))
                return int(await session.scalar(pending) or 0)

        # a send the restarting broker acknowledged late is marked published when the relay's retry is acknowledged
        # (the consumer may have applied it already; the inbox keeps the retry from applying it twice)
        await poll_until(lambda: _is_zero(unpublished()), 60, "every outbox row marked published")
        async with procuratorate_db.sessions() as session:
            inbox = await session.scalar(select(func.count()).select_from(common.inbox))
        assert inbox == 40
        assert await applied(procuratorate_db) == 40, "nothing applied twice"
        assert await read_topic(bootstrap, DLT) == []
    finally:
        await runner.stop()
        await relay.stop()
