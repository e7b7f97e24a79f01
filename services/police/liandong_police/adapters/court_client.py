"""The court's evidence endpoint (claim check), reached with the police service's client credentials.

A file whose content does not hash to its digest is never accepted: the attempt says `digest_mismatch`; an
unreachable court says `unreachable`; both are retried with backoff until the file verifies.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

import httpx

from liandong.tracing import Tracing

log = logging.getLogger(__name__)


class CourtClient:
    """The court's evidence endpoint, with a service token fetched and renewed as needed."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        transport: httpx.AsyncBaseTransport | None = None,
        tracing: Tracing | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=15.0, transport=transport)
        if tracing is not None:
            tracing.instrument_client(self._http)
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

    async def fetch(self, sha256: str, attempts: int, now: datetime) -> dict[str, object]:
        """One attempt at a file: the values its evidence item takes (fetched, or why not and when to retry)."""
        retry = {"attempts": attempts + 1, "next_attempt_at": now + backoff(attempts)}
        try:
            response = await self.evidence(sha256)
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
            # the type the court recorded from the file's bytes, not the one a referral claims
            "content_type": response.headers.get("content-type", "application/octet-stream").split(";")[0].strip(),
            "fetched_at": now,
            "last_error": None,
        }

    async def close(self) -> None:
        await self._http.aclose()


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(5 * 2 ** min(attempts, 10), 600))
