"""A three-node KRaft cluster from the same jars (`kafka.sh cluster`), SASL and ACLs as the single broker: the topics
are provisioned with replication factor 3 and min.insync.replicas 2; a producer with acks=all and idempotence keeps
writing while the leader of its partition is killed (SIGKILL) and another takes over, and nothing written is lost
or doubled when the node comes back."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from liandong.messaging.admin import broker_count
from liandong.messaging.kafka import KafkaConnection
from tests.support.infra import LocalCluster, can_run_local_broker

pytestmark = pytest.mark.kafka

SIZE = 3


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    if not can_run_local_broker():
        assert os.environ.get("CI") != "true", "CI runs the local cluster (Java and the Kafka jars)"
        pytest.skip("Java or the Kafka jars are missing")
    local = LocalCluster(tmp_path_factory.mktemp("kafka-cluster"), SIZE)
    local.start()
    try:
        yield local
    finally:
        local.cluster("stop")


async def _leader(connection: KafkaConnection, topic: str, partition: int) -> int:
    admin = AIOKafkaAdminClient(**connection.client_kwargs())
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
        (found,) = [p for p in described["partitions"] if p["partition"] == partition]
        return int(found["leader"])
    finally:
        await admin.close()


async def _isr_and_replicas(connection: KafkaConnection, topic: str) -> list[tuple[int, int]]:
    admin = AIOKafkaAdminClient(**connection.client_kwargs())
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
        return [(len(p["replicas"]), len(p["isr"])) for p in described["partitions"]]
    finally:
        await admin.close()


def test_the_cluster_replicates_three_ways_and_survives_its_leader_killed(cluster: LocalCluster) -> None:
    connection = cluster.admin
    topic = "court.referrals"

    async def run() -> tuple[int, int, list[bytes]]:
        assert await broker_count(connection) == SIZE
        assert set(await _isr_and_replicas(connection, topic)) == {(3, 3)}, "replication factor 3, all in sync"
        first = await _leader(connection, topic, 0)
        producer = AIOKafkaProducer(**connection.client_kwargs(), acks="all", enable_idempotence=True)
        await producer.start()
        try:
            for i in range(20):
                value = f"before-{i}".encode()
                await producer.send_and_wait(topic, value, partition=0)
            cluster.cluster("kill-node", str(first))  # SIGKILL the partition's leader
            for i in range(20):
                value = f"after-{i}".encode()
                await producer.send_and_wait(topic, value, partition=0)  # min.insync 2 of the 2 left: accepted
            second = await _leader(connection, topic, 0)
        finally:
            await producer.stop()
        cluster.cluster("start-node", str(first))
        consumer = AIOKafkaConsumer(
            **connection.client_kwargs(), enable_auto_commit=False, auto_offset_reset="earliest"
        )
        await consumer.start()
        read: list[bytes] = []
        try:
            tp = TopicPartition(topic, 0)
            consumer.assign([tp])
            await consumer.seek_to_beginning(tp)
            end = (await consumer.end_offsets([tp]))[tp]
            while (await consumer.position(tp)) < end:
                batch = await consumer.getmany(tp, timeout_ms=2000)
                read += [r.value for r in batch.get(tp, []) if r.value is not None]
        finally:
            await consumer.stop()
        return first, second, read

    first, second, read = asyncio.run(run())
    assert second != first, "another node leads the partition after the kill"
    assert read == [f"before-{i}".encode() for i in range(20)] + [f"after-{i}".encode() for i in range(20)], (
        "every record once, in order"
    )
