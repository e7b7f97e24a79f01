"""In-memory units of work for unit tests of the service-layer handlers: no database, no broker.

A fake carries what a real unit of work carries — the clock, repositories, the deadline book — and records what
was committed, so a handler test reads as the story it checks. Handlers are typed on their service's unit of work;
tests hand them a fake through `as_uow` (a cast: the fake has the same surface).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, cast

from liandong.clock import Clock
from liandong.documents.render import Draft, html_of
from liandong.documents.store import DocumentInfo, IssuesDocuments, Placement, described
from liandong.envelope import Envelope
from liandong.errors import Conflict, DomainError, NotFound
from liandong.pii import shows_personal_numbers
from liandong.sla.calendar import DEFAULT_CALENDAR
from liandong.sla.counting import compute_due
from liandong.sla.kinds import kind as kind_of
from liandong.sla.records import Deadline, PeerWindow, ReceivedBreach, merge_peer_window, new_deadline
from liandong.sla.rules import OPEN_STATES, DeadlineState

T = TypeVar("T")
U = TypeVar("U")


class FakeDeadlines:
    """The deadline book in memory, counting due dates with the real rules (`liandong.sla`)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.rows: dict[str, Deadline] = {}
        self.received: list[ReceivedBreach] = []
        self.peers: dict[str, PeerWindow] = {}

    def due_at(self, kind: str, start: datetime) -> datetime:
        return compute_due(kind_of(kind), start, calendar=DEFAULT_CALENDAR).due

    async def start(
        self,
        *,
        kind: str,
        subject_type: str,
        subject_id: str,
        correlation_id: str,
        unit: str,
        started_at: datetime,
        actor: str | None = None,
        custody: bool | None = None,
        not_after: datetime | None = None,
    ) -> str:
        if await self.running(subject_type=subject_type, subject_id=subject_id, kind=kind):
            raise Conflict(
                f"a {kind} window is already running for {subject_type} {subject_id}", code="already_running"
            )
        spec = kind_of(kind)
        due = compute_due(spec, started_at, calendar=DEFAULT_CALENDAR, custody=custody)
        due_at = due.due if not_after is None else min(due.due, not_after)
        now = self.clock.now()
        deadline = new_deadline(
            deadline_id=str(uuid.uuid4()),
            spec=spec,
            due=due,
            due_at=due_at,
            unit=unit,
            subject_type=subject_type,
            subject_id=subject_id,
            correlation_id=correlation_id,
            now=now,
        )
        self.rows[deadline.id] = deadline
        return deadline.id

    async def meet(
        self, *, kind: str, subject_type: str, subject_id: str, at: datetime, actor: str | None = None
    ) -> bool:
        for d in self.rows.values():
            if (d.kind, d.subject_type, d.subject_id) == (kind, subject_type, subject_id) and d.state in OPEN_STATES:
                self.rows[d.id] = replace(d, state=DeadlineState.MET, met_at=at)
                return True
        return False

    async def running(self, *, subject_type: str, subject_id: str, kind: str | None = None) -> list[Deadline]:
        return [
            d
            for d in self.rows.values()
            if (d.subject_type, d.subject_id) == (subject_type, subject_id)
            and d.state is DeadlineState.RUNNING
            and (kind is None or d.kind == kind)
        ]

    async def get(self, deadline_id: str) -> Deadline:
        if deadline_id not in self.rows:
            raise NotFound(f"no deadline {deadline_id}")
        return self.rows[deadline_id]

    async def extend(
        self,
        deadline_id: str,
        *,
        approver: str,
        reason: str,
        window: int | None = None,
        extra_days: int | None = None,
        actor: str | None = None,
    ) -> Deadline:
        d = await self.get(deadline_id)
        spec = kind_of(d.kind)
        extra = d.extra_days + (extra_days or 0)
        window = d.window if window is None else window
        if (spec.max_window is None and window != d.window) or window > (spec.max_window or d.window):
            raise DomainError(f"{d.kind} may not be extended to {window}", code="beyond_legal_maximum")
        if extra > spec.max_extra_days:
            raise DomainError(f"{d.kind} may not be extended by {extra} days", code="beyond_legal_maximum")
        due = compute_due(
            spec, d.period_started_at, window=window, extra_days=extra, calendar=DEFAULT_CALENDAR, custody=d.custody
        )
        self.rows[d.id] = replace(d, window=window, extra_days=extra, due_at=due.due, extensions=d.extensions + 1)
        return self.rows[d.id]

    async def cancel(self, deadline_id: str, *, reason: str, actor: str | None = None) -> bool:
        d = await self.get(deadline_id)
        if d.state not in OPEN_STATES:
            return False
        self.rows[d.id] = replace(d, state=DeadlineState.CANCELLED, cancelled_at=self.clock.now())
        return True

    async def restart(
        self, deadline_id: str, *, at: datetime, reason: str, actor: str | None = None, custody: bool | None = None
    ) -> Deadline:
        d = await self.get(deadline_id)
        spec = kind_of(d.kind)
        if not spec.restartable or d.restarts >= spec.max_restarts:
            raise DomainError(f"{d.kind} restarts at most {spec.max_restarts} times", code="restart_limit")
        due = compute_due(spec, at, calendar=DEFAULT_CALENDAR, custody=d.custody if custody is None else custody)
        self.rows[d.id] = replace(
            d,
            custody=due.custody,
            state=DeadlineState.RUNNING,
            period_started_at=at,
            due_at=due.due,
            extra_days=0,
            restarts=d.restarts + 1,
            met_at=None,
            breached_at=None,
        )
        return self.rows[d.id]

    async def receive_breach(self, breach: ReceivedBreach) -> None:
        self.received.append(breach)

    async def peer(self, *, subject_type: str, subject_id: str) -> PeerWindow | None:
        windows = [w for w in self.peers.values() if (w.subject_type, w.subject_id) == (subject_type, subject_id)]
        return max(windows, key=lambda w: w.started_at) if windows else None

    async def observe(self, news: PeerWindow, *, moved: bool = False) -> bool:
        merged = merge_peer_window(self.peers.get(news.deadline_id), news, moved=moved)
        if merged is not None:
            self.peers[news.deadline_id] = merged
        return merged is not None

    def of_kind(self, kind: str) -> list[Deadline]:
        return [d for d in self.rows.values() if d.kind == kind]


