"""Evidence by claim check: fetch each file of a referral from the court by its digest, verify, keep.

The police authenticate to the court with service credentials (OAuth2 client credentials). A file whose content
does not hash to its digest is never accepted: the item shows `digest_mismatch`; an unreachable court shows
`unreachable`; both are retried with backoff until the file verifies.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from liandong.clock import Clock
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork

log = logging.getLogger(__name__)


class CourtClient:
    """The court's evidence endpoint, with a service token fetched and renewed as needed."""

    def __init__(
        self, base_url: str, client_id: str, client_secret: str, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=15.0, transport=transport)
        self._client_id = client_id
        self._secret = client_secret
        self._token: str | None = None

    async def _authorise(self) -> str:
        response = await self._http.post(
            "/auth/service-token", data={"client_id": self._client_id, "client_secret": self._secret}
        )
        response.raise_for_status()
        self._token = str(response.json()["access_token"])
        return self._token

    async def evidence(self, sha256: str) -> httpx.Response:
        token = self._token or await self._authorise()
        response = await self._http.get(f"/evidence/{sha256}", headers={"Authorization": f"Bearer {token}"})
        if response.status_code == 401:  # expired: one renewal
            token = await self._authorise()
            response = await self._http.get(f"/evidence/{sha256}", headers={"Authorization": f"Bearer {token}"})
        return response

    async def close(self) -> None:
        await self._http.aclose()


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(5 * 2 ** min(attempts, 10), 600))


class EvidenceFetcher:
    def __init__(
        self,
        *,
        uow_factory: Callable[[], PoliceUnitOfWork],
        court: CourtClient,
        clock: Clock,
        interval_seconds: float = 2.0,
        batch_size: int = 20,
    ) -> None:
        self._uow_factory = uow_factory
        self._court = court
        self._clock = clock
        self._interval = interval_seconds
        self._batch = batch_size
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="evidence-fetcher")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self._court.close()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def run_once(self) -> int:
        """Try every item that is due; returns how many were tried."""
        async with self._uow_factory() as uow:
            now = self._clock.now()
            due = await uow.evidence.due(now, self._batch)
            for item in due:
                values = await self._fetch(item.sha256, item.attempts, now)
                await uow.evidence.update(item.referral_id, item.sha256, **values)
            await uow.commit()
        return len(due)

    async def _fetch(self, sha256: str, attempts: int, now: datetime) -> dict[str, object]:
        retry = {"attempts": attempts + 1, "next_attempt_at": now + backoff(attempts)}
        try:
            response = await self._court.evidence(sha256)
        except httpx.HTTPError as exc:
            return {**retry, "status": "unreachable", "last_error": f"court unreachable: {exc!r}"[:2000]}
        if response.status_code == 404:
            return {**retry, "status": "missing", "last_error": "the court has no file with this digest"}
        if response.status_code != 200:
            return {
                **retry,
                "status": "unreachable",
                "last_error": f"court answered {response.status_code}: {response.text[:500]}",
            }
        actual = hashlib.sha256(response.content).hexdigest()
        if actual != sha256:
            log.warning("evidence %s from the court hashes to %s: refused", sha256, actual)
            return {
                **retry,
                "status": "digest_mismatch",
                "last_error": f"the content received hashes to {actual}, not {sha256}",
            }
        return {
            "status": "fetched",
            "attempts": attempts + 1,
            "content": response.content,
            "fetched_at": now,
            "last_error": None,
        }

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.run_once()
            except Exception:
                log.warning("evidence fetch round failed", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)
