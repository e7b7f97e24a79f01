"""The pure rules of a deadline's life: its states and the stages (warnings, then the breach) it fires."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class DeadlineState(StrEnum):
    RUNNING = "running"
    MET = "met"
    BREACHED = "breached"  # still awaiting the act: a breached window can be met late
    CANCELLED = "cancelled"


OPEN_STATES = (DeadlineState.RUNNING, DeadlineState.BREACHED)
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


def overdue_stages(stages: Sequence[Stage], fired: int, now: datetime) -> list[Stage]:
    """The stages not fired yet whose instant has come; only the last of them fires (a breach makes the warnings
    before it moot)."""
    return [s for s in stages[fired:] if s.at <= now]
