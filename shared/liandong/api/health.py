"""/readyz (can serve staff), /healthz (alive, with the state of what runs beside), /metrics (Prometheus).

Readiness is the database and its migrations only: the broker, the relay, the consumers and the deadline tracker are
details of /healthz and metrics, to alert on, never a reason to stop serving staff — the outbox exists to ride out
a broker outage.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import time
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest

from liandong import __version__
from liandong.messaging.kafka import KafkaConnection, bounded

log = logging.getLogger(__name__)

READY = Gauge("liandong_ready", "1 when the service can serve staff (database and migrations)", ["agency"])
BROKER_UP = Gauge("liandong_broker_up", "1 when the broker answered the last probe", ["agency"])
OUTBOX_PENDING = Gauge("liandong_outbox_pending_rows", "Outbox rows not yet published", ["agency"])
OUTBOX_AGE = Gauge("liandong_outbox_oldest_pending_seconds", "Age of the oldest unpublished outbox row", ["agency"])
RELAY_FAILURES = Gauge("liandong_relay_consecutive_failures", "Relay publish failures in a row", ["agency"])
CONSUMER_LAG = Gauge("liandong_consumer_lag_messages", "Messages past what the consumer applied", ["consumer"])
CONSUMER_HEALTHY = Gauge("liandong_consumer_healthy", "1 when the consumer's poll loop makes progress", ["consumer"])
BUILD = Gauge(
    "liandong_build_info",
    "The running release: 1, labelled with its version and commit",
    ["agency", "version", "commit"],
)
CLAIMS_AGE = Gauge(
    "liandong_document_claims_oldest_unfetched_seconds",
    "Age of the oldest document another agency announced that is not fetched yet",
    ["agency"],
)
TICK_AGE = Gauge("liandong_deadline_tracker_seconds_since_tick", "Seconds since the tracker's last tick", ["agency"])


class KafkaProbe:
    """Asks the broker for its topic list with a long-lived admin client, recreated after failures; the answer is
    kept for a few seconds, so a probe during an outage costs one timeout, not one per request."""

    def __init__(self, connection: KafkaConnection, keep_seconds: float = 5.0) -> None:
        self._connection = connection
        self._admin: AIOKafkaAdminClient | None = None
        self._lock = asyncio.Lock()
        self._keep = keep_seconds
        self._last: tuple[float, bool, str] | None = None

    async def check(self, timeout: float = 2.0) -> int:
        async with self._lock:
            try:
                if self._admin is None:
                    admin = AIOKafkaAdminClient(**self._connection.client_kwargs(), request_timeout_ms=5_000)
                    await bounded(admin.start(), timeout, "connecting to Kafka")
                    self._admin = admin
                return len(await bounded(self._admin.list_topics(), timeout, "listing topics"))
            except BaseException:
                await self.close()
                raise

    async def status(self) -> tuple[bool, str]:
        now = time.monotonic()
        if self._last is not None and now - self._last[0] < self._keep:
            return self._last[1], self._last[2]
        try:
            answer = (True, f"ok ({await self.check()} topics)")
        except Exception as exc:
            answer = (False, f"unreachable: {exc!r}")
        self._last = (time.monotonic(), *answer)
        return answer

    async def close(self) -> None:
        admin, self._admin = self._admin, None
        if admin is not None:
            try:
                await bounded(admin.close(), 3, "closing the health check's admin client")
            except Exception:
                log.debug("admin close failed", exc_info=True)


async def _ready(request: Request) -> tuple[bool, str]:
    try:
        await request.app.state.runtime.check_database()
        return True, "ok"
    except Exception as exc:
        return False, f"error: {exc!r}"


async def _details(request: Request) -> dict[str, Any]:
    runtime = request.app.state.runtime
    up, broker = await request.app.state.kafka_probe.status()
    details: dict[str, Any] = {"broker": {"up": up, "detail": broker}}
    try:
        details.update(await runtime.details())
    except Exception as exc:  # the database is away: /readyz says so; liveness still answers
        details["error"] = repr(exc)
    return details


def _degraded(details: dict[str, Any]) -> list[str]:
    problems = []
    if not details["broker"]["up"]:
        problems.append("broker unreachable")
    if "error" in details:
        problems.append("database unreachable")
        return problems
    if details["relay"]["consecutive_failures"]:
        problems.append("relay failing")
    problems += [f"consumer {name} stalled" for name, c in details["consumers"].items() if not c["healthy"]]
    if details["deadline_tracker"]["last_error"]:
        problems.append("deadline tracker failing")
    restored = details["restore"]
    if restored["lost"] and not restored.get("lost_acknowledged_at"):
        problems.append(f"{len(restored['lost'])} acts lost in the restore (python -m liandong restore --report)")
    if (details["documents"]["oldest_unfetched_seconds"] or 0) > UNFETCHED_SECONDS:
        problems.append("documents announced here not fetched")
    return problems


UNFETCHED_SECONDS = 900  # a document announced a quarter of an hour ago and not fetched: the peer or its URL


def ops_allowed(request: Request) -> bool:
    """Whether the caller may read the service's internals (/metrics, /healthz's details): anyone outside production;
    in production, a caller with the operations token (OPS_TOKEN as a bearer token; none configured: nobody)."""
    settings = request.app.state.runtime.settings
    if settings.environment != "production":
        return True
    offered = request.headers.get("authorization", "")
    expected = f"Bearer {settings.ops_token}"
    return bool(settings.ops_token) and hmac.compare_digest(offered.encode(), expected.encode())


def health_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/livez")
    async def livez(request: Request) -> JSONResponse:
        """Alive: the process and its event loop answer — and nothing else is asked. The liveness probe's endpoint:
        no I/O, so an outage of the broker or the database (which /healthz reports, and which the service rides out)
        never makes it fail and restart every replica at once."""
        runtime = request.app.state.runtime
        return JSONResponse({"status": "alive", "service": runtime.agency, "started": runtime.started})

    @router.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        """Alive (always 200 while the process answers), with the state of the broker, relay, outbox, consumers and
        deadline tracker: `degraded` lists what to look at. In production, the details answer the ops token only."""
        if not ops_allowed(request):
            return JSONResponse({"status": "alive", "service": request.app.state.runtime.agency})
        details = await _details(request)
        problems = _degraded(details)
        body = {
            "status": "degraded" if problems else "ok",
            "service": request.app.state.runtime.agency,
            "problems": problems,
            **details,
        }
        return JSONResponse(body)

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """Ready to serve staff: the database answers and holds this code's migrations."""
        ok, database = await _ready(request)
        body = {"status": "ready" if ok else "not_ready", "service": request.app.state.runtime.agency}
        return JSONResponse({**body, "checks": {"database": database}}, status_code=200 if ok else 503)

    @router.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if not ops_allowed(request):
            return JSONResponse(
                {"error": {"code": "ops_token_required", "message": "metrics answer the operations token only"}},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        runtime = request.app.state.runtime
        agency = runtime.agency
        BUILD.labels(agency, __version__, os.environ.get("LIANDONG_COMMIT", "unknown")).set(1)
        ok, _ = await _ready(request)
        READY.labels(agency).set(1 if ok else 0)
        details = await _details(request)
        BROKER_UP.labels(agency).set(1 if details["broker"]["up"] else 0)
        if "error" not in details:
            OUTBOX_PENDING.labels(agency).set(details["outbox"]["pending"])
            OUTBOX_AGE.labels(agency).set(details["outbox"]["oldest_pending_seconds"] or 0)
            RELAY_FAILURES.labels(agency).set(details["relay"]["consecutive_failures"])
            for name, consumer in details["consumers"].items():
                CONSUMER_HEALTHY.labels(name).set(1 if consumer["healthy"] else 0)
                if consumer["lag"] is not None:
                    CONSUMER_LAG.labels(name).set(consumer["lag"])
            CLAIMS_AGE.labels(agency).set(details["documents"]["oldest_unfetched_seconds"] or 0)
            since = details["deadline_tracker"]["seconds_since_tick"]
            if since is not None:
                TICK_AGE.labels(agency).set(since)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
