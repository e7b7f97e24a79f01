"""The alert on dead letters sees the first one and clears when ops deal with them: the unhandled count comes from
the broker's offsets of the group's dead-letter topic less the actions recorded; the topic keeps its letters 90 days;
the counters exist at 0 before their first event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from prometheus_client import REGISTRY
from sqlalchemy import insert

from liandong.contracts.topics import consumer_group, dead_letter_topic
from liandong.messaging.admin import DEAD_LETTER_RETENTION_DAYS, ensure_topics
from liandong.messaging.dead_letters import DeadLetters
from liandong.messaging.dlq import DeadLetterWatch, group_lag, unhandled_count
from liandong.messaging.kafka import KafkaConnection
from liandong_procuratorate.adapters.orm import common
from tests.integration.conftest import Database
from tests.support.kafka_io import new_topics, produce

pytestmark = [pytest.mark.kafka]


def test_unhandled_letters_are_those_on_the_topic_without_an_action() -> None:
    span = {0: (0, 3), 1: (5, 6)}  # partition 1 lost offsets 0–4 to retention
    handled = {"g.dlt/0/1", "g.dlt/1/2", "other.dlt/0/0", "g.dlt/1/5"}
    assert unhandled_count(span, "g.dlt", handled) == 2, "4 on the topic, 2 dealt with (1/2 is gone already)"
    assert unhandled_count({}, "g.dlt", set()) == 0


async def test_the_watch_counts_from_the_broker_and_the_desks_records(
    kafka: KafkaConnection, procuratorate_db: Database
) -> None:
    group = f"watch-{uuid.uuid4().hex[:8]}"
    topic = dead_letter_topic(group)
    await ensure_topics(kafka, [topic], partitions=1, replication_factor=1)
    await produce(kafka, topic, [(b"k", b"letter one"), (b"k", b"letter two"), (b"k", b"letter three")])
    watch = DeadLetterWatch(
        connection=kafka, group_id=group, sessions=procuratorate_db.sessions, tables=common, every_seconds=60
    )
    await watch.run_round()
    assert watch.unhandled == 3
    assert REGISTRY.get_sample_value("liandong_dead_letters_unhandled", {"consumer": group}) == 3

    async with procuratorate_db.sessions() as session:
        for offset, action in ((0, "replayed"), (2, "discarded")):
            row = {"dlt_id": f"{topic}/0/{offset}", "action": action, "reason": "dealt with", "actor": "cli:ops.li"}
            await session.execute(insert(common.dead_letter_actions).values(**row, at=datetime.now(UTC)))
        await session.commit()
    await watch.run_round()
    assert watch.unhandled == 1, "the one left to deal with"

    admin = AIOKafkaAdminClient(**kafka.client_kwargs())
    await admin.start()
    try:
        (described,) = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        configs = {entry[0]: entry[1] for entry in described.resources[0][4]}
    finally:
        await admin.close()
    assert configs["retention.ms"] == str(DEAD_LETTER_RETENTION_DAYS * 86_400_000), "letters outlive a holiday"


def test_dead_letter_series_exist_before_the_first_letter(kafka: KafkaConnection) -> None:
    consumer = f"fresh-{uuid.uuid4().hex[:8]}"
    DeadLetters(consumer=consumer, topic="t.dlt", producer_factory=lambda: None, clock=None, kafka_timeout=1)  # type: ignore[arg-type]
    for reason in ("unknown_schema_version", "poison", "handler_failed"):
        value = REGISTRY.get_sample_value(
            "liandong_events_dead_lettered_total", {"consumer": consumer, "reason": reason}
        )
        assert value == 0, f"{reason}: an increase() over it sees the first letter"


async def test_provisioning_gives_the_services_dead_letter_topics_their_retention(kafka: KafkaConnection) -> None:
    """The session's broker was provisioned (tests/conftest.py): the services' dead-letter topics, whenever made,
    keep letters for the retention set by the provisioning."""
    admin = AIOKafkaAdminClient(**kafka.client_kwargs())
    await admin.start()
    try:
        for agency in ("court", "police", "procuratorate"):
            topic = dead_letter_topic(consumer_group(agency))
            (described,) = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
            configs = {entry[0]: entry[1] for entry in described.resources[0][4]}
            assert configs["retention.ms"] == str(DEAD_LETTER_RETENTION_DAYS * 86_400_000), topic
    finally:
        await admin.close()


async def test_the_groups_lag_is_read_from_the_broker(kafka: KafkaConnection) -> None:
    """Committed offsets against the log end: a consumer that stopped still shows the lag it left."""
    (topic,) = await new_topics(kafka, "lag", partitions=1)
    await produce(kafka, topic, [(b"k", f"event {i}".encode()) for i in range(7)])
    group = f"lagging-{uuid.uuid4().hex[:8]}"
    committer = AIOKafkaConsumer(**kafka.client_kwargs(), group_id=group, enable_auto_commit=False)
    await committer.start()
    try:
        partition = TopicPartition(topic, 0)
        committer.assign([partition])
        await committer.commit({partition: 3})  # applied three, then stopped
    finally:
        await committer.stop()
    assert await group_lag(kafka, group) == 4
    assert await group_lag(kafka, f"never-{uuid.uuid4().hex[:8]}") == 0, "a group with nothing committed"
