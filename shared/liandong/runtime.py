"""What one running service is made of, and how it starts and stops.

A service describes itself with a `ServiceSpec` (its agency, tables, migrations, translator, event handlers and
routes); `Runtime` holds the live parts built from it: engine, sessions, relay, consumers, tracker, workers.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from aiokafka.structs import TopicPartition
from fastapi import APIRouter
from sqlalchemy import MetaData, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from liandong import restore
from liandong.accounts import DevAccount, disable_development_accounts, seed_accounts
from liandong.api.kept import KeptAnswers
from liandong.clock import Clock, OffsetClock, SystemClock
from liandong.config import ServiceSettings
from liandong.console.spec import ConsoleSpec
from liandong.contracts import topics
from liandong.deadlines.breaches import add_peer_handlers
from liandong.deadlines.engine import DeadlineEngine
from liandong.deadlines.tracker import DeadlineTracker
from liandong.documents.claims import DocumentFetcher, claims_status
from liandong.envelope import Agency
from liandong.messaging.admin import ensure_topics
from liandong.messaging.consumer import ConsumerRunner
from liandong.messaging.dlq import DeadLetterWatch
from liandong.messaging.handlers import EventHandlers
from liandong.messaging.kafka import (
    bounded,
    cancel_within,
    idempotent_producer,
    manual_commit_consumer,
    service_connection,
)
from liandong.messaging.relay import OutboxRelay
from liandong.peers import PeerClient
from liandong.persistence import migrations
from liandong.persistence.engine import create_engine, is_sqlite, read_only_engine, session_factory
from liandong.persistence.faults import database_unavailable
from liandong.persistence.stamps import Stamping, View
from liandong.persistence.tables import CommonTables
from liandong.persistence.uow import SqlUnitOfWork, Translator, reads_only
from liandong.sla.calendar import LegalCalendar
from liandong.tracing import Tracing

log = logging.getLogger(__name__)

DEV_PASSWORD = "liandong-dev"


@dataclass(frozen=True)
class ServiceSpec:
    agency: Agency
    title: str
    metadata: MetaData
    tables: CommonTables
    migrations: str
    translate: Translator
    handlers: EventHandlers[Any]  # what the service consumes: contract class → service-layer handler
    routers: Sequence[APIRouter]
    roles: Sequence[str] = ()  # the staff roles of this service (accounts are given one of them)
    dev_accounts: Sequence[DevAccount] = ()
    body_limit_overrides: Mapping[str, int] = field(default_factory=dict)
    unit_of_work: type[SqlUnitOfWork] = SqlUnitOfWork
    deadline_roles: Sequence[str] = ()  # who may manage deadlines by hand through /deadlines
    ops_roles: Sequence[str] = ("admin",)  # who may read and act on dead letters and the outbox (/ops)
    audit_roles: Sequence[str] = ("admin",)  # who may read the audit trail (/audit)
    # where the service's own records say which units a matter belongs to: (table, matter column, unit column); the
    # timeline admits a reader of those units (and the city), never one whose unit only appears in received events
    matter_units: Sequence[tuple[Table, str, str]] = ()
    # the service's own background workers (e.g. the police evidence fetcher), built from the runtime
    workers: Sequence[Callable[[Runtime], Worker]] = ()
    console: ConsoleSpec | None = None  # the staff console's records, acts and queues (/console/)
    # the records whose documents are listed at /{collection}/{id}/documents: (collection, record type)
    documents_of: Sequence[tuple[str, str]] = ()
    # the evidence files of a matter this service holds, for the matter's file catalogue (liandong.api.documents)
    matter_files: Callable[[AsyncSession, str], Awaitable[Sequence[Any]]] | None = None
    # the answers kept ready (liandong.api.kept): what each reads, so that the acts writing it stamp it
    views: Sequence[View] = ()


AGENCY_SERVICES: tuple[Agency, ...] = ("court", "police", "procuratorate")


def service_spec(name: str) -> ServiceSpec:
    """An agency service's spec, named at run time (the library does not import the services)."""
    spec: ServiceSpec = importlib.import_module(f"liandong_{name}.bootstrap").spec()
    return spec


