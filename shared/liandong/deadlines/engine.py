"""The deadline engine: durable windows in the service's own database, warnings and breaches fired exactly once.

- Commands (`start`, `meet`, `extend`, `restart`, `cancel`) run inside the caller's unit of work, so a deadline
  changes in the same transaction as the act that changes it, and its events go through the outbox. Workflows reach
  them through the unit of work's `deadlines` (a `DeadlineBook` bound to that unit of work).
- `tick` claims the running deadlines whose next stage is due (`next_fire_at`, indexed, `FOR UPDATE SKIP LOCKED` on
  PostgreSQL), records each fired stage under a primary key `(deadline, period, stage)` and writes its event to the
  outbox in the same transaction: with any number of tracker replicas each warning and breach fires once.
- A stage overdue by more than `late_after` (the service was down) fires marked late; when several stages of a
  deadline are overdue together only the latest fires (a breach makes the warnings before it moot).

The rules (states, stages, counting, the catalogue) are pure and live in `liandong.sla`; the SQL in `store`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row

from liandong.clock import Clock
from liandong.contracts.deadlines import CANCELLED, CHANGED, MET, STARTED, DeadlineFacts
from liandong.deadlines.events import emit, facts
from liandong.deadlines.firing import fire_due
from liandong.deadlines.store import DeadlineStore
from liandong.envelope import Agency, Envelope
from liandong.errors import Conflict, DomainError
from liandong.persistence.tables import CommonTables
from liandong.persistence.uow import SqlUnitOfWork
from liandong.sla.calendar import DEFAULT_CALENDAR, LegalCalendar
from liandong.sla.counting import DueDate, NaiveTime, compute_due
from liandong.sla.kinds import DEFAULT_WARNINGS_HOURS, DeadlineKind, UnknownKind, kind
from liandong.sla.records import (
    Deadline,
    HistoryEntry,
    PeerWindow,
    ReceivedBreach,
    merge_peer_window,
    new_deadline,
)
from liandong.sla.rules import DeadlineState, stages_for


class DeadlineEngine:
    def __init__(
        self,
        *,
        agency: Agency,
        tables: CommonTables,
        clock: Clock,
        calendar: LegalCalendar = DEFAULT_CALENDAR,
        window_overrides: Mapping[str, int] | None = None,
        late_after: timedelta = timedelta(minutes=2),
        batch_size: int = 500,
    ) -> None:
        self.agency = agency
        self.store = DeadlineStore(tables)
        self.clock = clock
        self.calendar = calendar
        self.window_overrides = dict(window_overrides or {})
        self.late_after = late_after
        self.batch_size = batch_size
        for name in self.window_overrides:
            if not kind(name).configurable:
                raise ValueError(f"the window of {name} is set by law and cannot be configured")

    def bind(self, uow: SqlUnitOfWork) -> BoundDeadlines:
        """The deadline book of one unit of work (what `uow.deadlines` gives the service layer)."""
        return BoundDeadlines(self, uow)

    # -- the calculator ----------------------------------------------------------------------------------------
    def preview(self, kind_name: str, start: datetime, custody: bool | None = None) -> tuple[DeadlineKind, DueDate]:
        spec = self._kind(kind_name)
        return spec, self._due(spec, start, custody=custody)

    def _kind(self, kind_name: str) -> DeadlineKind:
        try:
            return kind(kind_name)
        except UnknownKind as exc:
            raise DomainError(str(exc), code="unknown_kind") from exc

    def _due(
        self,
        spec: DeadlineKind,
        start: datetime,
        window: int | None = None,
        extra_days: int = 0,
        custody: bool | None = None,
    ) -> DueDate:
        try:
            return compute_due(
                spec,
                start,
                window=window if window is not None else self.window_overrides.get(spec.name),
                extra_days=extra_days,
                calendar=self.calendar,
                custody=custody,
            )
        except NaiveTime as exc:
            raise DomainError(str(exc), code="naive_time") from exc

    # -- commands ----------------------------------------------------------------------------------------------
    async def start(
        self,
        uow: SqlUnitOfWork,
        *,
        kind_name: str,
        subject_type: str,
        subject_id: str,
        correlation_id: str,
        unit: str,
        started_at: datetime,
        actor: str | None = None,
        custody: bool | None = None,
        not_after: datetime | None = None,
    ) -> str:
        """Start a window. `custody` says whether the person it runs for is held (then it never extends past a
        holiday); it defaults to the kind's own rule. `not_after` ends the window earlier where another period
        bounds it (e.g. a notice due within the review period)."""
        spec = self._kind(kind_name)
        due = self._due(spec, started_at, custody=custody)
        due_at = due.due if not_after is None else min(due.due, not_after)
        clash = await self.store.find_id(uow.session, spec.name, subject_type, subject_id, [DeadlineState.RUNNING])
        if clash is not None:
            raise Conflict(
                f"a {spec.name} window is already running for {subject_type} {subject_id}: {clash}",
                code="already_running",
            )
        deadline = new_deadline(
            deadline_id=str(uuid.uuid4()),
            spec=spec,
            due=due,
            due_at=due_at,
            unit=unit,
            subject_type=subject_type,
            subject_id=subject_id,
            correlation_id=correlation_id,
            now=self.clock.now(),
        )
        await self.store.insert(uow.session, **{**asdict(deadline), "warnings_hours": list(deadline.warnings_hours)})
        deadline_id = deadline.id
        payload = STARTED[self.agency](
            **facts(deadline), window=deadline.window, window_unit=deadline.window_unit, custody=deadline.custody
        )
        self._emit(uow, deadline, payload)
        rule = due.rule()
        if due_at != due.due:
            rule += f"; bounded by another period: ends {due_at.isoformat()}"
        await self._history(uow, deadline_id, "started", actor, {"due_at": due_at.isoformat(), "rule": rule})
        return deadline_id

    async def meet(
        self, uow: SqlUnitOfWork, deadline_id: str, *, at: datetime, actor: str | None = None, if_open: bool = False
    ) -> bool:
        """Meet a window. A window that ended meanwhile (met, or cancelled by another act between the caller's look
        and this row lock) is a conflict — unless `if_open`: then nothing happens and the answer is False."""
        row = await self.store.load(uow.session, deadline_id, for_update=True)
        if if_open and row.state in (DeadlineState.MET, DeadlineState.CANCELLED):
            return False
        if row.state is DeadlineState.CANCELLED:
            raise Conflict(f"deadline {deadline_id} was cancelled; it cannot be met", code="deadline_cancelled")
        if row.state is DeadlineState.MET:
            met = row.met_at.isoformat() if row.met_at else "?"
            raise Conflict(f"deadline {deadline_id} was already met at {met}", code="already_met")
        on_time = row.state is DeadlineState.RUNNING and at <= row.due_at
        await self.store.update(
            uow.session, deadline_id, self.clock.now(), state=DeadlineState.MET, met_at=at, next_fire_at=None
        )
        used = round((at - row.period_started_at).total_seconds() / 86400, 3)
        self._emit(uow, row, MET[self.agency](**facts(row), met_at=at, days_used=used, on_time=on_time))
        await self._history(uow, deadline_id, "met", actor, {"on_time": on_time, "days_used": used})
        return True

    async def meet_subject(
        self,
        uow: SqlUnitOfWork,
        *,
        kind_name: str,
        subject_type: str,
        subject_id: str,
        at: datetime,
        actor: str | None = None,
    ) -> bool:
        """Meet the open window of this kind for the subject, if there is one (what workflows call)."""
        deadline_id = await self.store.find_id(uow.session, kind_name, subject_type, subject_id)
        if deadline_id is None:
            return False
        return await self.meet(uow, deadline_id, at=at, actor=actor, if_open=True)

    async def extend(
        self,
        uow: SqlUnitOfWork,
        deadline_id: str,
        *,
        approver: str,
        reason: str,
        window: int | None = None,
        extra_days: int | None = None,
        actor: str | None = None,
    ) -> None:
        if not approver.strip():
            raise DomainError("an extension names the approver", code="approver_required")
        if not reason.strip():
            raise DomainError("an extension gives its reason", code="reason_required")
        row = await self.store.load(uow.session, deadline_id, for_update=True)
        spec = self._kind(row.kind)
        if not spec.extendable:
            raise DomainError(f"{spec.name} cannot be extended ({spec.legal_basis})", code="not_extendable")
        if (window is None) == (extra_days is None):
            raise DomainError("give either a new window or extra days", code="extension_shape")
        new_window, new_extra = row.window, row.extra_days
        if window is not None:
            if spec.max_window is None or window > spec.max_window:
                raise DomainError(
                    f"{spec.name} may be extended to {spec.max_window} {spec.unit.value} at most, not {window}",
                    code="beyond_legal_maximum",
                )
            if window <= row.window:
                raise DomainError(f"the window is already {row.window} {spec.unit.value}", code="not_an_extension")
            new_window = window
        if extra_days is not None:
            if extra_days <= 0 or row.extra_days + extra_days > spec.max_extra_days:
                raise DomainError(
                    f"{spec.name} may be extended by {spec.max_extra_days} days at most", code="beyond_legal_maximum"
                )
            new_extra = row.extra_days + extra_days
        if row.state is not DeadlineState.RUNNING:
            raise Conflict(f"deadline {deadline_id} is {row.state}; only a running window extends", code="not_running")
        due = self._due(spec, row.period_started_at, new_window, new_extra, custody=row.custody)
        stages = stages_for(due.due, due.start, row.warnings_hours)
        await self.store.update(
            uow.session,
            deadline_id,
            self.clock.now(),
            window=new_window,
            extra_days=new_extra,
            due_at=due.due,
            rolled_forward=due.rolled_forward,
            generation=row.generation + 1,
            stage_index=0,
            next_fire_at=stages[0].at,
            extensions=row.extensions + 1,
        )
        await self._changed(uow, deadline_id, "extended", f"{reason}（批准人：{approver}）")
        detail = {
            "approver": approver,
            "reason": reason,
            "old_due_at": row.due_at.isoformat(),
            "due_at": due.due.isoformat(),
            "rule": due.rule(),
        }
        await self._history(uow, deadline_id, "extended", actor, detail)

    async def restart(
        self,
        uow: SqlUnitOfWork,
        deadline_id: str,
        *,
        at: datetime,
        reason: str,
        actor: str | None = None,
        custody: bool | None = None,
    ) -> None:
        """Where the law restarts the period (e.g. 审查起诉 after 退回补充侦查): a full new period from `at`. `custody`
        (whether the person is held now) defaults to the window's."""
        if not reason.strip():
            raise DomainError("a restart gives its reason", code="reason_required")
        row = await self.store.load(uow.session, deadline_id, for_update=True)
        spec = self._kind(row.kind)
        if not spec.restartable:
            raise DomainError(f"{spec.name} does not restart", code="not_restartable")
        if row.restarts >= spec.max_restarts:
            raise DomainError(
                f"{spec.name} restarts at most {spec.max_restarts} times ({spec.restart_rule})", code="restart_limit"
            )
        if row.state is DeadlineState.CANCELLED:
            raise Conflict(f"deadline {deadline_id} was cancelled", code="deadline_cancelled")
        due = self._due(spec, at, custody=row.custody if custody is None else custody)
        stages = stages_for(due.due, due.start, row.warnings_hours)
        await self.store.update(
            uow.session,
            deadline_id,
            self.clock.now(),
            state=DeadlineState.RUNNING,
            window=due.window,
            extra_days=0,
            period_started_at=due.start,
            due_at=due.due,
            rolled_forward=due.rolled_forward,
            custody=due.custody,
            generation=row.generation + 1,
            stage_index=0,
            next_fire_at=stages[0].at,
            restarts=row.restarts + 1,
            met_at=None,
            breached_at=None,
        )
        await self._changed(uow, deadline_id, "restarted", reason)
        await self._history(uow, deadline_id, "restarted", actor, {"reason": reason, "due_at": due.due.isoformat()})

    async def cancel(
        self, uow: SqlUnitOfWork, deadline_id: str, *, reason: str, actor: str | None = None, if_open: bool = False
    ) -> bool:
        """Cancel a window. One that ended meanwhile is a conflict for staff acting on it by hand; a workflow that
        ends the windows it found running (`if_open`) finds it ended by another act — a payment, a withdrawal —
        and moves on (False)."""
        if not reason.strip():
            raise DomainError("a cancellation gives its reason", code="reason_required")
        row = await self.store.load(uow.session, deadline_id, for_update=True)
        if if_open and row.state in (DeadlineState.MET, DeadlineState.CANCELLED):
            return False
        if row.state in (DeadlineState.MET, DeadlineState.CANCELLED):
            raise Conflict(f"deadline {deadline_id} is already {row.state}", code=f"already_{row.state}")
        now = self.clock.now()
        await self.store.update(
            uow.session, deadline_id, now, state=DeadlineState.CANCELLED, cancelled_at=now, next_fire_at=None
        )
        self._emit(uow, row, CANCELLED[self.agency](**facts(row), reason=_brief(reason), cancelled_at=now))
        await self._history(uow, deadline_id, "cancelled", actor, {"reason": reason})
        return True

    # -- the tracker's tick --------------------------------------------------------------------------------------
    async def tick(self, uow_factory: Callable[[], SqlUnitOfWork]) -> int:
        """Fire every stage that is due now. Returns how many fired."""
        return await fire_due(self, uow_factory)

    # -- queries -------------------------------------------------------------------------------------------------
    async def get(self, uow: SqlUnitOfWork, deadline_id: str) -> Deadline:
        return await self.store.load(uow.session, deadline_id)

    async def history(self, uow: SqlUnitOfWork, deadline_id: str) -> list[HistoryEntry]:
        return await self.store.history(uow.session, deadline_id)

    async def search(
        self,
        uow: SqlUnitOfWork,
        *,
        units: Collection[str],
        state: str | None = None,
        kind_name: str | None = None,
        subject_type: str | None = None,
        subject_id: str | None = None,
        at_risk_hours: int = max(DEFAULT_WARNINGS_HOURS),
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Deadline], int]:
        """`state` is running, at_risk (running and due within the warning horizon), breached, met or cancelled."""
        at_risk = state == "at_risk"
        return await self.store.search(
            uow.session,
            units=units,
            states=[DeadlineState.RUNNING] if at_risk else None if state is None else [DeadlineState(state)],
            due_before=self.clock.now() + timedelta(hours=at_risk_hours) if at_risk else None,
            kind=kind_name,
            subject_type=subject_type,
            subject_id=subject_id,
            limit=limit,
            offset=offset,
        )

    async def open_for(
        self, uow: SqlUnitOfWork, *, subject_type: str, subject_id: str, kind_name: str | None = None
    ) -> list[Deadline]:
        """The running windows of a subject (of one kind, if given), whatever their unit."""
        return await self.store.running_for(uow.session, subject_type, subject_id, kind_name)

    async def of_subjects(
        self, uow: SqlUnitOfWork, subjects: Collection[tuple[str, str]], *, units: Collection[str]
    ) -> list[Deadline]:
        """The windows (any state) of these subjects that the given units may see: what a case or review shows."""
        return [d for d in await self.store.for_subjects(uow.session, subjects) if d.unit in units]

    async def received_breaches(
        self, uow: SqlUnitOfWork, *, units: Collection[str], limit: int = 50, offset: int = 0
    ) -> tuple[Sequence[Row[Any]], int]:
        return await self.store.received_breaches(uow.session, units=units, limit=limit, offset=offset)

    async def of_correlation(self, uow: SqlUnitOfWork, correlation_id: str) -> list[Deadline]:
        return await self.store.for_correlation(uow.session, correlation_id)

    async def peer_windows(
        self,
        uow: SqlUnitOfWork,
        *,
        units: Collection[str] | None,
        correlation_id: str | None = None,
        state: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[Sequence[Row[Any]], int]:
        return await self.store.peer_windows(
            uow.session, units=units, correlation_id=correlation_id, state=state, limit=limit, offset=offset
        )

    # -- helpers -------------------------------------------------------------------------------------------------
    async def _history(
        self, uow: SqlUnitOfWork, deadline_id: str, action: str, actor: str | None, detail: dict[str, Any]
    ) -> None:
        await self.store.add_history(uow.session, deadline_id, self.clock.now(), action, actor, detail)

    def _emit(self, uow: SqlUnitOfWork, row: Deadline, payload: DeadlineFacts) -> Envelope:
        return emit(uow, self.agency, row, payload, self.clock.now())

    async def _changed(self, uow: SqlUnitOfWork, deadline_id: str, change: str, reason: str) -> None:
        """Tell the other agencies the window moved (its new period and end)."""
        row = await self.store.load(uow.session, deadline_id)
        payload = CHANGED[self.agency](**facts(row), change=change, reason=_brief(reason), changed_at=self.clock.now())
        self._emit(uow, row, payload)


def _brief(reason: str, limit: int = 2000) -> str:
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"


@dataclass(frozen=True)
class BoundDeadlines:
    """The engine bound to one unit of work: the `DeadlineBook` the service layer sees as `uow.deadlines`."""

    engine: DeadlineEngine
    uow: SqlUnitOfWork

    def due_at(self, kind: str, start: datetime) -> datetime:
        return self.engine.preview(kind, start)[1].due

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
        return await self.engine.start(
            self.uow,
            kind_name=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            correlation_id=correlation_id,
            unit=unit,
            started_at=started_at,
            actor=actor,
            custody=custody,
            not_after=not_after,
        )

    async def meet(
        self, *, kind: str, subject_type: str, subject_id: str, at: datetime, actor: str | None = None
    ) -> bool:
        return await self.engine.meet_subject(
            self.uow, kind_name=kind, subject_type=subject_type, subject_id=subject_id, at=at, actor=actor
        )

    async def running(self, *, subject_type: str, subject_id: str, kind: str | None = None) -> list[Deadline]:
        return await self.engine.open_for(self.uow, subject_type=subject_type, subject_id=subject_id, kind_name=kind)

    async def get(self, deadline_id: str) -> Deadline:
        return await self.engine.get(self.uow, deadline_id)

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
        await self.engine.extend(
            self.uow, deadline_id, approver=approver, reason=reason, window=window, extra_days=extra_days, actor=actor
        )
        return await self.engine.get(self.uow, deadline_id)

    async def cancel(self, deadline_id: str, *, reason: str, actor: str | None = None) -> bool:
        """End a window the workflow found running; one another act ended meanwhile is left as it is (False)."""
        return await self.engine.cancel(self.uow, deadline_id, reason=reason, actor=actor, if_open=True)

    async def restart(
        self, deadline_id: str, *, at: datetime, reason: str, actor: str | None = None, custody: bool | None = None
    ) -> Deadline:
        await self.engine.restart(self.uow, deadline_id, at=at, reason=reason, actor=actor, custody=custody)
        return await self.engine.get(self.uow, deadline_id)

    async def receive_breach(self, breach: ReceivedBreach) -> None:
        await self.engine.store.add_received_breach(self.uow.session, **asdict(breach))

    async def peer(self, *, subject_type: str, subject_id: str) -> PeerWindow | None:
        return await self.engine.store.peer_window_of(self.uow.session, subject_type, subject_id)

    async def observe(self, news: PeerWindow, *, moved: bool = False) -> bool:
        store, session = self.engine.store, self.uow.session
        known = await store.peer_window(session, news.deadline_id)
        merged = merge_peer_window(known, news, moved=moved)
        if merged is not None:
            await store.save_peer_window(session, merged, new=known is None)
        return merged is not None
