"""The SLA tracker: ticks the deadline engine on an interval, from start-up (which fires what fell due while down)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from prometheus_client import Counter

from liandong.deadlines.engine import DeadlineEngine
from liandong.deadlines.firing import count_firings_from_zero
from liandong.persistence.uow import SqlUnitOfWork
from liandong.worker import PeriodicWorker

log = logging.getLogger(__name__)

FIRED = Counter("liandong_deadline_stages_fired_total", "Deadline warnings and breaches fired", ["agency"])


class DeadlineTracker(PeriodicWorker):
    def __init__(
        self, engine: DeadlineEngine, uow_factory: Callable[[], SqlUnitOfWork], interval_seconds: float = 5.0
    ) -> None:
        super().__init__(f"deadline-tracker-{engine.agency}", interval_seconds)
        self.engine = engine
        self._uow_factory = uow_factory
        self.last_tick_at: datetime | None = None
        FIRED.labels(engine.agency)  # the series exists at 0 from the start
        count_firings_from_zero(engine.agency)

    async def tick(self) -> int:
        fired = await self.engine.tick(self._uow_factory)
        self.last_tick_at = self.engine.clock.now()
        if fired:
            FIRED.labels(self.engine.agency).inc(fired)
            log.info("deadline tracker fired %d stages", fired)
        return fired

    async def run_round(self) -> bool:
        await self.tick()
        self.last_error = None
        return False
