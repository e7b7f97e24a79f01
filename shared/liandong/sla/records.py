"""What a deadline is, as the workflows and the API read it (the engine's rows, typed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from liandong.sla.rules import DeadlineState


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
