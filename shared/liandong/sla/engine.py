"""The deadline engine: durable windows in the service's own database, warnings and breaches fired exactly once.

- Commands (`start`, `meet`, `extend`, `restart`, `cancel`) run inside the caller's unit of work, so a deadline
  changes in the same transaction as the act that changes it, and its events go through the outbox.
- `tick` claims the running deadlines whose next stage is due (`next_fire_at`, indexed, `FOR UPDATE SKIP LOCKED` on
  PostgreSQL), records each fired stage under a primary key `(deadline, period, stage)` and writes its event to the
  outbox in the same transaction: with any number of tracker replicas each warning and breach fires once.
- A stage overdue by more than `late_after` (the service was down) fires marked late; when several stages of a
  deadline are overdue together only the latest fires (a breach makes the warnings before it moot).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, func, insert, select, update

from liandong.clock import Clock
from liandong.contracts.deadlines import APPROACHING, BREACHED, MET, DeadlineFacts
from liandong.envelope import Envelope, ProducerRef
from liandong.errors import Conflict, DomainError, NotFound
from liandong.persistence.tables import CommonTables
from liandong.persistence.uow import SqlUnitOfWork
from liandong.sla.calendar import DEFAULT_CALENDAR, LegalCalendar
from liandong.sla.counting import DueDate, NaiveTime, compute_due
from liandong.sla.kinds import DEFAULT_WARNINGS_HOURS, DeadlineKind, UnknownKind, kind

RUNNING, MET_STATE, BREACHED_STATE, CANCELLED = "running", "met", "breached", "cancelled"
BREACH_STAGE = "breached"


@dataclass(frozen=True)
class Stage:
    name: str
    at: datetime


def stages_for(due: datetime, period_started_at: datetime, warnings_hours: Sequence[int]) -> list[Stage]:
    """Warnings (longest notice first) that fall after the period's start, then the breach at the due instant."""
    warnings = [
        Stage(f"approaching_{hours}h", due - timedelta(hours=hours))
        for hours in sorted(warnings_hours, reverse=True)
        if due - timedelta(hours=hours) > period_started_at
    ]
    return [*warnings, Stage(BREACH_STAGE, due)]