def consumed_handlers(spec: ServiceSpec) -> EventHandlers[Any]:
    """Everything the service consumes: its own handlers and the other agencies' deadline events."""
    return add_peer_handlers(spec.handlers.copy(), spec.agency)


def consumed_topics() -> dict[str, list[str]]:
    """The topics each agency service reads, from its handlers (what its broker ACLs allow it to read)."""
    return {name: consumed_handlers(service_spec(name)).topics() for name in AGENCY_SERVICES}


class Worker(Protocol):
    def start(self) -> None: ...

    async def stop(self) -> None: ...

    @property
    def running(self) -> bool: ...


class Runtime:
    def __init__(
        self, spec: ServiceSpec, settings: ServiceSettings, clock: Clock | None = None, tracing: Tracing | None = None
    ) -> None:
        self.spec = spec
        self.tracing = tracing
        self.agency = spec.agency
        self.settings = settings
        # a clock the development and test environments may move (POST /testing/clock); production never
        offset = timedelta(seconds=settings.testing_clock_offset_seconds)
        self.clock: Clock = clock or (
            OffsetClock.starting_at(settings.testing_clock_start, offset) if settings.is_development else SystemClock()
        )
        self.tables = spec.tables
        self.engine: AsyncEngine = create_engine(settings.database_url, pool_size=settings.database_pool_size)
        self.session_factory: async_sessionmaker[AsyncSession] = session_factory(self.engine)
        reads = read_only_engine(self.engine)
        self.read_session_factory = session_factory(reads)  # for requests that only read
        self.stamping = Stamping.of(spec.views)
        kept_bytes = settings.kept_answers_mib << 20
        self.kept = KeptAnswers(spec.agency, reads, self.tables.view_stamps, spec.views, kept_bytes)
        if tracing is not None:
            tracing.instrument_engine(self.engine)
        self.group_id = topics.consumer_group(spec.agency)
        client_id = f"liandong-{spec.agency}{settings.kafka_client_id_suffix}"
        self.kafka = connection = service_connection(settings, spec.agency)
        self.relay = OutboxRelay(
            name=spec.agency,
            session_factory=self.session_factory,
            outbox=self.tables.outbox,
            producer_factory=lambda: idempotent_producer(connection, f"{client_id}-relay"),
            clock=self.clock,
            batch_size=settings.relay_batch_size,
            idle_seconds=settings.relay_idle_seconds,
            send_timeout=settings.relay_send_timeout_seconds,
            backoff_max=settings.relay_backoff_max_seconds,
            hold_claim=not is_sqlite(settings.database_url),
            tracing=tracing,
        )
        self.calendar = LegalCalendar(settings.calendar_extra_holidays, settings.calendar_extra_workdays)
        self.deadlines = DeadlineEngine(
            agency=spec.agency,
            tables=self.tables,
            clock=self.clock,
            calendar=self.calendar,
            window_overrides=settings.sla_window_overrides,
            late_after=timedelta(seconds=settings.sla_late_after_seconds),
            batch_size=settings.sla_batch_size,
        )
        self.tracker = DeadlineTracker(self.deadlines, self.uow, settings.sla_tick_seconds)
        handlers = consumed_handlers(spec)
        self.consumers: list[ConsumerRunner[Any]] = []
        if handlers:
            self.consumers.append(
                ConsumerRunner(
                    name=self.group_id,
                    group_id=self.group_id,
                    handlers=handlers,
                    uow_factory=self.uow,
                    consumer_factory=lambda: manual_commit_consumer(
                        connection, self.group_id, client_id, settings.kafka_group_instance_id or None
                    ),
                    producer_factory=lambda: idempotent_producer(connection, f"{client_id}-dlt"),
                    dead_letter_topic=topics.dead_letter_topic(self.group_id),
                    clock=self.clock,
                    stall_seconds=settings.consumer_stall_seconds,
                    max_handler_attempts=settings.consumer_max_handler_attempts,
                    restart_when_unassigned=settings.consumer_restart_when_unassigned,
                    tracing=tracing,
                    rewind=self.rewind_after_restore,
                )
            )
        self.workers: list[Worker] = [make(self) for make in spec.workers]
        peers = {a: url for a, url in settings.peer_urls.items() if a != spec.agency}
        if peers:  # the papers the other agencies announce, fetched and verified (liandong.documents.claims)
            self.workers.append(
                DocumentFetcher(
                    uow_factory=self.uow,
                    peers={
                        agency: PeerClient(url, spec.agency, settings.peer_client_secret, tracing=tracing)
                        for agency, url in peers.items()
                    },
                    clock=self.clock,
                    interval_seconds=settings.document_fetch_seconds,
                )
            )
        if handlers:  # the group's dead letters, counted for the alert (liandong_dead_letters_unhandled)
            self.workers.append(
                DeadLetterWatch(
                    connection=connection,
                    group_id=self.group_id,
                    sessions=self.session_factory,
                    tables=self.tables,
                    every_seconds=settings.dead_letter_watch_seconds,
                )
            )
        self.topics_ready = False
        self.expected_heads: set[str] = set()
        self.started = False  # migrated and working: relay, tracker, workers (consumers follow the topics)
        self.start_attempts = 0
        self._background: asyncio.Task[None] | None = None
        self._lost_acts: asyncio.Task[None] | None = None
        self._starting: asyncio.Task[None] | None = None

    def uow(self) -> SqlUnitOfWork:
        read_only = reads_only.get()
        return self.spec.unit_of_work(
            session_factory=self.read_session_factory if read_only else self.session_factory,
            read_only=read_only,
            tables=self.tables,
            clock=self.clock,
            translate=self.spec.translate,
            on_commit=self.relay.wake,
            deadline_engine=self.deadlines,
            tracing=self.tracing,
            stamping=self.stamping,
        )

    async def migrate(self) -> None:
        """Upgrade the database to this code's heads — unless a newer release has migrated it further (a rolling
        upgrade, or a rollback after one): then this code runs on it as it is (expand/contract)."""
        self.expected_heads = migrations.heads(self.spec.migrations)
        async with self.engine.connect() as connection:
            where, applied = await migrations.position(connection, self.expected_heads)
        if where == "ahead":
            log.warning(
                "the database's schema is ahead of this release (it holds %s; this code's heads are %s): not migrating",
                sorted(applied),
                sorted(self.expected_heads),
            )
            return
        await migrations.upgrade_async(self.spec.migrations, self.settings.database_url)

    async def seed_development_accounts(self) -> list[str]:
        if not self.settings.is_development:
            return []
        async with self.session_factory() as session:
            return await seed_accounts(session, self.tables, self.spec.dev_accounts, DEV_PASSWORD, self.clock)

    async def disable_development_accounts(self) -> list[str]:
        """In production, no development account answers: those a database kept from development are disabled."""
        if self.settings.environment != "production":
            return []
        async with self.session_factory() as session:
            return await disable_development_accounts(
                session, self.tables, self.spec.dev_accounts, DEV_PASSWORD, self.clock
            )

    async def start(self) -> None:
        """Migrate, seed (development only), start the relay, then create topics and start consumers. A database
        that does not answer does not stop the process: it stays up and unready (`/readyz` 503, staff 503, `/livez`
        200) and tries again in the background, one log line per attempt, until the database answers."""
        try:
            await self._prepare_database()
        except Exception as exc:
            if not database_unavailable(exc) and not isinstance(exc, OSError | TimeoutError):
                raise  # a fault of the code or the schema, not of the moment: fail loudly
            self._starting = asyncio.create_task(self._start_when_reachable(exc), name="start-when-reachable")
            return
        self._start_work()

    async def _prepare_database(self) -> None:
        self.start_attempts += 1
        await self.migrate()
        created = await self.seed_development_accounts()
        if created:
            log.warning("development accounts created (password %r): %s", DEV_PASSWORD, ", ".join(created))
        disabled = await self.disable_development_accounts()
        if disabled:
            log.warning("production: development accounts disabled: %s", ", ".join(disabled))

    def _start_work(self) -> None:
        self.relay.start()
        self.tracker.start()
        for worker in self.workers:
            worker.start()
        self._background = asyncio.create_task(self._topics_then_consumers(), name="topics-then-consumers")
        self._lost_acts = asyncio.create_task(self.report_lost_acts(), name="lost-acts")
        self.started = True

    async def _start_when_reachable(self, first: BaseException) -> None:
        delay, error = self.settings.startup_retry_seconds, first
        while True:
            log.warning(
                "database not reachable at start-up (attempt %d): %s; staying up, unready; next attempt in %.1fs",
                self.start_attempts,
                (str(error).splitlines() or [type(error).__name__])[0][:300],
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.settings.startup_retry_max_seconds)
            try:
                await self._prepare_database()
            except Exception as exc:  # whatever it is, the service stays up and says so each time
                error = exc
                continue
            log.warning("database reachable: started after %d attempts", self.start_attempts)
            self._start_work()
            return

    async def _topics_then_consumers(self) -> None:
        while True:
            try:
                # its own topics only (its ACLs allow no more); provisioning made the others
                await ensure_topics(
                    self.kafka,
                    [*topics.owned_by(self.agency), topics.dead_letter_topic(self.group_id)],
                    partitions=self.settings.topic_partitions,
                    replication_factor=self.settings.topic_replication_factor,
                )
                break
            except TimeoutError:
                log.warning("topics not created yet; the broker is not answering")
        self.topics_ready = True
        for consumer in self.consumers:
            await consumer.start()

    async def stop(self) -> None:
        if self._starting is not None and not self._starting.done():
            await cancel_within(self._starting, 5, "start-up")
        if self._background is not None and not self._background.done():
            await cancel_within(self._background, 5, "topic creation")
        if self._lost_acts is not None and not self._lost_acts.done():
            await cancel_within(self._lost_acts, 5, "the lost acts' report")
        for consumer in self.consumers:
            await consumer.stop()
        for worker in self.workers:
            await worker.stop()
        await self.tracker.stop()
        await self.relay.stop()
        await self.kept.close()
        await self.engine.dispose()
        if self.tracing is not None:
            await self.tracing.shutdown()

    async def check_database(self) -> None:
        """Ready to serve staff: the database answers and holds the schema this code expects."""
        if not self.started:
            raise RuntimeError(f"starting: the database has not answered yet ({self.start_attempts} attempts)")
        async with self.engine.connect() as connection:
            where, applied = await bounded(migrations.position(connection, self.expected_heads), 3, "database check")
        if where == "behind":  # ahead is fine: a newer release migrated it, and this code runs on it unchanged
            raise RuntimeError(f"the database lacks migrations {sorted(self.expected_heads - applied)}")

    async def outbox_backlog(self) -> tuple[int, float | None]:
        """Unpublished outbox rows, and the age in seconds of the oldest."""
        o = self.tables.outbox
        pending = o.c.published_at.is_(None)
        async with self.session_factory() as session:
            count = await bounded(session.scalar(select(func.count()).where(pending)), 3, "outbox backlog")
            oldest = await session.scalar(select(o.c.created_at).where(pending).order_by(o.c.seq).limit(1))
        age = (self.clock.now() - oldest).total_seconds() if oldest is not None else None
        return int(count or 0), age

    async def report_lost_acts(self) -> None:
        """After a restore, the acts the disk lost: the events on this service's own topics that its outbox does not
        hold (liandong.restore.lost_acts) — logged one by one, kept with the restore, shown by /healthz until ops
        acknowledge them (`python -m liandong restore --report`, `--acknowledge`). Retried until the broker answers."""
        delay = 1.0
        while True:
            try:
                if not await restore.unreported(self.session_factory, self.tables):
                    return
                lost = await restore.lost_acts(
                    self.kafka, self.session_factory, self.tables, topics.owned_by(self.agency)
                )
                await restore.record_lost(self.session_factory, self.tables, lost)
                for act in lost:
                    log.error("an act lost with the restore, applied by the other agencies, to re-enter: %s", act)
                log.warning("after the restore: %d acts lost (python -m liandong restore --report)", len(lost))
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("looking for the acts lost in the restore failed (%r); trying again", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def rewind_after_restore(self, consumer_name: str, consumer: Any, assigned: list[TopicPartition]) -> None:
        """After a restore from backup (liandong.restore), each assigned partition goes back to the offset after the
        last event the inbox holds of it — the group's committed offset is ahead of the restored inbox — so the
        events applied after the backup are applied again. A partition of which the inbox holds nothing is read
        from its beginning (the inbox drops what it already applied). The new positions are committed for the group
        at once, so a consumer that restarts, or another replica, starts from them too."""
        if not await restore.pending(self.session_factory, self.tables):
            return
        moved: list[str] = []
        positions: dict[TopicPartition, int] = {}
        for topic in sorted({tp.topic for tp in assigned}):
            partitions = sorted(tp.partition for tp in assigned if tp.topic == topic)
            held = await restore.inbox_positions(self.session_factory, self.tables, consumer_name, topic, partitions)
            for partition in partitions:
                tp = TopicPartition(topic, partition)
                committed = await consumer.committed(tp)
                if committed is None:
                    continue  # nothing committed: the consumer starts where its reset policy says
                start = held.get(partition)
                if start is None:
                    start = (await consumer.beginning_offsets([tp]))[tp]
                if start < committed:
                    consumer.seek(tp, start)
                    positions[tp] = start
                    moved.append(f"{topic}[{partition}] {committed} → {start}")
        if positions:
            await consumer.commit(positions)
        note = "; ".join(moved) or "the inbox holds every committed event"
        await restore.mark_rewound(self.session_factory, self.tables, self.clock.now(), note)
        log.warning("after the restore, consumer %s rewound: %s", consumer_name, note)

    async def details(self) -> dict[str, Any]:
        """What runs beside serving staff, for /healthz and /metrics: none of it is a reason to stop serving."""
        pending, oldest = await self.outbox_backlog()
        async with self.session_factory() as session:
            documents = await claims_status(session, self.tables, self.clock.now(), limit=0)
        tick = self.tracker.last_tick_at
        return {
            "topics_ready": self.topics_ready,
            "relay": {
                "running": self.relay.running,
                "consecutive_failures": self.relay.consecutive_failures,
                "last_error": self.relay.last_error,
                "last_success_at": self.relay.last_success_at.isoformat() if self.relay.last_success_at else None,
            },
            "outbox": {"pending": pending, "oldest_pending_seconds": round(oldest, 1) if oldest is not None else None},
            "consumers": {c.name: {**c.status(), "lag": await c.lag()} for c in self.consumers},
            "documents": {k: documents[k] for k in ("unfetched", "oldest_unfetched_seconds")},
            "restore": await restore.latest(self.session_factory, self.tables),
            "deadline_tracker": {
                "running": self.tracker.running,
                "last_tick_at": tick.isoformat() if tick else None,
                "seconds_since_tick": round((self.clock.now() - tick).total_seconds(), 1) if tick else None,
                "last_error": self.tracker.last_error,
            },
        }
