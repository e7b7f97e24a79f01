"""The dead-letter topic of a consumer group: where a message that can never be applied goes, with its reason.

The original value, key and headers are kept, with `dlt.reason`, `dlt.error`, `dlt.consumer`, `dlt.source`
(topic/partition/offset) and `dlt.at` added. A send that fails is retried with backoff until it succeeds (the
message must not be lost) or the consumer stops (then it is not committed and comes again after the restart).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiokafka import AIOKafkaProducer, ConsumerRecord
from prometheus_client import Counter

from liandong.clock import Clock
from liandong.envelope import Envelope
from liandong.messaging.kafka import bounded, stop_quietly
from liandong.pii import error_text

log = logging.getLogger(__name__)

DEAD_LETTERED = Counter("liandong_events_dead_lettered_total", "Events sent to the DLT", ["consumer", "reason"])
# every reason a letter is sent for: each series exists at 0 from the start, so `increase()` sees the first letter
REASONS = (
    "malformed_envelope",
    "contract_violation",
    "unknown_event_type",
    "unknown_schema_version",
    "unhandled_version",
    "wrong_topic",
    "producer_not_owner",
    "poison",
    "handler_failed",
)


class DeadLetterAborted(Exception):
    """The consumer is stopping while the dead-letter send still fails: the message stays uncommitted."""


class DeadLetters:
    def __init__(
        self,
        *,
        consumer: str,
        topic: str,
        producer_factory: Callable[[], AIOKafkaProducer],
        clock: Clock,
        kafka_timeout: float,
    ) -> None:
        self.consumer = consumer
        self.topic = topic
        for reason in REASONS:
            DEAD_LETTERED.labels(consumer, reason)
        self._producer_factory = producer_factory
        self._producer: AIOKafkaProducer | None = None
        self._clock = clock
        self._timeout = kafka_timeout

    async def send(
        self,
        record: ConsumerRecord[bytes, bytes],
        reason: str,
        exc: BaseException,
        envelope: Envelope | None,
        *,
        stopping: asyncio.Event,
        waiting: Callable[[], None],
    ) -> None:
        """Send `record` to the dead-letter topic; `waiting` is called before each pause between attempts."""
        headers = [
            *[(k, v) for k, v in (record.headers or ())],
            ("dlt.reason", reason.encode()),
            ("dlt.error", error_text(exc)[:4000].encode()),
            ("dlt.consumer", self.consumer.encode()),
            ("dlt.source", f"{record.topic}/{record.partition}/{record.offset}".encode()),
            ("dlt.at", self._clock.now().isoformat().encode()),
        ]
        delay = 0.2
        while True:
            try:
                if self._producer is None:
                    producer = self._producer_factory()
                    await bounded(producer.start(), self._timeout, "starting dead-letter producer")
                    self._producer = producer
                await bounded(
                    self._producer.send_and_wait(self.topic, value=record.value, key=record.key, headers=headers),
                    self._timeout,
                    "dead-lettering",
                )
                break
            except Exception as send_exc:
                log.warning("consumer %s: dead-letter send failed: %r", self.consumer, send_exc)
                await self.close()
                if stopping.is_set():
                    raise DeadLetterAborted from send_exc
                waiting()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
        DEAD_LETTERED.labels(self.consumer, reason).inc()
        log.error(
            "consumer %s: %s/%s/%s dead-lettered (%s): %s",
            self.consumer,
            record.topic,
            record.partition,
            record.offset,
            reason,
            error_text(exc),
            extra={"correlation_id": envelope.correlation_id if envelope else None},
        )

    async def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await stop_quietly(producer, 5, f"{self.consumer} dead-letter producer")
