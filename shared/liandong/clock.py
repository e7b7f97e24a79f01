"""Injected time: production code asks a Clock, tests move a ManualClock instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetClock:
    """System time plus an offset. Only test environments move it (POST /testing/clock), so that end-to-end tests
    can let legal windows pass without waiting for them."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    @classmethod
    def starting_at(cls, start: datetime | None, offset: timedelta = timedelta(0)) -> OffsetClock:
        """A clock that shows `start` (or the system's time) plus `offset` now, and runs on from there."""
        if start is not None and start.tzinfo is None:
            raise ValueError("a clock's start must be timezone-aware")
        return cls(offset + (start - datetime.now(UTC) if start is not None else timedelta(0)))

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def advance_to(self, instant: datetime) -> None:
        """Forward to `instant` (time never runs backwards: an instant already passed leaves the clock alone)."""
        self.offset += max(timedelta(0), instant - self.now())


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(UTC)


def utc(value: datetime) -> datetime:
    """A stored datetime as aware UTC (SQLite hands naive values back)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
