"""The deadline tables, read and written: rows in, typed records out. No rule of the law lives here."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from liandong.errors import NotFound
from liandong.persistence.tables import CommonTables
from liandong.sla.records import Deadline, HistoryEntry, PeerWindow
from liandong.sla.rules import OPEN_STATES, DeadlineState


def record(row: Row[Any]) -> Deadline:
    values = dict(row._mapping)
    values["state"] = DeadlineState(values["state"])
    values["warnings_hours"] = tuple(values["warnings_hours"])
    return Deadline(**values)


class DeadlineStore:
    def __init__(self, tables: CommonTables) -> None:
        self.tables = tables
        self.d = tables.deadlines

    async def insert(self, session: AsyncSession, **values: Any) -> None:
        await session.execute(insert(self.d).values(**values))

    async def load(self, session: AsyncSession, deadline_id: str, *, for_update: bool = False) -> Deadline:
        query = select(self.d).where(self.d.c.id == deadline_id)
        row = (await session.execute(query.with_for_update() if for_update else query)).first()
        if row is None:
            raise NotFound(f"no deadline {deadline_id}")
        return record(row)

    async def update(self, session: AsyncSession, deadline_id: str, now: datetime, **values: Any) -> None:
        await session.execute(update(self.d).where(self.d.c.id == deadline_id).values(updated_at=now, **values))

    async def add_history(
        self, session: AsyncSession, deadline_id: str, at: datetime, action: str, actor: str | None, detail: Any
    ) -> None:
        await session.execute(
            insert(self.tables.deadline_history).values(
                deadline_id=deadline_id, at=at, action=action, actor=actor, detail=detail
            )
        )

    async def history(self, session: AsyncSession, deadline_id: str) -> list[HistoryEntry]:
        h = self.tables.deadline_history
        rows = (await session.execute(select(h).where(h.c.deadline_id == deadline_id).order_by(h.c.seq))).all()
        return [HistoryEntry(at=r.at, action=r.action, actor=r.actor, detail=r.detail) for r in rows]

    async def find_id(
        self,
        session: AsyncSession,
        kind: str,
        subject_type: str,
        subject_id: str,
        states: Collection[DeadlineState] = OPEN_STATES,
    ) -> str | None:
        """The subject's window of this kind in one of `states` (by default open: running or breached, still
        awaiting the act)."""
        d = self.d
        return await session.scalar(
            select(d.c.id).where(
                d.c.kind == kind,
                d.c.subject_type == subject_type,
                d.c.subject_id == subject_id,
                d.c.state.in_(states),
            )
        )

    async def running_for(
        self, session: AsyncSession, subject_type: str, subject_id: str, kind: str | None
    ) -> list[Deadline]:
        d = self.d
        query = select(d).where(
            d.c.subject_type == subject_type, d.c.subject_id == subject_id, d.c.state == DeadlineState.RUNNING
        )
        if kind is not None:
            query = query.where(d.c.kind == kind)
        return [record(r) for r in (await session.execute(query.order_by(d.c.due_at))).all()]

    async def for_subjects(self, session: AsyncSession, subjects: Collection[tuple[str, str]]) -> list[Deadline]:
        """Every window (any state) of the given (subject type, subject id) pairs, in the order they started."""
        if not subjects:
            return []
        # one statement however many pairs (an expanding row-value IN: built and compiled once, not an OR per pair)
        rows = (await session.execute(self._of_subjects, {"subjects": list(subjects)})).all()
        return [record(r) for r in rows]

    @functools.cached_property
    def _of_subjects(self) -> Select[Any]:
        d = self.d
        pairs = tuple_(d.c.subject_type, d.c.subject_id).in_(bindparam("subjects", expanding=True))
        return select(d).where(pairs).order_by(d.c.created_at, d.c.id)

    async def for_correlation(self, session: AsyncSession, correlation_id: str) -> list[Deadline]:
        """Every window of a matter, in the order they started."""
        d = self.d
        query = select(d).where(d.c.correlation_id == correlation_id).order_by(d.c.period_started_at, d.c.id)
        return [record(r) for r in (await session.execute(query)).all()]

    async def claim_due(self, session: AsyncSession, now: datetime, limit: int) -> list[Deadline]:
        """Running deadlines whose next stage is due, locked against other tracker replicas."""
        d = self.d
        rows = (
            await session.execute(
                select(d)
                .where(d.c.state == DeadlineState.RUNNING, d.c.next_fire_at <= now)
                .order_by(d.c.next_fire_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        return [record(r) for r in rows]

    async def record_fired(
        self,
        session: AsyncSession,
        stages: list[dict[str, Any]],
        history: list[dict[str, Any]],
        updates: list[dict[str, Any]],
    ) -> None:
        """The fired stages (primary key per deadline, period and stage: each fires once), their history lines and
        each claimed deadline's next stage, in one batch."""
        if stages:
            await session.execute(insert(self.tables.deadline_stages), stages)
            await session.execute(insert(self.tables.deadline_history), history)
        if updates:
            await session.execute(
                update(self.d)
                .where(self.d.c.id == bindparam("b_id"))
                .values(
                    stage_index=bindparam("b_stage_index"),
                    next_fire_at=bindparam("b_next_fire_at"),
                    state=bindparam("b_state"),
                    breached_at=bindparam("b_breached_at"),
                    updated_at=bindparam("b_updated_at"),
                ),
                updates,
            )

    async def search(
        self,
        session: AsyncSession,
        *,
        units: Collection[str],
        states: Collection[DeadlineState] | None = None,
        due_before: datetime | None = None,
        kind: str | None = None,
        subject_type: str | None = None,
        subject_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Deadline], int]:
        d = self.d
        query = select(d).where(d.c.unit.in_(units))
        if states is not None:
            query = query.where(d.c.state.in_(states))
        if due_before is not None:
            query = query.where(d.c.due_at <= due_before)
        if kind is not None:
            query = query.where(d.c.kind == kind)
        if subject_type is not None:
            query = query.where(d.c.subject_type == subject_type)
        if subject_id is not None:
            query = query.where(d.c.subject_id == subject_id)
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        rows = (await session.execute(query.order_by(d.c.due_at, d.c.id).limit(limit).offset(offset))).all()
        return [record(r) for r in rows], int(total or 0)

    async def received_breaches(
        self, session: AsyncSession, *, units: Collection[str], limit: int, offset: int
    ) -> tuple[Sequence[Row[Any]], int]:
        b = self.tables.received_breaches
        query = select(b).where(b.c.unit.in_(units))
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        rows = (
            await session.execute(query.order_by(b.c.fired_at.desc(), b.c.event_id).limit(limit).offset(offset))
        ).all()
        return rows, int(total or 0)

    async def add_received_breach(self, session: AsyncSession, **values: Any) -> None:
        await session.execute(insert(self.tables.received_breaches).values(**values))

    # -- the other agencies' windows -----------------------------------------------------------------------------
    async def peer_window(self, session: AsyncSession, deadline_id: str) -> PeerWindow | None:
        w = self.tables.peer_windows
        row = (await session.execute(select(w).where(w.c.deadline_id == deadline_id).with_for_update())).first()
        return None if row is None else _peer(row)

    async def peer_window_of(self, session: AsyncSession, subject_type: str, subject_id: str) -> PeerWindow | None:
        """The latest peer window of a subject (a subject has one window of a kind at a time)."""
        w = self.tables.peer_windows
        row = (
            await session.execute(
                select(w)
                .where(w.c.subject_type == subject_type, w.c.subject_id == subject_id)
                .order_by(w.c.started_at.desc())
                .limit(1)
            )
        ).first()
        return None if row is None else _peer(row)

    async def save_peer_window(self, session: AsyncSession, window: PeerWindow, *, new: bool) -> None:
        w = self.tables.peer_windows
        values = {**asdict(window), "state": window.state.value}
        if new:
            await session.execute(insert(w).values(**values))
        else:
            await session.execute(update(w).where(w.c.deadline_id == window.deadline_id).values(**values))

    async def peer_windows(
        self,
        session: AsyncSession,
        *,
        units: Collection[str] | None,
        correlation_id: str | None,
        state: str | None,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[Row[Any]], int]:
        """`units` None: whatever the unit (the caller checks who may see the matter)."""
        w = self.tables.peer_windows
        query = select(w) if units is None else select(w).where(w.c.unit.in_(units))
        if correlation_id is not None:
            query = query.where(w.c.correlation_id == correlation_id)
        if state is not None:
            query = query.where(w.c.state == state)
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        rows = (
            await session.execute(query.order_by(w.c.started_at, w.c.deadline_id).limit(limit).offset(offset))
        ).all()
        return rows, int(total or 0)


def _peer(row: Row[Any]) -> PeerWindow:
    values = dict(row._mapping)
    return PeerWindow(**{**values, "state": DeadlineState(values["state"])})
