"""Another agency's API, reached with this service's client credentials (OAuth2 client credentials, `POST
/auth/service-token` there): the police fetching evidence from the court, every service fetching the documents
another agency announced to it.

A file is accepted only when its content hashes to the digest it was announced with (claim check): an attempt
that gets other bytes says `digest_mismatch`, an unreachable peer `unreachable`, an unknown file `missing`; each is
retried with backoff until the file verifies.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

import httpx

from liandong.tracing import Tracing

log = logging.getLogger(__name__)


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … up to 10 minutes between attempts."""
    return timedelta(seconds=min(5 * 2 ** min(attempts, 10), 600))


class PeerClient:
    """One agency's API, with a service token fetched and renewed as needed."""

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

    async def get(self, path: str) -> httpx.Response:
        token = self._token or await self._authorise()
        response = await self._http.get(path, headers={"Authorization": f"Bearer {token}"})
        if response.status_code == 401:  # expired: one renewal
            token = await self._authorise()
            response = await self._http.get(path, headers={"Authorization": f"Bearer {token}"})
        return response

    async def fetch(self, path: str, sha256: str, attempts: int, now: datetime) -> dict[str, object]:
        """One attempt at the file at `path` announced with `sha256`: the values its claim takes (fetched, or why
        not and when to try again)."""
        retry = {"attempts": attempts + 1, "next_attempt_at": now + backoff(attempts)}
        try:
            response = await self.get(path)
        except httpx.HTTPError as exc:
            return {**retry, "status": "unreachable", "last_error": f"peer unreachable: {exc!r}"[:2000]}
        if response.status_code == 404:
            return {**retry, "status": "missing", "last_error": f"the peer has no file at {path}"}
        if response.status_code != 200:
            return {
                **retry,
                "status": "unreachable",
                "last_error": f"the peer answered {response.status_code}: {response.text[:500]}",
            }
        actual = hashlib.sha256(response.content).hexdigest()
        if actual != sha256:
            log.warning("%s hashes to %s, not the %s announced: refused", path, actual, sha256)
            return {
                **retry,
                "status": "digest_mismatch",
                "last_error": f"the content received hashes to {actual}, not {sha256}",
            }
        return {
            "status": "fetched",
            "attempts": attempts + 1,
            "content": response.content,
            # the type the peer recorded from the file's bytes, not the one an event claims
            "content_type": response.headers.get("content-type", "application/octet-stream").split(";")[0].strip(),
            "fetched_at": now,
            "last_error": None,
        }

    async def close(self) -> None:
        await self._http.aclose()
