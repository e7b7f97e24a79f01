"""The deadline book a unit of work carries: what the service layer may do with its service's windows.

A Protocol, so the unit of work (persistence) does not import the engine, and handler tests can pass a fake.
Every call acts inside the unit of work's own transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from liandong.sla.records import Deadline, PeerWindow, ReceivedBreach


class DeadlineBook(Protocol):
    def due_at(self, kind: str, start: datetime) -> datetime:
        """When a window of this kind starting at `start` would end (the calculator, without writing anything)."""
        ...

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
        """Start a window; `custody` (the person is held: never extends past a holiday) defaults to the kind's
        rule, `not_after` bounds the end where another period does."""
        ...

    async def meet(
        self, *, kind: str, subject_type: str, subject_id: str, at: datetime, actor: str | None = None
    ) -> bool:
        """Meet the subject's open window of this kind, if it has one."""
        ...

    async def running(self, *, subject_type: str, subject_id: str, kind: str | None = None) -> Sequence[Deadline]: ...

    async def get(self, deadline_id: str) -> Deadline: ...

    async def extend(
        self,
        deadline_id: str,
        *,
        approver: str,
        reason: str,
        window: int | None = None,
        extra_days: int | None = None,
        actor: str | None = None,
    ) -> Deadline: ...

    async def cancel(self, deadline_id: str, *, reason: str, actor: str | None = None) -> bool:
        """End a window the workflow found running; False when another act ended it meanwhile."""
        ...

    async def restart(
        self, deadline_id: str, *, at: datetime, reason: str, actor: str | None = None, custody: bool | None = None
    ) -> Deadline:
        """Where the law restarts a period: a full new period from `at` (within the kind's limit of restarts);
        `custody` (the person held now) defaults to the window's."""
        ...

    async def receive_breach(self, breach: ReceivedBreach) -> None:
        """Keep another agency's breach where this agency's supervisors see it."""
        ...

    async def peer(self, *, subject_type: str, subject_id: str) -> PeerWindow | None:
        """Another agency's window of a subject, as this agency last heard of it."""
        ...

    async def observe(self, news: PeerWindow, *, moved: bool = False) -> bool:
        """Keep another agency's window of this agency's matter as its latest event tells it (`moved`: extended or
        restarted); False when the event changes nothing (it came after a final state)."""
        ...
