"""SLA tracker events: a window started, changed (extended or restarted), approaching, breached, met or cancelled,
one family per agency; the other agencies keep a copy of the windows of their matters from them (peer windows).

Every agency publishes the same three payloads on its own `<agency>.deadlines` topic, so each payload is registered
once per agency (`court.deadline.breached`, `police.deadline.breached`, …).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import AwareDatetime, Field

import liandong.contracts.topics as topics
from liandong.contracts.base import Contract, contract

AGENCIES = ("court", "police", "procuratorate")
DEADLINE_TOPICS = {
    "court": topics.COURT_DEADLINES,
    "police": topics.POLICE_DEADLINES,
    "procuratorate": topics.PROCURATORATE_DEADLINES,
}


class DeadlineFacts(Contract):
    """What every deadline event says about the deadline."""

    deadline_id: str = Field(min_length=1, max_length=36)  # the window's id (a UUID), as every agency stores it
    kind: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    legal_basis: str = Field(min_length=1, max_length=2000)
    unit: str = Field(min_length=1, max_length=16)
    subject_type: str = Field(min_length=1, max_length=64)
    subject_id: str = Field(min_length=1, max_length=128)
    started_at: AwareDatetime
    due_at: AwareDatetime


class DeadlineApproachingPayload(DeadlineFacts):
    """A window is about to close: a warning before expiry."""

    stage: str = Field(min_length=1, max_length=32)
    hours_left: float
    fired_at: AwareDatetime
    late: bool = False


class DeadlineBreachedPayload(DeadlineFacts):
    """A window closed without the awaited act."""

    fired_at: AwareDatetime
    late: bool = False


class DeadlineMetPayload(DeadlineFacts):
    """The awaited act came in time (or late, after a breach)."""

    met_at: AwareDatetime
    days_used: float
    on_time: bool


class DeadlineStartedPayload(DeadlineFacts):
    """A window started."""

    window: int = Field(ge=0)
    window_unit: str = Field(min_length=1, max_length=8)
    custody: bool


class DeadlineChangedPayload(DeadlineFacts):
    """A running window moved: extended (a new end) or restarted where the law restarts it (a new period)."""

    change: str = Field(pattern=r"^(extended|restarted)$")
    reason: str = Field(min_length=1, max_length=2000)
    changed_at: AwareDatetime


class DeadlineCancelledPayload(DeadlineFacts):
    """A window that no longer applies (its subject was withdrawn or became moot)."""

    reason: str = Field(min_length=1, max_length=2000)
    cancelled_at: AwareDatetime


P = TypeVar("P", bound=DeadlineFacts)


def _register(agency: str, base: type[P], action: str) -> type[P]:
    name = f"{agency.capitalize()}Deadline{action.capitalize()}V1"
    attributes: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": base.__doc__,
        "event_type": f"{agency}.deadline.{action}",
        "schema_version": 1,
        "aggregate_type": "deadline",
        "topic": DEADLINE_TOPICS[agency],
    }
    cls: type[P] = contract(type(name, (base,), attributes))
    globals()[name] = cls
    return cls


APPROACHING = {a: _register(a, DeadlineApproachingPayload, "approaching") for a in AGENCIES}
BREACHED = {a: _register(a, DeadlineBreachedPayload, "breached") for a in AGENCIES}
MET = {a: _register(a, DeadlineMetPayload, "met") for a in AGENCIES}
STARTED = {a: _register(a, DeadlineStartedPayload, "started") for a in AGENCIES}
CHANGED = {a: _register(a, DeadlineChangedPayload, "changed") for a in AGENCIES}
CANCELLED = {a: _register(a, DeadlineCancelledPayload, "cancelled") for a in AGENCIES}
