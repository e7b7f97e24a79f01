"""The dead letters of a service's consumer group, for the ops team: read them from the group's dead-letter topic,
replay one (or all matching a filter) — handed to the service's consumer as if it had just come on the topic it came
from: the same checks, the inbox (so a replayed event is applied once), the handler; one that fails again is
dead-lettered again — or discard one with a recorded reason. A replay never writes the source topic: that topic
belongs to another agency, and the broker's ACLs let no service write another's topics. Every replay and discard is
kept in the service's database (`dead_letter_actions`: who, when, what, why), which is also how a letter shows as
handled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Gauge
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liandong import audit
from liandong.clock import Clock
from liandong.contracts.base import ContractError, parse_payload
from liandong.contracts.topics import dead_letter_topic
from liandong.envelope import Envelope
from liandong.errors import Conflict, DomainError, NotFound
from liandong.messaging.kafka import KafkaConnection, bounded, stop_quietly
from liandong.persistence.tables import CommonTables
from liandong.pii import scrub
from liandong.worker import PeriodicWorker

log = logging.getLogger(__name__)


class Replays(Protocol):
    async def replay(self, record: ConsumerRecord[bytes, bytes]) -> None: ...


@dataclass(frozen=True)
class DeadLetter:
    id: str  # the dead-letter record's own place: "<dlt topic>/<partition>/<offset>"
    reason: str
    error: str
    consumer: str
    source: str  # where the event was consumed from: "<topic>/<partition>/<offset>"
    dead_lettered_at: str
    key: str | None
    event_type: str | None
    event_id: str | None
    correlation_id: str | None
    value: bytes = field(repr=False)
    headers: tuple[tuple[str, bytes], ...] = field(repr=False)

    def as_consumed(self) -> ConsumerRecord[bytes, bytes]:
        """The record as the consumer first read it: its source topic, partition and offset, its own headers."""
        topic, partition, offset = self.source.rsplit("/", 2)
        key = self.key.encode() if self.key is not None else None
        headers = [(k, v) for k, v in self.headers if not k.startswith("dlt.")]
        headers.append(("dlq.replayed_from", self.id.encode()))
        return ConsumerRecord(
            topic=topic,
            partition=int(partition),
            offset=int(offset),
            timestamp=0,
            timestamp_type=0,
            key=key,
            value=self.value,
            checksum=None,
            serialized_key_size=len(key or b""),
            serialized_value_size=len(self.value),
            headers=headers,
        )

    def matches(self, *, event_type: str | None, reason: str | None, correlation_id: str | None) -> bool:
        return (
            (event_type is None or self.event_type == event_type)
            and (reason is None or self.reason == reason)
            and (correlation_id is None or self.correlation_id == correlation_id)
        )


def _letter(record: Any) -> DeadLetter:
    headers = tuple((k, v) for k, v in record.headers or ())
    dlt = {k: v.decode(errors="replace") for k, v in headers if k.startswith("dlt.")}
    try:
        envelope: Envelope | None = Envelope.model_validate_json(record.value)
    except ValueError:
        envelope = None
    return DeadLetter(
        id=f"{record.topic}/{record.partition}/{record.offset}",
        reason=dlt.get("dlt.reason", "?"),
        error=scrub(dlt.get("dlt.error", "")),  # letters written before errors were scrubbed at the source
        consumer=dlt.get("dlt.consumer", ""),
        source=dlt.get("dlt.source", ""),
        dead_lettered_at=dlt.get("dlt.at", ""),
        key=record.key.decode(errors="replace") if record.key else None,
        event_type=envelope.event_type if envelope else None,
        event_id=str(envelope.event_id) if envelope else None,
        correlation_id=envelope.correlation_id if envelope else None,
        value=record.value or b"",
        headers=headers,
    )


async def read_dead_letters(connection: KafkaConnection, group_id: str, *, timeout: float = 15.0) -> list[DeadLetter]:
    """Every record of the group's dead-letter topic, oldest first (read without a group: nothing is committed)."""
    topic = dead_letter_topic(group_id)
    consumer = AIOKafkaConsumer(**connection.client_kwargs(), enable_auto_commit=False, group_id=None)
    letters: list[DeadLetter] = []
    try:
        await bounded(consumer.start(), timeout, "starting the dead-letter reader")
        # a consumer without a subscription knows no partitions until its metadata is refreshed (aiokafka)
        await bounded(consumer._client.force_metadata_update(), timeout, "reading the topics' metadata")
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await bounded(consumer.end_offsets(partitions), timeout, "reading the dead-letter offsets")
        remaining = {tp for tp in partitions if ends[tp] > 0}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while remaining and loop.time() < deadline:
            batches = await consumer.getmany(*remaining, timeout_ms=500)
            for tp, records in batches.items():
                letters.extend(_letter(r) for r in records)
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
        if remaining:
            raise TimeoutError(f"could not read {topic} to its end within {timeout}s")
    finally:
        await stop_quietly(consumer, 5, "dead-letter reader")
    return letters


