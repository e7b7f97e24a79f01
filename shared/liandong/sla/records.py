"""What a deadline is, as the workflows and the API read it (the engine's rows, typed)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from liandong.sla.counting import DueDate
from liandong.sla.kinds import DeadlineKind
from liandong.sla.rules import DeadlineState, stages_for


@dataclass(frozen=True)
class Deadline:
    id: str
    kind: str
    title: str
    legal_basis: str
    unit: str
    subject_type: str
    subject_id: str
    correlation_id: str
    state: DeadlineState
    custody: bool
    window: int
    window_unit: str
    extra_days: int
    period_started_at: datetime
    due_at: datetime
    rolled_forward: bool
    warnings_hours: tuple[int, ...]
    generation: int
    stage_index: int
    next_fire_at: datetime | None
    extensions: int
    restarts: int
    met_at: datetime | None
    breached_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime


def new_deadline(
    *,
    deadline_id: str,
    spec: DeadlineKind,
    due: DueDate,
    due_at: datetime,
    unit: str,
    subject_type: str,
    subject_id: str,
    correlation_id: str,
    now: datetime,
) -> Deadline:
    """A window as it starts: running, its first stage next (`due_at` may end it earlier than `due` counts)."""
    return Deadline(
        id=deadline_id,
        kind=spec.name,
        title=spec.title,
        legal_basis=spec.legal_basis,
        unit=unit,
        subject_type=subject_type,
        subject_id=subject_id,
        correlation_id=correlation_id,
        state=DeadlineState.RUNNING,
        custody=due.custody,
        window=due.window,
        window_unit=spec.unit.value,
        extra_days=0,
        period_started_at=due.start,
        due_at=due_at,
        rolled_forward=due.rolled_forward and due_at == due.due,
        warnings_hours=spec.warnings_hours,
        generation=0,
        stage_index=0,
        next_fire_at=stages_for(due_at, due.start, spec.warnings_hours)[0].at,
        extensions=0,
        restarts=0,
        met_at=None,
        breached_at=None,
        cancelled_at=None,
        created_at=now,
        updated_at=now,
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a deadline's history: started, a warning, the breach, met, extended, restarted, cancelled."""

    at: datetime
    action: str
    actor: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class ReceivedBreach:
    """Another agency's breach, as this agency keeps it for its supervisors."""

    event_id: str
    agency: str
    unit: str
    deadline_id: str
    kind: str
    title: str
    legal_basis: str
    subject_type: str
    subject_id: str
    correlation_id: str
    due_at: datetime
    fired_at: datetime
    late: bool
    received_at: datetime


@dataclass(frozen=True)
class PeerWindow:
    """Another agency's window of one of this agency's matters, as its deadline events told it."""

    deadline_id: str
    agency: str
    unit: str
    kind: str
    title: str
    subject_type: str
    subject_id: str
    correlation_id: str
    state: DeadlineState
    started_at: datetime
    due_at: datetime
    updated_at: datetime
    met_at: datetime | None = None
    days_used: float | None = None
    on_time: bool | None = None
    breached_at: datetime | None = None
    cancelled_at: datetime | None = None
    note: str | None = None


def merge_peer_window(known: PeerWindow | None, news: PeerWindow, *, moved: bool = False) -> PeerWindow | None:
    """What this agency knows of a peer window once `news` arrives; None when the news changes nothing.

    The owner's events of one window arrive in order (one key, one partition), but a copy may begin mid-way (a
    window started before copies were kept), so each event carries the whole window and only moves it forward:
    met and cancelled are final, a breach is followed by a late meeting or a cancellation, and only a change
    (`moved`: an extension or a restart) puts a window back to running.
    """
    if known is None:
        return news
    if moved:
        return news if known.state is not DeadlineState.CANCELLED else None
    final = (DeadlineState.MET, DeadlineState.CANCELLED)
    if known.state in final or news.state is DeadlineState.RUNNING:
        return None
    return news if news.breached_at is not None else replace(news, breached_at=known.breached_at)
