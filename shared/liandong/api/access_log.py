"""One structured log line per HTTP request, with a request id echoed back to the caller."""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liandong import logs

log = logging.getLogger("liandong.access")
REQUEST_ID = b"x-request-id"
CORRELATION_ID = b"x-correlation-id"


class AccessLogMiddleware:
    """Logs method, path, status, duration and request id; a caller's X-Correlation-ID (the matter) is carried into
    every log line of the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
            if path not in ("/healthz", "/readyz", "/livez", "/metrics"):
                duration_ms = round((time.perf_counter() - started) * 1000, 1)
                route = getattr(scope.get("route"), "path", None) or path  # the template: /leads/{lead_id}
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