GROUP_LAG = Gauge(
    "liandong_consumer_group_lag",
    "Messages past the group's committed offsets, from the broker (a stopped consumer cannot under-report it)",
    ["group"],
)
UNHANDLED = Gauge(
    "liandong_dead_letters_unhandled",
    "Dead letters on the topic neither replayed nor discarded (alert while above 0)",
    ["consumer"],
)


async def dead_letter_span(
    connection: KafkaConnection, group_id: str, *, timeout: float = 15.0
) -> dict[int, tuple[int, int]]:
    """The offsets the group's dead-letter topic holds, by partition: (first kept, next to be written)."""
    topic = dead_letter_topic(group_id)
    consumer = AIOKafkaConsumer(**connection.client_kwargs(), enable_auto_commit=False, group_id=None)
    try:
        await bounded(consumer.start(), timeout, "starting the dead-letter reader")
        await bounded(consumer._client.force_metadata_update(), timeout, "reading the topics' metadata")
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        if not partitions:
            return {}
        starts = await bounded(consumer.beginning_offsets(partitions), timeout, "reading the dead-letter offsets")
        ends = await bounded(consumer.end_offsets(partitions), timeout, "reading the dead-letter offsets")
        return {tp.partition: (starts[tp], ends[tp]) for tp in partitions}
    finally:
        await stop_quietly(consumer, 5, "dead-letter reader")


def unhandled_count(span: dict[int, tuple[int, int]], topic: str, handled_ids: set[str]) -> int:
    """Letters still on the topic (its retention may have dropped older ones) that have no action recorded."""
    letters = sum(end - start for start, end in span.values())
    done = 0
    for letter_id in handled_ids:
        name, _, rest = letter_id.partition("/")
        partition, _, offset = rest.partition("/")
        if name == topic and partition.isdigit() and offset.isdigit() and int(partition) in span:
            start, end = span[int(partition)]
            done += start <= int(offset) < end
    return max(letters - done, 0)


async def group_lag(connection: KafkaConnection, group_id: str, *, timeout: float = 15.0) -> int:
    """How far the group's committed offsets are behind the end of its partitions, as the broker knows them."""
    admin = AIOKafkaAdminClient(**connection.client_kwargs(), request_timeout_ms=int(timeout * 1000))
    consumer = AIOKafkaConsumer(**connection.client_kwargs(), enable_auto_commit=False, group_id=None)
    try:
        await bounded(admin.start(), timeout, "starting the admin client")
        committed = await bounded(admin.list_consumer_group_offsets(group_id), timeout, "reading the group's offsets")
        if not committed:
            return 0
        await bounded(consumer.start(), timeout, "starting the offsets reader")
        ends = await bounded(consumer.end_offsets(list(committed)), timeout, "reading the topics' ends")
        return sum(max(ends[tp] - meta.offset, 0) for tp, meta in committed.items() if meta.offset >= 0)
    finally:
        await stop_quietly(consumer, 5, "offsets reader")
        try:
            await bounded(admin.close(), 5, "closing the admin client")
        except Exception:  # closing is best effort
            log.debug("admin client close failed", exc_info=True)


class DeadLetterWatch(PeriodicWorker):
    """The group as the broker sees it, every minute: `liandong_dead_letters_unhandled` — the letters on the group's
    topic, from the broker's offsets, less those replayed or discarded, from the service's own records (the alert
    fires from the first letter, survives restarts, and clears when ops have dealt with them) — and
    `liandong_consumer_group_lag`, the committed offsets against the log end (what a dead consumer cannot
    under-report)."""

    def __init__(
        self,
        *,
        connection: KafkaConnection,
        group_id: str,
        sessions: async_sessionmaker[AsyncSession],
        tables: CommonTables,
        every_seconds: float = 60.0,
    ) -> None:
        super().__init__(f"dead-letter-watch-{group_id}", every_seconds)
        self.connection = connection
        self.group_id = group_id
        self.sessions = sessions
        self.tables = tables
        self.unhandled: int | None = None
        self.lag: int | None = None

    async def run_round(self) -> bool:
        span = await dead_letter_span(self.connection, self.group_id)
        a = self.tables.dead_letter_actions
        async with self.sessions() as session:
            handled = set((await session.execute(select(a.c.dlt_id))).scalars())
        self.unhandled = unhandled_count(span, dead_letter_topic(self.group_id), handled)
        UNHANDLED.labels(self.group_id).set(self.unhandled)
        self.lag = await group_lag(self.connection, self.group_id)
        GROUP_LAG.labels(self.group_id).set(self.lag)
        return False


