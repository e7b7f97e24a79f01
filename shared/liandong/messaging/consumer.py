"""The inbox consumer runner (docs/architecture.md, "Delivery").

For every message: decode the envelope, parse the versioned payload into its contract, check that it came on the
contract's topic from the agency that owns that topic, then in one database transaction insert
`(consumer, event_id)` into the inbox and let the service-layer handler registered for the contract apply it.
A duplicate inbox key means "already applied". Offsets are committed only after the database commit.

- A message that can never be applied (not an envelope, unknown schema version, payload breaking its contract, on
  another topic than its contract's, from an agency that does not own the topic, a handler that declares it poison,
  or one that keeps failing) goes to the group's dead-letter topic with the error,
  and the runner moves on.
- Transient failures (database or broker away) are retried in place, forever, so per-matter order holds.
- Handlers return an `Outcome` decided by their state guard: applied, stale (ignored) or parked; it is recorded in
  the inbox row.
- A watchdog restarts the consumer when its poll loop stops making progress while there is lag, or when the loop
  dies (aio-libs/aiokafka#1154, #1187).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from aiokafka import (
    AIOKafkaConsumer,
    AIOKafkaProducer,
    ConsumerRebalanceListener,
    ConsumerRecord,
    TopicPartition,
)
from prometheus_client import Counter
from pydantic import ValidationError
from sqlalchemy import update

from liandong import audit, logs
from liandong.clock import Clock
from liandong.contracts import topics
from liandong.contracts.base import ContractError, parse_payload
from liandong.documents.claims import claim
from liandong.envelope import Envelope
from liandong.messaging import stages
from liandong.messaging.dead_letters import DeadLetterAborted, DeadLetters
from liandong.messaging.handlers import Delivery, EventHandlers, Outcome, PoisonMessage
from liandong.messaging.kafka import SESSION_TIMEOUT_MS, bounded, cancel_within, stop_quietly
from liandong.persistence.engine import upsert
from liandong.persistence.faults import database_unavailable
from liandong.persistence.uow import SqlUnitOfWork, causing_event
from liandong.tracing import Tracing

log = logging.getLogger(__name__)

HANDLED = Counter("liandong_events_handled_total", "Events handled, by outcome", ["consumer", "outcome"])
RESTARTS = Counter("liandong_consumer_restarts_total", "Consumer restarts by the watchdog", ["consumer"])


U = TypeVar("U", bound=SqlUnitOfWork)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OSError, TimeoutError)


def is_transient(exc: BaseException) -> bool:
    return database_unavailable(exc) or isinstance(exc, TRANSIENT_ERRORS)


class _Stopping(Exception):
    pass


# the least time a new member is left without partitions before the watchdog replaces it: its join may wait for a
# predecessor that left uncleanly to time out
JOIN_GRACE_SECONDS = SESSION_TIMEOUT_MS / 1000 + 5.0


class ConsumerRunner(Generic[U]):
    def __init__(
        self,
        *,
        name: str,
        group_id: str,
        handlers: EventHandlers[U],
        uow_factory: Callable[[], U],
        consumer_factory: Callable[[], AIOKafkaConsumer],
        producer_factory: Callable[[], AIOKafkaProducer],
        dead_letter_topic: str,
        clock: Clock,
        stall_seconds: float = 45.0,
        max_handler_attempts: int = 5,
        kafka_timeout: float = 15.0,
        retry_delay: float = 0.2,
        restart_when_unassigned: bool = True,
        join_grace_seconds: float = JOIN_GRACE_SECONDS,
        topic_names: Mapping[str, str] | None = None,
        tracing: Tracing | None = None,
        rewind: Callable[[str, AIOKafkaConsumer, list[TopicPartition]], Awaitable[None]] | None = None,
    ) -> None:
        self.name = name
        self._rewind = rewind  # after a restore, partitions move back to what the inbox holds (liandong.restore)
        for outcome in ("applied", "stale", "parked", "duplicate", "not_subscribed"):  # every series from 0
            HANDLED.labels(name, outcome)
        RESTARTS.labels(name)
        self._tracing = tracing
        self.group_id = group_id
        # where each catalogue topic is found: itself, unless a test isolates it on a topic of its own
        self._topic_names = dict(topic_names or {})
        self.topics = [self._topic_names.get(t, t) for t in handlers.topics()]
        self._handlers = handlers
        self._uow_factory = uow_factory
        self._consumer_factory = consumer_factory
        self.dead_letter_topic = dead_letter_topic
        self._dead_letters = DeadLetters(
            consumer=name,
            topic=dead_letter_topic,
            producer_factory=producer_factory,
            clock=clock,
            kafka_timeout=kafka_timeout,
        )
        self._clock = clock
        self._stall = stall_seconds
        self._max_attempts = max_handler_attempts
        self._kafka_timeout = kafka_timeout
        self._retry_delay = retry_delay
        self._restart_unassigned = restart_when_unassigned
        self._unassigned_limit = max(stall_seconds, join_grace_seconds)
        self._last_assigned = 0.0
        self._consumer: AIOKafkaConsumer | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._watchdog_task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._next_offsets: dict[TopicPartition, int] = {}
        self._uncommitted: dict[TopicPartition, int] = {}
        self._committing: asyncio.Task[None] | None = None
        self._last_poll = 0.0
        self._last_progress = 0.0
        self.restarts = 0
        self.last_error: str | None = None

    # -- lifecycle ------------------------------------------------------------------------------------------
    async def start(self) -> None:
        self._stopping.clear()
        self._touch()
        self._last_assigned = asyncio.get_running_loop().time()
        self._loop_task = asyncio.create_task(self._consume_forever(), name=f"consumer-{self.name}")
        self._watchdog_task = asyncio.create_task(self._watchdog(), name=f"consumer-watchdog-{self.name}")

    async def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        for task in (self._watchdog_task, self._loop_task):
            if task is None:
                continue
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout)
            except (TimeoutError, asyncio.CancelledError, Exception):
                await cancel_within(task, 5, f"consumer {self.name}")
        self._loop_task = self._watchdog_task = None
        await self._close_consumer()
        await self._dead_letters.close()

    def status(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        return {
            "running": self._loop_task is not None and not self._loop_task.done(),
            "healthy": self.healthy,
            "seconds_since_poll": round(loop.time() - self._last_poll, 1),
            "assigned_partitions": len(self._consumer.assignment()) if self._consumer else 0,
            "restarts": self.restarts,
            "last_error": self.last_error,
        }

    async def lag(self) -> int | None:
        """Messages on the broker past what this member has applied, over its partitions (None when unknown)."""
        consumer = self._consumer
        if consumer is None or not consumer.assignment():
            return None
        total = 0
        for tp in consumer.assignment():
            end = consumer.highwater(tp)
            if end is None:
                return None
            position = self._next_offsets.get(tp)
            if position is None:
                try:
                    position = await bounded(consumer.committed(tp), 2, "reading commits") or 0
                except Exception:
                    return None
            total += max(0, end - position)
        return total

    @property
    def healthy(self) -> bool:
        if self._loop_task is None or self._loop_task.done() or self._consumer is None:
            return False
        return asyncio.get_running_loop().time() - self._last_poll < self._stall

    # -- the poll loop --------------------------------------------------------------------------------------
    def _touch(self, progress: bool = True) -> None:
        now = asyncio.get_running_loop().time()
        self._last_poll = now
        if progress:
            self._last_progress = now

    async def _open_consumer(self) -> AIOKafkaConsumer:
        delay = 0.2
        while not self._stopping.is_set():
            consumer = self._consumer_factory()
            consumer.subscribe(self.topics, listener=_CommitOnRevoke(self, consumer))
            try:
                await bounded(consumer.start(), self._kafka_timeout, f"starting consumer {self.name}")
                self._consumer = consumer
                return consumer
            except Exception as exc:
                self.last_error = repr(exc)
                log.warning("consumer %s could not start: %r", self.name, exc)
                await stop_quietly(consumer, 5, f"consumer {self.name}")
                self._touch(progress=False)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        raise _Stopping

    async def _close_consumer(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await self._commit_pending(consumer)
            await stop_quietly(consumer, 10, f"consumer {self.name}")

    async def _consume_forever(self) -> None:
        try:
            consumer = await self._open_consumer()
            while not self._stopping.is_set():
                batches = await consumer.getmany(timeout_ms=500, max_records=200)
                self._touch(progress=bool(batches))
                for tp, records in batches.items():
                    for record in records:
                        await self._process(record)
                        self._uncommitted[tp] = record.offset + 1
                        self._next_offsets[tp] = record.offset + 1
                        self._touch()
                # one offset commit for the whole poll (every partition's records are in the database by now), made
                # while the next poll runs: the next records need not wait on its broker round trip. A poll that
                # finds nothing commits what was left while a commit was in flight.
                self._commit_in_background(consumer)
        except _Stopping:
            return

    def _commit_in_background(self, consumer: AIOKafkaConsumer) -> None:
        """One commit at a time; offsets applied while it runs go with the next (the inbox makes an offset that is
        committed late harmless: what is read again is a duplicate)."""
        if self._uncommitted and (self._committing is None or self._committing.done()):
            self._committing = asyncio.create_task(self._commit_now(consumer), name=f"commit-{self.name}")

    async def _commit_pending(self, consumer: AIOKafkaConsumer) -> None:
        """Everything applied, committed now (partitions revoked, the consumer closing): after any commit in flight."""
        committing = self._committing
        if committing is not None and committing is not asyncio.current_task():
            await asyncio.wait([committing], timeout=self._kafka_timeout)
        await self._commit_now(consumer)

    async def _commit_now(self, consumer: AIOKafkaConsumer) -> None:
        if not self._uncommitted:
            return
        offsets, self._uncommitted = self._uncommitted, {}
        try:
            await bounded(consumer.commit(offsets), self._kafka_timeout, f"committing {self.name} offsets")
        except Exception as exc:
            log.warning("consumer %s: offset commit failed (%r); redelivery will be deduplicated", self.name, exc)

    async def replay(self, record: ConsumerRecord[bytes, bytes], timeout: float = 30.0) -> None:
        """Apply a dead letter again in this process, as if `record` had just been read: the same checks, the inbox
        and the handler; a letter that fails again is dead-lettered again. Bounded: a database that stays away
        makes this raise TimeoutError rather than retry for ever."""
        try:
            await asyncio.wait_for(self._process(record), timeout)
        except _Stopping as stopping:
            raise TimeoutError(f"consumer {self.name} is stopping") from stopping

    # -- one message ----------------------------------------------------------------------------------------
    async def _process(self, record: ConsumerRecord[bytes, bytes]) -> None:
        try:
            envelope = Envelope.from_bytes(record.value)
        except (ValidationError, ValueError) as exc:
            await self._dead_letter(record, "malformed_envelope", exc)
            return
        stages.mark("consumer_received", (str(envelope.event_id),))
        if not self._handlers.handles(envelope.event_type):
            HANDLED.labels(self.name, "not_subscribed").inc()
            return  # the topic carries event types this service does not consume
        try:
            payload = parse_payload(envelope)
        except ContractError as exc:
            await self._dead_letter(record, exc.reason, exc)
            return
        contract = type(payload)
        handler = self._handlers.handler_for(contract)
        if handler is None:
            await self._dead_letter(record, "unhandled_version", ValueError(f"no handler for {contract.__name__}"))
            return
        if record.topic != self._topic_names.get(contract.topic, contract.topic):
            reason = f"{envelope.event_type} travels on {contract.topic}, not {record.topic}"
            await self._dead_letter(record, "wrong_topic", ValueError(reason), envelope)
            return
        owner = topics.owner(contract.topic)
        if envelope.producer.agency != owner:
            reason = f"{record.topic} is written by the {owner}, not the {envelope.producer.agency}"
            await self._dead_letter(record, "producer_not_owner", ValueError(reason), envelope)
            return
        delivery = Delivery(envelope, payload, record.topic, record.partition, record.offset)
        attempts = 0
        delay = self._retry_delay
        while True:
            try:
                outcome = await self._apply(delivery, handler, record.headers)
                HANDLED.labels(self.name, outcome).inc()
                return
            except PoisonMessage as exc:
                await self._dead_letter(record, "poison", exc, envelope)
                return
            except Exception as exc:
                self.last_error = repr(exc)
                attempts += 1
                if not is_transient(exc) and attempts >= self._max_attempts:
                    log.exception("consumer %s: %s failed %d times", self.name, envelope.event_id, attempts)
                    await self._dead_letter(record, "handler_failed", exc, envelope)
                    return
                log.warning("consumer %s: retrying %s after %r", self.name, envelope.event_id, exc)
            if self._stopping.is_set():
                raise _Stopping  # not committed: the message comes again after restart
            self._touch(progress=False)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    async def _apply(
        self,
        delivery: Delivery[Any],
        handler: Callable[[Delivery[Any], U], Awaitable[Outcome]],
        headers: Sequence[tuple[str, bytes]] = (),
    ) -> str:
        env = delivery.envelope
        token = logs.correlation_id.set(env.correlation_id)
        # the act is the other agency's: the audit trail names it, its unit and its event
        act = audit.Act(
            actor=f"event:{env.producer.agency}",
            role="event",
            unit=env.producer.unit,
            action=env.event_type,
            request_id=str(env.event_id),
        )
        act_token = audit.current_act.set(act)
        cause_token = causing_event.set(env.event_id)
        try:
            if self._tracing is None:
                return await self._apply_in_transaction(delivery, handler)
            with self._tracing.processing(env, delivery.topic, self.group_id, headers) as span:
                outcome = await self._apply_in_transaction(delivery, handler)
                span.set_attribute("liandong.outcome", outcome)
                return outcome
        finally:
            causing_event.reset(cause_token)
            audit.current_act.reset(act_token)
            logs.correlation_id.reset(token)

    async def _apply_in_transaction(
        self, delivery: Delivery[Any], handler: Callable[[Delivery[Any], U], Awaitable[Outcome]]
    ) -> str:
        env = delivery.envelope
        async with self._uow_factory() as uow:
            inbox = uow.tables.inbox
            # one statement: the inbox row, unless this consumer applied the event already (then nothing returns);
            # a replica applying it at the same moment waits on the key and then finds it there
            entered = await uow.session.scalar(
                upsert(uow.session, inbox)
                .values(
                    consumer=self.name,
                    event_id=str(env.event_id),
                    event_type=env.event_type,
                    correlation_id=env.correlation_id,
                    outcome=Outcome.APPLIED.value,
                    received_at=self._clock.now(),
                    occurred_at=env.occurred_at,
                    envelope=env.to_json(),
                    topic=delivery.topic,
                    partition=delivery.partition,
                    offset=delivery.offset,
                )
                .on_conflict_do_nothing(index_elements=[inbox.c.consumer, inbox.c.event_id])
                .returning(inbox.c.event_id)
            )
            if entered is None:
                return "duplicate"
            stages.mark("handler_started", (str(env.event_id),))
            outcome = await handler(delivery, uow)
            foreign = uow.matters() - {env.correlation_id}
            if foreign:  # rolled back with its inbox row, and dead-lettered
                raise PoisonMessage(
                    f"an event of matter {env.correlation_id} touches records of matter(s) {sorted(foreign)}"
                )
            if outcome is Outcome.APPLIED and env.documents:  # the act's papers, to fetch and verify
                await claim(uow.session, uow.tables, env, self._clock.now())
            if outcome is not Outcome.APPLIED:
                await uow.session.execute(
                    update(inbox)
                    .where(inbox.c.consumer == self.name, inbox.c.event_id == str(env.event_id))
                    .values(outcome=outcome.value)
                )
            await uow.commit()
            stages.mark("inbox_committed", (str(env.event_id),))
            return outcome.value

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], reason: str, exc: BaseException, envelope: Envelope | None = None
    ) -> None:
        try:
            await self._dead_letters.send(
                record, reason, exc, envelope, stopping=self._stopping, waiting=lambda: self._touch(progress=False)
            )
        except DeadLetterAborted as aborted:
            raise _Stopping from aborted

    # -- watchdog -------------------------------------------------------------------------------------------
    async def _lagging(self) -> bool:
        """True when the broker holds messages past what we have applied on a partition we own.

        End offsets are asked of the broker rather than read from the last fetch, since a stalled consumer
        fetches nothing and its cached high-water mark never moves.
        """
        consumer = self._consumer
        if consumer is None or not consumer.assignment():
            return False
        assigned = list(consumer.assignment())
        try:
            ends = await bounded(consumer.end_offsets(assigned), self._kafka_timeout, "reading end offsets")
        except Exception:
            return False
        for tp in assigned:
            position = self._next_offsets.get(tp)
            if position is None:
                try:
                    committed = await bounded(consumer.committed(tp), self._kafka_timeout, "reading commits")
                except Exception:
                    continue
                position = committed or 0
            if ends.get(tp, 0) > position:
                return True
        return False

    async def _watchdog(self) -> None:
        loop = asyncio.get_running_loop()
        interval = max(self._stall / 5, 0.2)
        while not self._stopping.is_set():
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=interval)
                return
            except TimeoutError:
                pass
            now = loop.time()
            if self._consumer is not None and self._consumer.assignment():
                self._last_assigned = now
            dead = self._loop_task is None or self._loop_task.done()
            stuck = now - self._last_poll > self._stall
            stalled = now - self._last_progress > self._stall and await self._lagging()
            # aio-libs/aiokafka#1187: a member left without partitions may never rejoin. With as many partitions as
            # replicas or more (the deployment's rule), an empty assignment that lasts is a fault.
            # …but a new member's join waits for a predecessor that left uncleanly to time out (the session timeout):
            # restarting it sooner would leave another such predecessor, and the group would never settle
            orphaned = self._restart_unassigned and now - self._last_assigned > self._unassigned_limit
            if dead or stuck or stalled or orphaned:
                why = (
                    "loop ended"
                    if dead
                    else "poll stuck"
                    if stuck
                    else "lag without progress"
                    if stalled
                    else "no partitions assigned"
                )
                if dead and self._loop_task is not None and not self._loop_task.cancelled():
                    error = self._loop_task.exception()
                    if error is not None:
                        self.last_error = repr(error)
                log.warning("consumer %s: watchdog restarts the consumer (%s)", self.name, why)
                await self._restart()

    async def _restart(self) -> None:
        self.restarts += 1
        self._last_assigned = asyncio.get_running_loop().time()  # a new member gets its own grace period
        RESTARTS.labels(self.name).inc()
        if self._loop_task is not None and not self._loop_task.done():
            await cancel_within(self._loop_task, 5, f"consumer {self.name} poll loop")
        self._uncommitted.clear()  # only offsets whose messages are applied were ever put here; re-reading is safe
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await stop_quietly(consumer, 10, f"consumer {self.name}")
        self._touch()
        self._loop_task = asyncio.create_task(self._consume_forever(), name=f"consumer-{self.name}")


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    """Commit what has been applied before partitions move to another member."""

    def __init__(self, runner: ConsumerRunner[Any], consumer: AIOKafkaConsumer) -> None:
        self._runner = runner
        self._consumer = consumer  # the group may assign partitions before the runner holds it (during its start)

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        consumer = self._runner._consumer
        if consumer is not None:
            await self._runner._commit_pending(consumer)
        for tp in revoked:
            self._runner._next_offsets.pop(tp, None)

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        if self._runner._rewind is not None and assigned:
            try:
                await self._runner._rewind(self._runner.name, self._consumer, list(assigned))
            except Exception as exc:  # the restore stays pending: the next assignment rewinds
                log.error("consumer %s: the rewind after a restore failed (%r)", self._runner.name, exc)
