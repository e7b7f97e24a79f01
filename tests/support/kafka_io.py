"""Reading and writing topics directly, to check what really reached the broker."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from liandong.messaging.admin import ensure_topics
from liandong.messaging.kafka import KafkaConnection


def service_kafka(kafka: KafkaConnection) -> dict[str, Any]:
    """The settings of a service on this broker: as its own principal (development password), not as admin."""
    return {"kafka_bootstrap_servers": kafka.bootstrap, "kafka_security_protocol": kafka.security_protocol}


async def new_topics(kafka: KafkaConnection, *names: str, partitions: int = 3) -> list[str]:
    """Fresh topics with a unique suffix, so tests sharing a broker never see each other's messages."""
    suffix = uuid.uuid4().hex[:8]
    made = [f"{name}.{suffix}" for name in names]
    await ensure_topics(kafka, made, partitions=partitions, replication_factor=1)
    return made


async def produce(kafka: KafkaConnection, topic: str, messages: list[tuple[bytes | None, bytes | None]]) -> None:
    producer = AIOKafkaProducer(**kafka.client_kwargs(), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()


async def read_topic(kafka: KafkaConnection, topic: str, timeout: float = 30.0) -> list[Any]:
    """Every record now on the topic, from the beginning to the current end of each partition."""
    consumer = AIOKafkaConsumer(**kafka.client_kwargs(), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[Any] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        async def behind() -> bool:
            return any([await consumer.position(tp) < ends[tp] for tp in partitions])

        while await behind():
            if loop.time() > deadline:
                raise TimeoutError(f"could not read {topic} to its end")
            batch = await consumer.getmany(timeout_ms=200)
            for tp_records in batch.values():
                records.extend(tp_records)
        return records
    finally:
        await consumer.stop()


async def poll_until(predicate: Any, timeout: float, message: str, interval: float = 0.1) -> Any:
    """Await an async predicate until it returns something truthy; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: Any = None
    while loop.time() < deadline:
        last = await predicate()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message} (last: {last!r})")


async def reaches(awaitable: Any, n: int) -> Any:
    """The awaited count (or list) once it has reached `n`, else None: a predicate for `poll_until`."""
    value = await awaitable
    size = len(value) if isinstance(value, list) else int(value)
    return value if size >= n else None
