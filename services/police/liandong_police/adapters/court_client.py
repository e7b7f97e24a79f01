"""The court's evidence endpoint (claim check), reached with the police service's client credentials: a peer
(liandong.peers) whose files are fetched by digest, never accepted unless they hash to it."""

from __future__ import annotations

from datetime import datetime

import httpx

from liandong.peers import PeerClient, backoff

__all__ = ["CourtClient", "backoff"]


class CourtClient(PeerClient):
    """The court's evidence endpoint, with a service token fetched and renewed as needed."""

    async def evidence(self, sha256: str) -> httpx.Response:
        return await self.get(f"/evidence/{sha256}")

    async def fetch_evidence(self, sha256: str, attempts: int, now: datetime) -> dict[str, object]:
        """One attempt at a file: the values its evidence item takes (fetched, or why not and when to retry)."""
        return await self.fetch(f"/evidence/{sha256}", sha256, attempts, now)
