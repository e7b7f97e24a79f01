"""The unit of work: one database transaction for the state change, its outbox rows and its idempotency key.

Aggregates collect internal domain events; on commit the unit of work hands each to the service's translator,
which turns it into an integration `Envelope` (or nothing), and writes the envelopes to the outbox table in the same
transaction as the domain rows. Nothing here talks to Kafka: the relay does that.

The unit of work is all a service-layer handler is given: it carries the clock and the service's deadline book
(`uow.deadlines`, a `DeadlineBook` bound to this transaction), so handlers never reach for the app's wiring.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liandong import audit
from liandong.clock import Clock
from liandong.contracts.base import REGISTRY
from liandong.documents.claims import announce
from liandong.documents.render import Draft
from liandong.documents.store import DocumentInfo, IssuesDocuments, Placement, issue, of_record
from liandong.envelope import Envelope
from liandong.persistence.counters import next_number
from liandong.persistence.stamps import Stamping
from liandong.persistence.tables import CommonTables
from liandong.sla.ports import DeadlineBook
from liandong.tracing import Tracing


class BindsDeadlines(Protocol):
    """The service's deadline engine, as the unit of work sees it: something that binds a book to a transaction."""

    def bind(self, uow: Any) -> DeadlineBook: ...


class HasEvents(Protocol):
    events: list[Any]


Translator = Callable[[Any], Iterable[Envelope]]


@dataclass
class IdempotencyClaim:
    """The Idempotency-Key of the HTTP request being served; recorded with the first commit it causes."""

    scope: str
    key: str
    fingerprint: str
    recorded: bool = False


current_idempotency_claim: contextvars.ContextVar[IdempotencyClaim | None] = contextvars.ContextVar(
    "current_idempotency_claim", default=None
)

# Set while a consumer applies an event: the events its unit of work emits name it as their cause (causation_id)
causing_event: contextvars.ContextVar[uuid.UUID | None] = contextvars.ContextVar("causing_event", default=None)

# Set for a request that only reads (GET, HEAD): the units of work made while serving it read outside a write
# transaction (`read_only_engine`) and refuse to commit.
reads_only: contextvars.ContextVar[bool] = contextvars.ContextVar("reads_only", default=False)


class ReadOnlyUnitOfWork(RuntimeError):
    """A unit of work made for a request that only reads was asked to commit."""


class IdempotencyKeyTaken(Exception):
    """Another request with the same Idempotency-Key committed first; nothing of this one was written."""


def topic_for(envelope: Envelope) -> str:
    return REGISTRY[(envelope.event_type, envelope.schema_version)].topic


def outbox_row(envelope: Envelope, now: datetime, topic: str | None = None) -> dict[str, Any]:
    """The outbox row of one envelope; the topic is the contract's unless given."""
    return {
        "event_id": str(envelope.event_id),
        "topic": topic or topic_for(envelope),
        "event_type": envelope.event_type,
        "aggregate_type": envelope.aggregate_type,
        "aggregate_id": envelope.aggregate_id,
        "correlation_id": envelope.correlation_id,
        "envelope": envelope.to_json(),
        "created_at": now,
        "next_attempt_at": now,
        "attempts": 0,
    }


