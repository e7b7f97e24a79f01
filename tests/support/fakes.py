"""Fakes of the Kafka clients for unit tests of the relay and the consumer runner."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiokafka.errors import KafkaConnectionError


@dataclass
class Sent:
    topic: str
    value: bytes
    key: bytes | None
    headers: list[tuple[str, bytes]]


@dataclass
class FakeProducer:
    fail: bool = False
    sent: list[Sent] = field(default_factory=list)
    started: bool = False
    stopped: bool = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def send(
        self, topic: str, value: bytes, key: bytes | None = None, headers: list[tuple[str, bytes]] | None = None
    ) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.fail:
            future.set_exception(KafkaConnectionError("broker away"))
        else:
            self.sent.append(Sent(topic, value, key, list(headers or [])))
            future.set_result(None)
        return future

    async def send_and_wait(
        self, topic: str, value: bytes, key: bytes | None = None, headers: list[tuple[str, bytes]] | None = None
    ) -> None:
        await (await self.send(topic, value, key, headers))


@dataclass
class ProducerFactory:
    """Hands out FakeProducers and remembers them, so a test can see a producer being recreated."""

    fail_first: int = 0
    made: list[FakeProducer] = field(default_factory=list)

    def __call__(self) -> Any:
        producer = FakeProducer(fail=len(self.made) < self.fail_first)
        self.made.append(producer)
        return producer

    @property
    def sent(self) -> list[Sent]:
        return [s for p in self.made for s in p.sent]


@dataclass
class Record:
    """Just enough of aiokafka's ConsumerRecord."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)