@dataclass
class DeadLetterDesk:
    """What ops do with a service's dead letters."""

    connection: KafkaConnection
    group_id: str
    sessions: async_sessionmaker[AsyncSession]
    tables: CommonTables
    clock: Clock
    # the service's consumer, which applies a replayed letter (ConsumerRunner.replay)
    consumer: Replays

    async def handled(self) -> dict[str, dict[str, Any]]:
        a = self.tables.dead_letter_actions
        async with self.sessions() as session:
            rows = (await session.execute(select(a))).all()
        return {r.dlt_id: dict(r._mapping) for r in rows}

    async def letters(
        self, *, event_type: str | None = None, reason: str | None = None, correlation_id: str | None = None
    ) -> list[tuple[DeadLetter, dict[str, Any] | None]]:
        """The dead letters matching the filter, each with what was done with it (None: nothing yet)."""
        done = await self.handled()
        found = await read_dead_letters(self.connection, self.group_id)
        chosen = [d for d in found if d.matches(event_type=event_type, reason=reason, correlation_id=correlation_id)]
        return [(d, done.get(d.id)) for d in chosen]

    async def one(self, letter_id: str) -> tuple[DeadLetter, dict[str, Any] | None]:
        for letter, action in await self.letters():
            if letter.id == letter_id:
                return letter, action
        raise NotFound(f"no dead letter {letter_id}")

    async def replay(self, letter_ids: Sequence[str], *, actor: str, reason: str) -> list[str]:
        """Hand the letters to the service's consumer again, as they first came (the dead-letter headers removed);
        each replay is recorded. A letter that no longer parses is refused, and nothing is replayed."""
        pending = await self._pending(letter_ids)
        for letter in pending:
            try:
                parse_payload(Envelope.model_validate_json(letter.value))
            except (ValueError, ContractError) as exc:
                raise DomainError(
                    f"dead letter {letter.id} does not parse as an event of today's contracts: {exc}",
                    code="unparseable",
                ) from exc
        for letter in pending:
            await self.consumer.replay(letter.as_consumed())
            await self._record(letter, "replayed", reason, actor)
        return [letter.id for letter in pending]

    async def discard(self, letter_id: str, *, actor: str, reason: str) -> None:
        if not reason.strip():
            raise DomainError("a discarded event gives its reason", code="reason_required")
        (letter,) = await self._pending([letter_id])
        await self._record(letter, "discarded", reason, actor)

    async def _pending(self, letter_ids: Sequence[str]) -> list[DeadLetter]:
        if not letter_ids:
            raise DomainError("no dead letter matches", code="no_match")
        everything = {d.id: (d, a) for d, a in await self.letters()}
        pending = []
        for letter_id in letter_ids:
            if letter_id not in everything:
                raise NotFound(f"no dead letter {letter_id}")
            letter, action = everything[letter_id]
            if action is not None:
                raise Conflict(
                    f"dead letter {letter_id} was {action['action']} already", code=f"already_{action['action']}"
                )
            pending.append(letter)
        return pending

    async def _record(self, letter: DeadLetter, action: str, reason: str, actor: str) -> None:
        at = self.clock.now()
        row = {
            "dlt_id": letter.id,
            "action": action,
            "reason": reason,
            "actor": actor,
            "at": at,
            "event_type": letter.event_type,
            "event_id": letter.event_id,
        }
        act = audit.current_act.get() or audit.Act(actor=actor, role="ops", unit="", action=f"dead_letter.{action}")
        subjects = [("dead_letter", letter.id)] + ([("matter", letter.correlation_id)] if letter.correlation_id else [])
        async with self.sessions() as session, session.begin():
            await session.execute(insert(self.tables.dead_letter_actions).values(**row))
            await audit.append_act(session, self.tables, act=act, at=at, subjects=subjects, writes=[row])


def letter_view(letter: DeadLetter, action: dict[str, Any] | None) -> dict[str, Any]:
    """A dead letter as the API and the command line show it."""
    view: dict[str, Any] = {
        k: getattr(letter, k)
        for k in (
            "id",
            "reason",
            "error",
            "consumer",
            "source",
            "dead_lettered_at",
            "key",
            "event_type",
            "event_id",
            "correlation_id",
        )
    }
    view["handled"] = None
    if action is not None:
        at = action["at"]
        view["handled"] = {**action, "at": at.isoformat() if isinstance(at, datetime) else str(at)}
    return view


async def outbox_status(
    sessions: async_sessionmaker[AsyncSession], tables: CommonTables, now: datetime, *, limit: int = 50
) -> dict[str, Any]:
    """The outbox as ops read it: unpublished rows, the oldest's age, and the rows backing off with their last error."""
    o = tables.outbox
    pending = o.c.published_at.is_(None)
    async with sessions() as session:
        count = await session.scalar(select(func.count()).where(pending))
        oldest = await session.scalar(select(o.c.created_at).where(pending).order_by(o.c.seq).limit(1))
        failing = (
            await session.execute(
                select(o.c.seq, o.c.event_type, o.c.topic, o.c.attempts, o.c.next_attempt_at, o.c.last_error)
                .where(pending, o.c.attempts > 0)
                .order_by(o.c.seq)
                .limit(limit)
            )
        ).all()
    return {
        "unpublished": int(count or 0),
        "oldest_age_seconds": (now - oldest).total_seconds() if oldest is not None else None,
        "backing_off": [{**r._mapping, "next_attempt_at": r.next_attempt_at.isoformat()} for r in failing],
    }