@dataclass
class SqlUnitOfWork(IssuesDocuments):
    session_factory: async_sessionmaker[AsyncSession]
    tables: CommonTables
    clock: Clock
    translate: Translator
    on_commit: Callable[[], None] | None = None
    deadline_engine: BindsDeadlines | None = None  # the service's SLA engine, for handlers that start or meet windows
    tracing: Tracing | None = None  # when on, the events carry their matter's trace (liandong.tracing)
    read_only: bool = False  # made for a request that only reads: its session is outside a write transaction
    stamping: Stamping = field(default_factory=Stamping)  # what the service's kept answers read (persistence.stamps)
    _session: AsyncSession | None = field(default=None, init=False)
    _seen: list[HasEvents] = field(default_factory=list, init=False)
    _envelopes: list[Envelope] = field(default_factory=list, init=False)
    _changes: audit.Changes = field(default_factory=audit.Changes, init=False)
    _issued: list[DocumentInfo] = field(default_factory=list, init=False)  # documents issued since the last commit

    @property
    def deadlines(self) -> DeadlineBook:
        """The service's windows, read and changed in this unit of work's transaction."""
        if self.deadline_engine is None:
            raise RuntimeError("this unit of work was made without the deadline engine")
        return self.deadline_engine.bind(self)

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self.session_factory()
        self._seen = []
        self._envelopes = []
        self._issued = []
        self._changes = audit.record_changes(self._session)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self.read_only:  # a read has nothing to undo: closing returns its connection as it is
                await self.session.rollback()
        finally:
            await self.session.close()
            self._session = None

    def track(self, aggregate: HasEvents) -> None:
        """Repositories call this for every aggregate they hand out, so its events reach the outbox."""
        if all(aggregate is not seen for seen in self._seen):
            self._seen.append(aggregate)

    def matters(self) -> set[str]:
        """The matters (correlation ids) of the aggregates handed out in this transaction, for those that say."""
        return {matter for aggregate in self._seen if (matter := getattr(aggregate, "matter_id", None)) is not None}

    async def next_number(
        self, kind: str, scope: str, year: int, *, issued: Callable[[], Awaitable[int]] | None = None
    ) -> int:
        """The next number of a numbered document (letter, receipt, case…) in this transaction; see `counters`."""
        return await next_number(self.session, self.tables.counters, scope=scope, kind=kind, year=year, issued=issued)

    async def issue_document(self, draft: Draft, place: Placement, *, corrects: str | None = None) -> DocumentInfo:
        """The act's document (liandong.documents), rendered and stored in this transaction: it commits with the
        act or not at all."""
        info = await issue(
            self.session, self.tables.documents, draft, place, issued_at=self.clock.now(), corrects=corrects
        )
        self._issued.append(info)
        return info

    async def documents_of(self, record_type: str, record_id: str) -> list[DocumentInfo]:
        """The documents of a record, in the order they were issued."""
        return await of_record(self.session, self.tables.documents, record_type, record_id)

    async def record_correction(
        self,
        *,
        actor: str,
        subject_type: str,
        subject_id: str,
        field: str,
        old: str | None,
        new: str | None,
        reason: str,
    ) -> None:
        """A recorded fact corrected after the act: kept, with the reason, in the same transaction as the change."""
        await self.session.execute(
            insert(self.tables.corrections).values(
                at=self.clock.now(),
                actor=actor,
                subject_type=subject_type,
                subject_id=subject_id,
                field=field,
                old_value=old,
                new_value=new,
                reason=reason,
            )
        )

    async def received(self, correlation_id: str, event_type: str) -> list[Envelope]:
        """The events of one type this service already applied for a matter, oldest first — for an aggregate that
        opens after them (events of different topics arrive in no promised order)."""
        inbox = self.tables.inbox
        rows = await self.session.scalars(
            select(inbox.c.envelope)
            .where(
                inbox.c.correlation_id == correlation_id,
                inbox.c.event_type == event_type,
                inbox.c.outcome == "applied",  # Outcome.APPLIED of messaging.handlers, which builds on this module
                inbox.c.envelope.is_not(None),
            )
            .order_by(inbox.c.occurred_at, inbox.c.received_at)
        )
        return [Envelope.model_validate_json(raw) for raw in rows]

    def emit(self, envelope: Envelope) -> None:
        """Queue an integration event directly (used where there is no aggregate, e.g. a receipt)."""
        self._envelopes.append(envelope)

    async def commit(self) -> None:
        if self.read_only:
            raise ReadOnlyUnitOfWork("a request that only reads (GET, HEAD) changes nothing")
        for aggregate in self._seen:  # records of their own an aggregate made since it was loaded
            if new_records := getattr(aggregate, "new_records", None):
                self.session.add_all(new_records)
                new_records.clear()
        envelopes = self._collect()
        issued, self._issued = self._issued, []
        envelopes = await announce(self.session, self.tables, envelopes, issued)
        cause = causing_event.get()
        if cause is not None:
            envelopes = [e if e.causation_id else e.model_copy(update={"causation_id": cause}) for e in envelopes]
        if envelopes and self.tracing is not None:
            known = await self._matter_traces({e.correlation_id for e in envelopes})
            envelopes = self.tracing.stamp(envelopes, known)
        rows = [self._outbox_row(e) for e in envelopes]
        if rows:
            await self.session.execute(insert(self.tables.outbox), rows)
        claim = current_idempotency_claim.get()
        if claim is not None and not claim.recorded:
            await self._record_claim(claim)
        await self._audit(envelopes)  # last: the chain's head is locked from here to the commit
        await self.session.commit()
        if claim is not None:
            claim.recorded = True
        if rows and self.on_commit is not None:
            self.on_commit()

    async def rollback(self) -> None:
        await self.session.rollback()
        self._changes = audit.record_changes(self.session)  # what was rolled back was not done
        self._issued = []  # nor were its documents issued

    def _collect(self) -> list[Envelope]:
        envelopes, self._envelopes = self._envelopes, []
        for aggregate in self._seen:
            while aggregate.events:
                envelopes.extend(self.translate(aggregate.events.pop(0)))
        return envelopes

    async def _matter_traces(self, matters: set[str]) -> dict[str, str]:
        """The traceparent that began each matter's trace here: of the earliest traced event this service sent or
        applied for it."""
        earliest: dict[str, tuple[datetime, str]] = {}
        outbox, inbox = self.tables.outbox, self.tables.inbox
        traced = '%"traceparent":"%'
        for table, at in ((outbox, outbox.c.created_at), (inbox, inbox.c.received_at)):
            rows = await self.session.execute(
                select(table.c.correlation_id, at, table.c.envelope).where(
                    table.c.correlation_id.in_(matters), table.c.envelope.like(traced)
                )
            )
            for matter, when, raw in rows:
                if matter not in earliest or when < earliest[matter][0]:
                    traceparent = Envelope.model_validate_json(raw).traceparent
                    if traceparent is not None:
                        earliest[matter] = (when, traceparent)
        return {matter: traceparent for matter, (_, traceparent) in earliest.items()}

    async def _audit(self, envelopes: list[Envelope]) -> None:
        """Chain the act into the audit trail when it changed anything (liandong.audit)."""
        await self.session.flush()  # the ORM's pending rows are part of the change
        changes = self._changes
        changes.name_assigned_keys()
        if not changes.writes and not envelopes:
            self._changes = audit.record_changes(self.session)
            return
        act = audit.current_act.get() or audit.SYSTEM
        named: dict[str, str] = {}  # subject id → its kind, the first named: one entry per subject
        for kind, key in [
            *changes.subjects,
            *((e.aggregate_type, e.aggregate_id) for e in envelopes),
            *(("matter", e.correlation_id) for e in envelopes),
            *act.subjects,
        ]:
            named.setdefault(key, kind)
        subjects = [(kind, key) for key, kind in named.items()]
        change = audit.digest(changes.writes, [e.to_json() for e in envelopes])
        rows = changes.row_digests(self.session.get_bind().dialect)
        await audit.append(
            self.session,
            self.tables,
            act=act,
            at=self.clock.now(),
            subjects=subjects,
            change=change,
            rows=rows,
            stamps=self.stamping.keys_written(changes),  # answers kept from before the act are not served again
        )
        self._changes = audit.record_changes(self.session)  # a unit of work may commit again

    def _outbox_row(self, envelope: Envelope) -> dict[str, Any]:
        return outbox_row(envelope, self.clock.now())

    async def _record_claim(self, claim: IdempotencyClaim) -> None:
        # A failed insert poisons the whole transaction, which is what we want: a second request with the same
        # key writes nothing at all.
        try:
            await self.session.execute(
                insert(self.tables.idempotency_keys).values(
                    scope=claim.scope,
                    key=claim.key,
                    fingerprint=claim.fingerprint,
                    created_at=self.clock.now(),
                    request_id=act.request_id if (act := audit.current_act.get()) is not None else None,
                )
            )
        except IntegrityError as exc:
            raise IdempotencyKeyTaken(claim.key) from exc