class DeadlineEngine:
    def __init__(
        self,
        *,
        agency: str,
        tables: CommonTables,
        clock: Clock,
        calendar: LegalCalendar = DEFAULT_CALENDAR,
        window_overrides: Mapping[str, int] | None = None,
        late_after: timedelta = timedelta(minutes=2),
        batch_size: int = 500,
    ) -> None:
        self.agency = agency
        self.tables = tables
        self.clock = clock
        self.calendar = calendar
        self.window_overrides = dict(window_overrides or {})
        self.late_after = late_after
        self.batch_size = batch_size
        for name in self.window_overrides:
            if not kind(name).configurable:
                raise ValueError(f"the window of {name} is set by law and cannot be configured")

    # -- the calculator ----------------------------------------------------------------------------------------
    def preview(self, kind_name: str, start: datetime) -> tuple[DeadlineKind, DueDate]:
        spec = self._kind(kind_name)
        return spec, self._due(spec, start)

    def _kind(self, kind_name: str) -> DeadlineKind:
        try:
            return kind(kind_name)
        except UnknownKind as exc:
            raise DomainError(str(exc), code="unknown_kind") from exc

    def _due(self, spec: DeadlineKind, start: datetime, window: int | None = None, extra_days: int = 0) -> DueDate:
        try:
            return compute_due(
                spec,
                start,
                window=window if window is not None else self.window_overrides.get(spec.name),
                extra_days=extra_days,
                calendar=self.calendar,
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
    ) -> str:
        spec, due = self.preview(kind_name, started_at)
        d = self.tables.deadlines
        clash = await uow.session.scalar(
            select(d.c.id).where(
                d.c.kind == spec.name,
                d.c.subject_type == subject_type,
                d.c.subject_id == subject_id,
                d.c.state == RUNNING,
            )
        )
        if clash is not None:
            raise Conflict(
                f"a {spec.name} window is already running for {subject_type} {subject_id}: {clash}",
                code="already_running",
            )
        deadline_id = str(uuid.uuid4())
        now = self.clock.now()
        stages = stages_for(due.due, due.start, spec.warnings_hours)
        await uow.session.execute(
            insert(d).values(
                id=deadline_id,
                kind=spec.name,
                title=spec.title,
                legal_basis=spec.legal_basis,
                unit=unit,
                subject_type=subject_type,
                subject_id=subject_id,
                correlation_id=correlation_id,
                custody=spec.custody,
                window=due.window,
                window_unit=spec.unit.value,
                extra_days=0,
                period_started_at=due.start,
                due_at=due.due,
                rolled_forward=due.rolled_forward,
                warnings_hours=list(spec.warnings_hours),
                generation=0,
                stage_index=0,
                next_fire_at=stages[0].at,
                state=RUNNING,
                created_at=now,
                updated_at=now,
            )
        )
        await self._history(uow, deadline_id, "started", actor, {"due_at": due.due.isoformat(), "rule": due.rule()})
        return deadline_id

    async def meet(self, uow: SqlUnitOfWork, deadline_id: str, *, at: datetime, actor: str | None = None) -> None:
        row = await self._load(uow, deadline_id)
        if row.state == CANCELLED:
            raise Conflict(f"deadline {deadline_id} was cancelled; it cannot be met", code="deadline_cancelled")
        if row.state == MET_STATE:
            raise Conflict(f"deadline {deadline_id} was already met at {row.met_at.isoformat()}", code="already_met")
        on_time = row.state == RUNNING and at <= row.due_at
        await self._update(uow, deadline_id, state=MET_STATE, met_at=at, next_fire_at=None)
        used = (at - row.period_started_at).total_seconds() / 86400
        self._emit(uow, row, MET[self.agency](**self._facts(row), met_at=at, days_used=round(used, 3), on_time=on_time))
        await self._history(uow, deadline_id, "met", actor, {"on_time": on_time, "days_used": round(used, 3)})

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
        d = self.tables.deadlines
        deadline_id = await uow.session.scalar(
            select(d.c.id).where(
                d.c.kind == kind_name,
                d.c.subject_type == subject_type,
                d.c.subject_id == subject_id,
                d.c.state.in_([RUNNING, BREACHED_STATE]),
            )
        )
        if deadline_id is None:
            return False
        await self.meet(uow, deadline_id, at=at, actor=actor)
        return True

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
        row = await self._load(uow, deadline_id)
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
        if row.state != RUNNING:
            raise Conflict(f"deadline {deadline_id} is {row.state}; only a running window extends", code="not_running")
        due = self._due(spec, row.period_started_at, new_window, new_extra)
        stages = stages_for(due.due, due.start, row.warnings_hours)
        await self._update(
            uow,
            deadline_id,
            window=new_window,
            extra_days=new_extra,
            due_at=due.due,
            rolled_forward=due.rolled_forward,
            generation=row.generation + 1,
            stage_index=0,
            next_fire_at=stages[0].at,
            extensions=row.extensions + 1,
        )
        await self._history(
            uow,
            deadline_id,
            "extended",
            actor,
            {
                "approver": approver,
                "reason": reason,
                "old_due_at": row.due_at.isoformat(),
                "due_at": due.due.isoformat(),
                "rule": due.rule(),
            },
        )

    async def restart(
        self, uow: SqlUnitOfWork, deadline_id: str, *, at: datetime, reason: str, actor: str | None = None
    ) -> None:
        """Where the law restarts the period (e.g. 审查起诉 after 退回补充侦查): a full new period from `at`."""
        if not reason.strip():
            raise DomainError("a restart gives its reason", code="reason_required")
        row = await self._load(uow, deadline_id)
        spec = self._kind(row.kind)
        if not spec.restartable:
            raise DomainError(f"{spec.name} does not restart", code="not_restartable")
        if row.restarts >= spec.max_restarts:
            raise DomainError(
                f"{spec.name} restarts at most {spec.max_restarts} times ({spec.restart_rule})", code="restart_limit"
            )
        if row.state == CANCELLED:
            raise Conflict(f"deadline {deadline_id} was cancelled", code="deadline_cancelled")
        due = self._due(spec, at)
        stages = stages_for(due.due, due.start, row.warnings_hours)
        await self._update(
            uow,
            deadline_id,
            state=RUNNING,
            window=due.window,
            extra_days=0,
            period_started_at=due.start,
            due_at=due.due,
            rolled_forward=due.rolled_forward,
            generation=row.generation + 1,
            stage_index=0,
            next_fire_at=stages[0].at,
            restarts=row.restarts + 1,
            met_at=None,
            breached_at=None,
        )
        await self._history(uow, deadline_id, "restarted", actor, {"reason": reason, "due_at": due.due.isoformat()})

    async def cancel(self, uow: SqlUnitOfWork, deadline_id: str, *, reason: str, actor: str | None = None) -> None:
        if not reason.strip():
            raise DomainError("a cancellation gives its reason", code="reason_required")
        row = await self._load(uow, deadline_id)
        if row.state in (MET_STATE, CANCELLED):
            raise Conflict(f"deadline {deadline_id} is already {row.state}", code=f"already_{row.state}")
        await self._update(uow, deadline_id, state=CANCELLED, cancelled_at=self.clock.now(), next_fire_at=None)
        await self._history(uow, deadline_id, "cancelled", actor, {"reason": reason})

    # -- the tracker's tick --------------------------------------------------------------------------------------
    async def tick(self, uow_factory: Callable[[], SqlUnitOfWork]) -> int:
        """Fire every stage that is due now. Returns how many fired."""
        fired = 0
        while True:
            async with uow_factory() as uow:
                claimed, count = await self._fire_batch(uow)
                await uow.commit()
            fired += count
            if claimed < self.batch_size:
                return fired

    async def _fire_batch(self, uow: SqlUnitOfWork) -> tuple[int, int]:
        d = self.tables.deadlines
        now = self.clock.now()
        rows = (
            await uow.session.execute(
                select(d)
                .where(d.c.state == RUNNING, d.c.next_fire_at <= now)
                .order_by(d.c.next_fire_at)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
        ).all()
        stage_rows: list[dict[str, Any]] = []
        history_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for row in rows:
            stages = stages_for(row.due_at, row.period_started_at, row.warnings_hours)
            overdue = [s for s in stages[row.stage_index :] if s.at <= now]
            index = row.stage_index + len(overdue)
            update_row = {
                "b_id": row.id,
                "b_stage_index": index,
                "b_next_fire_at": stages[index].at if index < len(stages) else None,
                "b_state": RUNNING,
                "b_breached_at": None,
                "b_updated_at": now,
            }
            updates.append(update_row)
            if not overdue:
                continue
            stage = overdue[-1]
            late = now - stage.at > self.late_after
            facts = self._facts(row)
            payload: DeadlineFacts
            if stage.name == BREACH_STAGE:
                update_row["b_state"] = BREACHED_STATE
                update_row["b_breached_at"] = stage.at
                payload = BREACHED[self.agency](**facts, fired_at=now, late=late)
            else:
                hours_left = round((row.due_at - now).total_seconds() / 3600, 2)
                payload = APPROACHING[self.agency](
                    **facts, stage=stage.name, hours_left=hours_left, fired_at=now, late=late
                )
            envelope = self._emit(uow, row, payload)
            stage_rows.append(
                {
                    "deadline_id": row.id,
                    "generation": row.generation,
                    "stage": stage.name,
                    "scheduled_at": stage.at,
                    "fired_at": now,
                    "late": late,
                    "event_id": str(envelope.event_id),
                }
            )
            history_rows.append(
                {
                    "deadline_id": row.id,
                    "at": now,
                    "action": stage.name,
                    "actor": None,
                    "detail": {
                        "late": late,
                        "skipped": [s.name for s in overdue[:-1]],
                        "event_id": str(envelope.event_id),
                    },
                }
            )
        if stage_rows:
            await uow.session.execute(insert(self.tables.deadline_stages), stage_rows)
            await uow.session.execute(insert(self.tables.deadline_history), history_rows)
        if updates:
            await uow.session.execute(
                update(d)
                .where(d.c.id == bindparam("b_id"))
                .values(
                    stage_index=bindparam("b_stage_index"),
                    next_fire_at=bindparam("b_next_fire_at"),
                    state=bindparam("b_state"),
                    breached_at=bindparam("b_breached_at"),
                    updated_at=bindparam("b_updated_at"),
                ),
                updates,
            )
        return len(rows), len(stage_rows)

    # -- queries -------------------------------------------------------------------------------------------------
    async def get(self, uow: SqlUnitOfWork, deadline_id: str) -> Row[Any]:
        d = self.tables.deadlines
        row = (await uow.session.execute(select(d).where(d.c.id == deadline_id))).first()
        if row is None:
            raise NotFound(f"no deadline {deadline_id}")
        return row

    async def history(self, uow: SqlUnitOfWork, deadline_id: str) -> Sequence[Row[Any]]:
        h = self.tables.deadline_history
        return (await uow.session.execute(select(h).where(h.c.deadline_id == deadline_id).order_by(h.c.seq))).all()

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
    ) -> tuple[Sequence[Row[Any]], int]:
        """`state` is running, at_risk (running and due within the warning horizon), breached, met or cancelled."""
        d = self.tables.deadlines
        query = select(d).where(d.c.unit.in_(units))
        if state == "at_risk":
            horizon = self.clock.now() + timedelta(hours=at_risk_hours)
            query = query.where(d.c.state == RUNNING, d.c.due_at <= horizon)
        elif state is not None:
            query = query.where(d.c.state == state)
        if kind_name is not None:
            query = query.where(d.c.kind == kind_name)
        if subject_type is not None:
            query = query.where(d.c.subject_type == subject_type)
        if subject_id is not None:
            query = query.where(d.c.subject_id == subject_id)
        total = await uow.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = (await uow.session.execute(query.order_by(d.c.due_at, d.c.id).limit(limit).offset(offset))).all()
        return rows, int(total or 0)

    async def open_for(
        self, uow: SqlUnitOfWork, *, subject_type: str, subject_id: str, kind_name: str | None = None
    ) -> Sequence[Row[Any]]:
        """The running windows of a subject (of one kind, if given), whatever their unit."""
        d = self.tables.deadlines
        query = select(d).where(d.c.subject_type == subject_type, d.c.subject_id == subject_id, d.c.state == RUNNING)
        if kind_name is not None:
            query = query.where(d.c.kind == kind_name)
        return (await uow.session.execute(query.order_by(d.c.due_at))).all()

    async def received_breaches(
        self, uow: SqlUnitOfWork, *, units: Collection[str], limit: int = 50, offset: int = 0
    ) -> tuple[Sequence[Row[Any]], int]:
        b = self.tables.received_breaches
        query = select(b).where(b.c.unit.in_(units))
        total = await uow.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = (
            await uow.session.execute(query.order_by(b.c.fired_at.desc(), b.c.event_id).limit(limit).offset(offset))
        ).all()
        return rows, int(total or 0)

    # -- helpers -------------------------------------------------------------------------------------------------
    async def _load(self, uow: SqlUnitOfWork, deadline_id: str) -> Row[Any]:
        d = self.tables.deadlines
        row = (await uow.session.execute(select(d).where(d.c.id == deadline_id).with_for_update())).first()
        if row is None:
            raise NotFound(f"no deadline {deadline_id}")
        return row

    async def _update(self, uow: SqlUnitOfWork, deadline_id: str, **values: Any) -> None:
        d = self.tables.deadlines
        await uow.session.execute(update(d).where(d.c.id == deadline_id).values(updated_at=self.clock.now(), **values))

    async def _history(
        self, uow: SqlUnitOfWork, deadline_id: str, action: str, actor: str | None, detail: dict[str, Any]
    ) -> None:
        await uow.session.execute(
            insert(self.tables.deadline_history).values(
                deadline_id=deadline_id, at=self.clock.now(), action=action, actor=actor, detail=detail
            )
        )

    @staticmethod
    def _facts(row: Row[Any]) -> dict[str, Any]:
        return {
            "deadline_id": row.id,
            "kind": row.kind,
            "title": row.title,
            "legal_basis": row.legal_basis,
            "unit": row.unit,
            "subject_type": row.subject_type,
            "subject_id": row.subject_id,
            "started_at": row.period_started_at,
            "due_at": row.due_at,
        }

    def _emit(self, uow: SqlUnitOfWork, row: Row[Any], payload: Any) -> Envelope:
        envelope = Envelope.wrap(
            payload,
            producer=ProducerRef(agency=self.agency, unit=row.unit),
            jurisdiction=row.unit,
            aggregate_id=row.id,
            correlation_id=row.correlation_id,
            occurred_at=self.clock.now(),
        )
        uow.emit(envelope)
        return envelope
