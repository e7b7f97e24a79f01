"""A background worker that runs rounds on an interval until stopped: the outbox relay, the deadline tracker and the
police evidence fetcher are all one of these.

A round that fails is logged and recorded (`last_error`) and the next one comes after `pause()`; a round that says
more work is waiting is followed at once; `wake()` cuts a pause short. `stop()` lets the round in progress finish
(bounded by a timeout, then cancelled) and then calls `on_stop()`. A worker whose rounds may overlap (the relay on
PostgreSQL, whose rounds lock what they claim) runs in several lanes: a wake-up that comes while one lane's round
waits on the broker starts a round in another, rather than waiting for the first to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod

from liandong.aio import cancel_within

log = logging.getLogger(__name__)


class PeriodicWorker(ABC):
    def __init__(self, name: str, interval_seconds: float, lanes: int = 1) -> None:
        self.name = name
        self.interval = interval_seconds
        self.lanes = lanes
        self.last_error: str | None = None
        self._woken = False  # a wake-up came since the last round began
        self._pausing: list[asyncio.Event] = []  # the lanes pausing, each waiting on its own event
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    @abstractmethod
    async def run_round(self) -> bool:
        """One round of work. True when more is waiting and the next round should follow at once."""

    def pause(self) -> float:
        """Seconds to wait after a round with nothing more waiting."""
        return self.interval

    def round_failed(self, exc: Exception) -> None:
        """Called when a round raised; the worker carries on after `pause()`."""
        self.last_error = repr(exc)
        log.warning("%s: round failed: %r", self.name, exc)

    async def on_stop(self) -> None:  # noqa: B027 (optional hook)
        """Release what the worker holds (producers, HTTP clients) once the loop has ended."""

    def start(self) -> None:
        self._stopping.clear()
        self._tasks = [
            asyncio.create_task(self._run(), name=self.name if lane == 0 else f"{self.name}-{lane}")
            for lane in range(self.lanes)
        ]

    def wake(self) -> None:
        """Cut the pause short (the relay is woken after a commit that wrote outbox rows): one idle lane starts a
        round; when none is idle, the next lane to finish its round starts another at once."""
        self._woken = True
        if self._pausing:
            self._pausing.pop(0).set()

    async def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        for idle in self._pausing:
            idle.set()
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=timeout)  # waiting does not cancel them
            for task in late:
                await cancel_within(task, 5, f"worker {self.name}")
            self._tasks = []
        await self.on_stop()

    @property
    def running(self) -> bool:
        return any(not task.done() for task in self._tasks)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            # cleared before the round, not after it: a wake-up that comes while the round runs (a commit after its
            # claim) is kept, and the next round follows at once instead of after the pause
            self._woken = False
            try:
                more = await self.run_round()
            except Exception as exc:
                more = False
                self.round_failed(exc)
            if more or self._woken:
                continue
            if self._stopping.is_set():  # stop() woke the lanes pausing when it came; this one was in its round
                break
            idle = asyncio.Event()
            self._pausing.append(idle)
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(idle.wait(), timeout=self.pause())
            finally:
                if idle in self._pausing:
                    self._pausing.remove(idle)
