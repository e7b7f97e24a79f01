"""/healthz (liveness), /readyz (database + Kafka + relay + consumers), /metrics (Prometheus)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from liandong.messaging.kafka import bounded

log = logging.getLogger(__name__)


class KafkaProbe:
    """Asks the broker for its topic list with a long-lived admin client, recreated after failures."""

    def __init__(self, bootstrap_servers: str) -> None:
        self._bootstrap = bootstrap_servers
        self._admin: AIOKafkaAdminClient | None = None
        self._lock = asyncio.Lock()

    async def check(self, timeout: float = 3.0) -> int:
        async with self._lock:
            try:
                if self._admin is None:
                    admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap, request_timeout_ms=5_000)
                    await bounded(admin.start(), timeout, "connecting to Kafka")
                    self._admin = admin
                return len(await bounded(self._admin.list_topics(), timeout, "listing topics"))
            except BaseException:
                await self.close()
                raise

    async def close(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            try:
                await asyncio.wait_for(admin.close(), 3)
            except Exception:
                log.debug("admin close failed", exc_info=True)


def health_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        runtime = request.app.state.runtime
        stuck = [c.name for c in runtime.consumers if c.status()["running"] and not c.healthy]
        body = {"status": "ok" if not stuck else "unhealthy", "service": runtime.agency, "stuck_consumers": stuck}
        return JSONResponse(body, status_code=200 if not stuck else 503)

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        runtime = request.app.state.runtime
        checks: dict[str, Any] = {}
        ok = True
        try:
            await runtime.check_database()
            checks["database"] = "ok"
        except Exception as exc:
            ok = False
            checks["database"] = f"error: {exc!r}"
        try:
            count = await request.app.state.kafka_probe.check()
            checks["kafka"] = f"ok ({count} topics)"
        except Exception as exc:
            ok = False
            checks["kafka"] = f"error: {exc!r}"
        state = runtime.readiness()
        checks.update(state)
        ok = ok and state["topics_ready"] and state["relay"]["running"] and state["deadline_tracker"]["running"]
        ok = ok and all(c["running"] and c["healthy"] for c in state["consumers"].values())
        return JSONResponse(
            {"status": "ready" if ok else "not_ready", "service": runtime.agency, "checks": checks},
            status_code=200 if ok else 503,
        )

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
