"""The outbox relay (docs/architecture.md, "Delivery").

Claims unpublished outbox rows, publishes them with an idempotent producer keyed by aggregate id, and marks them
published — on PostgreSQL in the transaction that claimed them (the rows stay locked meanwhile); on SQLite, whose
write transaction locks the whole database, in a short transaction after the publish. A batch is the earliest ready
rows (by `seq`, skipping rows other replicas hold: `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite, embedded and one
process, ignores the locks), cut, for each aggregate, before its first gap: an earlier unpublished row of the
aggregate that the batch does not hold (another replica has it, or it is backing off). So per-aggregate order holds
across retries and across replicas, a burst of one aggregate goes out in one batch, and finding a batch costs two
short index scans however long the backlog is.

Failures never drop a row: the batch is given back with a per-row backoff (`attempts`, `next_attempt_at`,
`last_error`) and retried forever; the producer is recreated after any failure (aio-libs/aiokafka#1017). Rows can
therefore be published more than once; consumers deduplicate by event id (rule 3).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from opentelemetry.trace import Span
from prometheus_client import Counter
from sqlalchemy import Row, Table, bindparam, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liandong.clock import Clock
from liandong.envelope import HEADER_TRACEPARENT, Envelope, envelope_headers
from liandong.messaging import stages
from liandong.messaging.kafka import bounded, stop_quietly
from liandong.tracing import Tracing, traceparent_of
from liandong.worker import PeriodicWorker

log = logging.getLogger(__name__)

PUBLISHED = Counter("liandong_outbox_published_total", "Outbox rows published", ["relay"])
DATABASE_RETRY_MAX_SECONDS = 2.0  # how long the relay waits at most between rounds while the database is away
FAILURES = Counter("liandong_outbox_publish_failures_total", "Failed outbox publish attempts", ["relay"])


class OutboxRelay(PeriodicWorker):
    def __init__(
        self,
        *,
        name: str,
        session_factory: async_sessionmaker[AsyncSession],
        outbox: Table,
        producer_factory: Callable[[], AIOKafkaProducer],
        clock: Clock,
        batch_size: int = 200,
        idle_seconds: float = 0.5,
        send_timeout: float = 15.0,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        hold_claim: bool = True,
        tracing: Tracing | None = None,
    ) -> None:
        # on PostgreSQL two lanes: a row committed while one round waits on the broker is claimed by the other at
        # once (the first round's rows are locked; an aggregate's next row waits for its earlier one, a gap)
        super().__init__(f"outbox-relay-{name}", idle_seconds, lanes=2 if hold_claim else 1)
        self._tracing = tracing
        self.relay = name
        self._sessions = session_factory
        self._outbox = outbox
        self._producer_factory = producer_factory
        self._clock = clock
        self._batch_size = batch_size
        self._idle = idle_seconds
        self._send_timeout = send_timeout
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        # PostgreSQL locks the claimed rows (FOR UPDATE SKIP LOCKED) until they are marked; SQLite locks itself
        self._hold_claim = hold_claim
        PUBLISHED.labels(name)  # the series exist at 0 from the start
        FAILURES.labels(name)
        self._producer: AIOKafkaProducer | None = None
        self._starting_producer = asyncio.Lock()
        # failures in a row: of rounds that could not reach the database, and of batches the broker did not take
        self.round_failures = 0
        self.publish_failures = 0
        self.last_success_at: datetime | None = None

    # -- lifecycle ------------------------------------------------------------------------------------------
    async def on_stop(self) -> None:
        await self._drop_producer()

    async def run_round(self) -> bool:
        return await self.run_once() >= self._batch_size

    @property
    def consecutive_failures(self) -> int:
        return self.round_failures + self.publish_failures

    def pause(self) -> float:
        if self.publish_failures:
            return self.backoff(self.publish_failures)
        if self.round_failures:  # the database is away: a failed connect costs little, and it may be back soon
            return min(self.backoff(self.round_failures), DATABASE_RETRY_MAX_SECONDS)
        return self._idle

    def round_failed(self, exc: Exception) -> None:
        self.round_failures += 1
        super().round_failed(exc)

    # -- work ---------------------------------------------------------------------------------------------
    async def run_once(self) -> int:
        """Publish one batch. Returns how many rows were published (0 when idle or on failure)."""
        now = self._clock.now()
        async with self._sessions() as session:
            if self._hold_claim:  # rows locked from the claim to the mark: no other replica publishes them
                async with session.begin():
                    rows = await self._claimed(session, now)
                    failed = await self._send(rows) if rows else None
                    await self._settle(session, rows, now, failed)
            else:
                # SQLite: a write transaction locks the whole database, so the publish (up to the send timeout while
                # the broker is away) happens between two short ones, never inside one; one relay per SQLite
                # database claims these rows, and a crash between publish and mark republishes them (inboxes drop
                # the repeat)
                async with session.begin():
                    rows = await self._claimed(session, now)
                failed = await self._send(rows) if rows else None
                if rows:
                    async with session.begin():
                        await self._settle(session, rows, now, failed)
        if not rows:
            return 0
        if failed is not None:
            FAILURES.labels(self.relay).inc()
            self.publish_failures += 1
            self.last_error = repr(failed)
            log.warning("relay %s: publish of %d rows failed: %r", self.relay, len(rows), failed)
            await self._drop_producer()
            return 0
        PUBLISHED.labels(self.relay).inc(len(rows))
        self.publish_failures = 0
        self.last_error = None
        self.last_success_at = now
        return len(rows)

    async def _claimed(self, session: AsyncSession, now: datetime) -> Sequence[Row[Any]]:
        """The batch: the earliest ready rows, cut before each aggregate's first gap."""
        claimed = list((await session.execute(self._claim(now))).all())
        self.round_failures = 0  # the database answered: a claim, even of nothing, is a success
        if not claimed:
            return []
        stages.mark("relay_claimed", (r.event_id for r in claimed))
        if await session.scalar(self._pending_up_to(claimed)) == len(claimed):  # nothing in between
            return claimed
        return self._before_gaps(claimed, (await session.execute(self._gaps(claimed))).all())

    async def _send(self, rows: Sequence[Row[Any]]) -> BaseException | None:
        try:
            await bounded(self._publish(rows), self._send_timeout, f"publishing {len(rows)} rows")
        except Exception as exc:
            return exc
        stages.mark("broker_acked", (r.event_id for r in rows))
        return None

    async def _settle(
        self, session: AsyncSession, rows: Sequence[Row[Any]], now: datetime, failed: BaseException | None
    ) -> None:
        """Rows the broker took are marked published; a batch it did not take is given back with its backoff."""
        if not rows:
            return
        if failed is not None:
            await self._give_back(session, rows, now, failed)
            return
        o = self._outbox.c
        await session.execute(
            update(self._outbox).where(o.seq.in_([r.seq for r in rows])).values(published_at=now, last_error=None)
        )

    def _claim(self, now: datetime) -> Any:
        o = self._outbox
        c = o.c
        return (
            select(c.seq, c.event_id, c.topic, c.aggregate_type, c.aggregate_id, c.envelope, c.attempts)
            .where(c.published_at.is_(None), c.next_attempt_at <= now)
            .order_by(c.seq)
            .limit(self._batch_size)
            .with_for_update(skip_locked=True, of=o)
        )

    def _pending_up_to(self, claimed: Sequence[Row[Any]]) -> Any:
        """How many rows are unpublished up to the last claimed one: the claimed rows alone when there is no gap
        (the usual case, one replica and no failures), and the gap query is not needed."""
        c = self._outbox.c
        last = max(r.seq for r in claimed)
        return select(func.count()).select_from(self._outbox).where(c.published_at.is_(None), c.seq <= last)

    def _gaps(self, claimed: Sequence[Row[Any]]) -> Any:
        """For each aggregate of the claimed rows, the first unpublished row before its last claimed one that was not
        claimed: held by another replica, or backing off."""
        c = self._outbox.c
        return (
            select(c.aggregate_type, c.aggregate_id, func.min(c.seq).label("first"))
            .where(
                c.published_at.is_(None),
                tuple_(c.aggregate_type, c.aggregate_id).in_({(r.aggregate_type, r.aggregate_id) for r in claimed}),
                c.seq < max(r.seq for r in claimed),
                c.seq.not_in([r.seq for r in claimed]),
            )
            .group_by(c.aggregate_type, c.aggregate_id)
        )

    @staticmethod
    def _before_gaps(claimed: Sequence[Row[Any]], gaps: Sequence[Row[Any]]) -> list[Row[Any]]:
        """The claimed rows that may go now: each aggregate's up to its first gap (all of them when it has none)."""
        first_gap = {(gap.aggregate_type, gap.aggregate_id): gap.first for gap in gaps}
        return [r for r in claimed if r.seq < first_gap.get((r.aggregate_type, r.aggregate_id), r.seq + 1)]

    async def _publish(self, rows: Sequence[Row[Any]]) -> None:
        producer = await self._ensure_producer()
        futures = []
        spans: list[Span] = []
        for row in rows:
            headers = envelope_headers(orjson.loads(row.envelope))
            if self._tracing is not None:
                envelope = Envelope.model_validate_json(row.envelope)
                spans.append(span := self._tracing.publishing(envelope, row.topic))
                traceparent = traceparent_of(span)
                if traceparent is not None:
                    headers.append((HEADER_TRACEPARENT, traceparent.encode()))
            key = row.aggregate_id.encode()  # the envelope's key: one aggregate's events stay on one partition
            futures.append(await producer.send(row.topic, value=row.envelope.encode(), key=key, headers=headers))
        try:
            await asyncio.gather(*futures)
        except BaseException as exc:
            for span in spans:
                Tracing.published(span, exc)
            raise
        for span in spans:
            Tracing.published(span)

    async def _give_back(
        self, session: AsyncSession, rows: Sequence[Row[Any]], now: datetime, exc: BaseException
    ) -> None:
        o = self._outbox
        await session.execute(
            update(o)
            .where(o.c.seq == bindparam("b_seq"))
            .values(
                attempts=bindparam("b_attempts"),
                next_attempt_at=bindparam("b_next"),
                last_error=bindparam("b_error"),
            ),
            [
                {
                    "b_seq": r.seq,
                    "b_attempts": r.attempts + 1,
                    "b_next": now + timedelta(seconds=self.backoff(r.attempts + 1)),
                    "b_error": repr(exc)[:2000],
                }
                for r in rows
            ],
        )

    def backoff(self, attempts: int) -> float:
        """Exponential backoff with full jitter, capped."""
        ceiling = min(self._backoff_max, self._backoff_base * (2 ** min(attempts, 16)))
        return random.uniform(ceiling / 2, ceiling)

    async def _ensure_producer(self) -> AIOKafkaProducer:
        async with self._starting_producer:  # one producer for every lane
            if self._producer is None:
                producer = self._producer_factory()
                try:
                    await bounded(producer.start(), self._send_timeout, "starting producer")
                except BaseException:
                    await stop_quietly(producer, 5, "producer that failed to start")
                    raise
                self._producer = producer
            return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await stop_quietly(producer, 5, f"relay {self.relay} producer")
