"""One structured log line per HTTP request, with a request id echoed back to the caller."""

from __future__ import annotations

import logging
import time
import uuid

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liandong import logs

log = logging.getLogger("liandong.access")
REQUESTS = Counter(
    "liandong_http_requests_total",
    "HTTP requests answered, by route template and status",
    ["agency", "method", "route", "status"],
)
LATENCY = Histogram(
    "liandong_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template",
    ["agency", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
UNMATCHED = "(unmatched)"  # a path no route took (a 404): one series, whatever was asked
REQUEST_ID = b"x-request-id"
CORRELATION_ID = b"x-correlation-id"


class AccessLogMiddleware:
    """Logs method, path, status, duration and request id; a caller's X-Correlation-ID (the matter) is carried into
    every log line of the request."""

    def __init__(self, app: ASGIApp, agency: str = "") -> None:
        self.app = app
        self.agency = agency

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = headers.get(REQUEST_ID, b"").decode("latin-1")[:100] or uuid.uuid4().hex
        correlation = headers.get(CORRELATION_ID, b"").decode("latin-1")[:128] or None
        scope.setdefault("state", {})["request_id"] = request_id  # request.state.request_id (the audit trail's)
        token = logs.correlation_id.set(correlation)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (REQUEST_ID, request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = scope["path"]
            elapsed = time.perf_counter() - started
            template = getattr(scope.get("route"), "path", None)  # the route's template: /leads/{lead_id}
            REQUESTS.labels(self.agency, scope["method"], template or UNMATCHED, str(status)).inc()
            LATENCY.labels(self.agency, scope["method"], template or UNMATCHED).observe(elapsed)
            if path not in ("/healthz", "/readyz", "/livez", "/metrics"):
                duration_ms = round(elapsed * 1000, 1)
                route = template or path
                client = scope.get("client")
                fields = {
                    "method": scope["method"],
                    "route": route,
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                    "user": scope.get("state", {}).get("user"),
                    "client": client[0] if client else None,
                }
                log.info(
                    "%s %s %d %.1fms",
                    scope["method"],
                    path,
                    status,
                    duration_ms,
                    extra={"request_id": request_id, "correlation_id": correlation, "fields": fields},
                )
            logs.correlation_id.reset(token)
