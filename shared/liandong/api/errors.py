"""One JSON error model for every 4xx and 5xx: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liandong.errors import Conflict, DomainError, Forbidden, NotFound
from liandong.persistence.faults import database_unavailable
from liandong.persistence.integrity import violation
from liandong.persistence.uow import IdempotencyKeyTaken

log = logging.getLogger(__name__)

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = jsonable_encoder(details)
    return {"error": body}


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


async def send_json(send: Send, status: int, body: dict[str, Any], extra_headers: dict[str, str] | None = None) -> None:
    """A whole JSON response, straight on the ASGI channel (middleware that answers before or instead of the app)."""
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in (extra_headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw})


DATABASE_BUSY = (
    "database_busy",
    "the database cannot take this request now; retry shortly with the same Idempotency-Key (an act is never applied "
    "twice under one key)",
)


class ErrorMiddleware:
    """Every error no handler answered is answered here, and goes no further: 503 `database_busy` with Retry-After
    when the database cannot be reached or keep its connection (refused, restarting, a connection closed under the
    operation, no pooled connection free), 500 `internal_error` otherwise. Starlette's own server-error middleware
    re-raises after answering, and uvicorn then drops the keep-alive connection under a client already reusing it;
    an error answered here leaves the connection open."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            where = f"{scope['method']} {scope['path']}"
            if started:  # part of the answer is out: nothing more can be said on this response
                log.exception("error on %s after its response started", where)
            elif database_unavailable(exc):
                # the transaction did not commit — or, cut off during its COMMIT, may have: a resend under the same
                # Idempotency-Key finds out which, and the same request may succeed in a moment
                log.warning("database unavailable on %s: %s", where, (str(exc).splitlines() or [repr(exc)])[0])
                await send_json(send, 503, error_body(*DATABASE_BUSY), {"Retry-After": "1"})
            else:
                log.exception("unhandled error on %s", where)
                await send_json(send, 500, error_body("internal_error", "internal error; the request was not applied"))


def _domain_status(exc: DomainError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, Forbidden):
        return 403
    return 422


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors()]
        if any(e["type"] == "json_invalid" for e in errors):
            return error_response(400, "malformed_json", "the request body is not valid JSON", errors)
        return error_response(422, "validation_error", "the request does not match the schema", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = STATUS_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return error_response(_domain_status(exc), exc.code, exc.message, exc.details)

    @app.exception_handler(IdempotencyKeyTaken)
    async def _idempotency_race(_: Request, exc: IdempotencyKeyTaken) -> JSONResponse:
        return error_response(
            409,
            "idempotency_key_in_use",
            "another request with this Idempotency-Key was applied first; retry to receive its response",
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # a conflict the database detected that no rule caught first: nothing was written (the unit of work rolled
        # back); the request conflicts with a record that exists, so 409, never 500
        found = violation(exc)
        log.warning("integrity conflict on %s %s: %s", request.method, request.url.path, found)
        details = {"table": found.table, "columns": list(found.columns), "constraint": found.constraint}
        if found.kind == "unique":
            return error_response(409, "already_exists", f"another record already has this {found.subject}", details)
        return error_response(409, "conflict", "the request conflicts with the records as they stand", details)

    app.add_middleware(ErrorMiddleware)
