"""The SLA tracker: ticks the deadline engine on an interval, from start-up (which fires what fell due while down)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from prometheus_client import Counter

from liandong.persistence.uow import SqlUnitOfWork
from liandong.sla.engine import DeadlineEngine

log = logging.getLogger(__name__)

FIRED = Counter("liandong_deadline_stages_fired_total", "Deadline warnings and breaches fired", ["agency"])


class DeadlineTracker:
    def __init__(
        self, engine: DeadlineEngine, uow_factory: Callable[[], SqlUnitOfWork], interval_seconds: float = 5.0
    ) -> None:
        self.engine = engine
        self._uow_factory = uow_factory
        self._interval = interval_seconds
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.last_tick_at: datetime | None = None
        self.last_error: str | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name=f"deadline-tracker-{self.engine.agency}")

    async def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout)
            except TimeoutError:
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def tick(self) -> int:
        fired = await self.engine.tick(self._uow_factory)
        self.last_tick_at = self.engine.clock.now()
        if fired:
            FIRED.labels(self.engine.agency).inc(fired)
            log.info("deadline tracker fired %d stages", fired)
        return fired

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.tick()
                self.last_error = None
            except Exception as exc:
                self.last_error = repr(exc)
                log.warning("deadline tick failed: %r", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)
