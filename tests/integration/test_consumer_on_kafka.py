"""The inbox consumer runner against a real broker, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from liandong.clock import SystemClock
from liandong.contracts import ReferralReceivedV1
from liandong.envelope import ProducerRef
from liandong.messaging.consumer import ConsumerRunner
from liandong.messaging.handlers import EventHandlers
from liandong.messaging.kafka import KafkaConnection, idempotent_producer, manual_commit_consumer
from liandong_procuratorate.adapters.orm import common, timeline
from liandong_procuratorate.service_layer.event_handlers import on_hand_off
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork
from tests.integration.conftest import Database
from tests.support.kafka_io import new_topics, poll_until, produce, reaches, read_topic
from tests.support.outbox import count, no_translation, receipt_envelope

pytestmark = [pytest.mark.kafka]


async def rows(db: Database, table: object) -> int:
    return await count(db.sessions, table)


@pytest.fixture
async def runner_on(
    procuratorate_db: Database, kafka: KafkaConnection
) -> AsyncIterator[Callable[[str, str], ConsumerRunner[ProcuratorateUnitOfWork]]]:
    started: list[ConsumerRunner[ProcuratorateUnitOfWork]] = []

    def make(topic: str, dead_letter_topic: str) -> ConsumerRunner[ProcuratorateUnitOfWork]:
        group = f"it-{topic}"
        runner = ConsumerRunner(
            name=group,
            group_id=group,
            topic_names={ReferralReceivedV1.topic: topic},
            handlers=EventHandlers[ProcuratorateUnitOfWork]().on(ReferralReceivedV1, on_hand_off),
            uow_factory=lambda: ProcuratorateUnitOfWork(
                session_factory=procuratorate_db.sessions, tables=common, clock=SystemClock(), translate=no_translation
            ),
            consumer_factory=lambda: manual_commit_consumer(kafka, group, group),
            producer_factory=lambda: idempotent_producer(kafka, f"{group}-dlt"),
            dead_letter_topic=dead_letter_topic,
            clock=SystemClock(),
            stall_seconds=30,
        )
        started.append(runner)
        return runner

    yield make
    for runner in started:
        await runner.stop()


async def test_the_same_event_delivered_twice_is_applied_once(
    procuratorate_db: Database,
    kafka: KafkaConnection,
    runner_on: Callable[[str, str], ConsumerRunner[ProcuratorateUnitOfWork]],
) -> None:
    topic, dlt = await new_topics(kafka, "it.consumer.dupes", "it.consumer.dupes.dlt")
    twice = receipt_envelope("ref-1")
    after = receipt_envelope("ref-1")
    raw = twice.to_json().encode()
    await produce(kafka, topic, [(b"ref-1", raw), (b"ref-1", raw), (b"ref-1", after.to_json().encode())])
    runner = runner_on(topic, dlt)
    await runner.start()

    await poll_until(lambda: reaches(rows(procuratorate_db, timeline), 2), 30, "both distinct events applied")
    assert await rows(procuratorate_db, timeline) == 2
    assert await rows(procuratorate_db, common.inbox) == 2
    assert await read_topic(kafka, dlt) == []


async def test_poison_goes_to_the_dead_letter_topic_and_the_consumer_carries_on(
    procuratorate_db: Database,
    kafka: KafkaConnection,
    runner_on: Callable[[str, str], ConsumerRunner[ProcuratorateUnitOfWork]],
) -> None:
    topic, dlt = await new_topics(kafka, "it.consumer.poison", "it.consumer.poison.dlt")
    good = receipt_envelope("ref-2")
    future_version = receipt_envelope("ref-2").model_copy(update={"schema_version": 2})
    await produce(
        kafka,
        topic,
        [
            (b"ref-2", b"\xff\xfe not an envelope"),
            (b"ref-2", future_version.to_json().encode()),
            (b"ref-2", good.to_json().encode()),
        ],
    )
    runner = runner_on(topic, dlt)
    await runner.start()

    await poll_until(lambda: reaches(rows(procuratorate_db, timeline), 1), 30, "the good event applied")
    dead = await poll_until(lambda: reaches(read_topic(kafka, dlt), 2), 30, "two dead letters")
    reasons = sorted(dict(r.headers)["dlt.reason"] for r in dead)
    assert reasons == [b"malformed_envelope", b"unknown_schema_version"]
    assert {r.value for r in dead} == {b"\xff\xfe not an envelope", future_version.to_json().encode()}
    assert await rows(procuratorate_db, common.inbox) == 1


async def test_an_envelope_forged_on_a_topic_its_producer_does_not_own_is_dead_lettered(
    procuratorate_db: Database,
    kafka: KafkaConnection,
    runner_on: Callable[[str, str], ConsumerRunner[ProcuratorateUnitOfWork]],
) -> None:
    topic, dlt = await new_topics(kafka, "it.consumer.forged", "it.consumer.forged.dlt")
    genuine = receipt_envelope()
    # a police receipt that says it was sent by the court: the court does not write the police's topic
    forged = genuine.model_copy(update={"producer": ProducerRef(agency="court", unit="421222")})
    await produce(kafka, topic, [(b"ref-f", forged.to_json().encode()), (b"ref-g", genuine.to_json().encode())])
    await runner_on(topic, dlt).start()

    (letter,) = await poll_until(lambda: reaches(read_topic(kafka, dlt), 1), 30, "the forged event dead-lettered")
    headers = dict(letter.headers)
    assert headers["dlt.reason"] == b"producer_not_owner"
    assert b"written by the police, not the court" in headers["dlt.error"]
    await poll_until(lambda: reaches(rows(procuratorate_db, common.inbox), 1), 30, "the genuine event applied")
    assert await rows(procuratorate_db, common.inbox) == 1, "the forged event was never applied"
