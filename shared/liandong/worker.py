"""A background worker that runs rounds on an interval until stopped: the outbox relay, the deadline tracker and the
police evidence fetcher are all one of these.

A round that fails is logged and recorded (`last_error`) and the next one comes after `pause()`; a round that says
more work is waiting is followed at once; `wake()` cuts a pause short. `stop()` lets the round in progress finish
(bounded by a timeout, then cancelled) and then calls `on_stop()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod

from liandong.aio import cancel_within

log = logging.getLogger(__name__)


class PeriodicWorker(ABC):
    def __init__(self, name: str, interval_seconds: float) -> None:
        self.name = name
        self.interval = interval_seconds
        self.last_error: str | None = None
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

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
        self._task = asyncio.create_task(self._run(), name=self.name)

    def wake(self) -> None:
        """Cut the pause short (the relay is woken after a commit that wrote outbox rows)."""
        self._wake.set()

    async def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout)
            except TimeoutError:
                await cancel_within(self._task, 5, f"worker {self.name}")
            self._task = None
        await self.on_stop()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            # cleared before the round, not after it: a wake-up that comes while the round runs (a commit after its
            # claim) is kept, and the next round follows at once instead of after the pause
            self._wake.clear()
            try:
                more = await self.run_round()
            except Exception as exc:
                more = False
                self.round_failed(exc)
            if more:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.pause())
