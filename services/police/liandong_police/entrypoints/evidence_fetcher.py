"""The evidence fetcher: a background worker that fetches each expected file of a referral from the court by its
digest (claim check), verifies it and keeps it, retrying with backoff until it verifies."""

from __future__ import annotations

from collections.abc import Callable

from liandong.clock import Clock
from liandong.worker import PeriodicWorker
from liandong_police.adapters.court_client import CourtClient
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork


class EvidenceFetcher(PeriodicWorker):
    def __init__(
        self,
        *,
        uow_factory: Callable[[], PoliceUnitOfWork],
        court: CourtClient,
        clock: Clock,
        interval_seconds: float = 2.0,
        batch_size: int = 20,
    ) -> None:
        super().__init__("evidence-fetcher", interval_seconds)
        self._uow_factory = uow_factory
        self._court = court
        self._clock = clock
        self._batch = batch_size

    async def run_once(self) -> int:
        """Try every item that is due; returns how many were tried."""
        async with self._uow_factory() as uow:
            now = self._clock.now()
            due = await uow.evidence.due(now, self._batch)
            for item in due:
                values = await self._court.fetch_evidence(item.sha256, item.attempts, now)
                await uow.evidence.update(item.referral_id, item.sha256, **values)
            await uow.commit()
        return len(due)

    async def run_round(self) -> bool:
        return await self.run_once() >= self._batch

    async def on_stop(self) -> None:
        await self._court.close()