class FakeRepository(Generic[T]):
    """Aggregates by id; the unit of work collects their events on commit, as the real one does."""

    def __init__(self, uow: FakeUnitOfWork, key: str = "id") -> None:
        self._uow = uow
        self._key = key
        self.items: dict[str, T] = {}

    def add(self, aggregate: T) -> None:
        self.items[getattr(aggregate, self._key)] = aggregate
        self._uow.seen.append(aggregate)

    async def get(self, key: str, *, for_update: bool = False) -> T | None:
        aggregate = self.items.get(key)
        if aggregate is not None and all(aggregate is not s for s in self._uow.seen):
            self._uow.seen.append(aggregate)
        return aggregate


@dataclass
class FakeUnitOfWork(IssuesDocuments):
    clock: Clock
    deadlines: FakeDeadlines = field(init=False)
    seen: list[Any] = field(default_factory=list, init=False)
    published: list[Any] = field(default_factory=list, init=False)  # domain events collected at commit
    commits: int = field(default=0, init=False)
    counters: dict[tuple[str, str, int], int] = field(default_factory=dict, init=False)
    corrections: list[dict[str, Any]] = field(default_factory=list, init=False)
    inbox: list[Envelope] = field(default_factory=list, init=False)  # events applied before, for `received`
    documents: list[tuple[Draft, DocumentInfo]] = field(default_factory=list, init=False)  # issued, with drafts

    def __post_init__(self) -> None:
        self.deadlines = FakeDeadlines(self.clock)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        self.commits += 1
        for aggregate in self.seen:
            while aggregate.events:
                self.published.append(aggregate.events.pop(0))

    async def next_number(
        self, kind: str, scope: str, year: int, *, issued: Callable[[], Awaitable[int]] | None = None
    ) -> int:
        key = (kind, scope, year)
        if key not in self.counters:
            self.counters[key] = await issued() if issued is not None else 0
        self.counters[key] += 1
        return self.counters[key]

    async def issue_document(self, draft: Draft, place: Placement, *, corrects: str | None = None) -> DocumentInfo:
        """The document as issued, its HTML drawn (no PDF: the handlers' tests need its facts, not its pages)."""
        content = html_of(draft).encode()
        personal = shows_personal_numbers(content)
        info = described(
            draft, place, issued_at=self.clock.now(), corrects=corrects, content=content, pages=1, personal=personal
        )
        self.documents.append((draft, info))
        return info

    async def documents_of(self, record_type: str, record_id: str) -> list[DocumentInfo]:
        return [i for _, i in self.documents if (i.record_type, i.record_id) == (record_type, record_id)]

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
        self.corrections.append(
            {
                "actor": actor,
                "subject": (subject_type, subject_id),
                "field": field,
                "old": old,
                "new": new,
                "reason": reason,
            }
        )

    async def received(self, correlation_id: str, event_type: str) -> list[Envelope]:
        return [e for e in self.inbox if e.correlation_id == correlation_id and e.event_type == event_type]

    def events_of(self, cls: type[U]) -> Sequence[U]:
        return [e for e in self.published if isinstance(e, cls)]


def as_uow(fake: object, kind: type[U]) -> U:
    """Hand a fake to a handler typed on the service's unit of work (same surface, no database)."""
    return cast(U, fake)
