"""Pure ASGI middleware for request bodies: a size limit, and Idempotency-Key replay.

See docs/architecture.md, "Delivery", rule 5.

Idempotency works with the unit of work: this middleware puts an `IdempotencyClaim` in a context variable, and the
first commit the request makes inserts the key in the same transaction as the state change. So a key is either
recorded together with its effects or not at all; a second request with the same key finds it and gets the first
response replayed, or a 422 when its body differs, and never applies anything twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import orjson
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liandong.api.errors import ApiError, error_body, send_json
from liandong.clock import utc
from liandong.persistence.tables import CommonTables
from liandong.persistence.uow import IdempotencyClaim, current_idempotency_claim, reads_only

log = logging.getLogger(__name__)

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
IDEMPOTENCY_HEADER = b"idempotency-key"
MAX_KEY_LENGTH = 200
MAX_STORED_RESPONSE = 1_048_576


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None when it is larger than `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


class BodyLimitMiddleware:
    """413 with the JSON error model for bodies over the limit; buffers the body for the layers below; 422 for a
    control character (NUL and the like) in the path, a query parameter or a text of a JSON or form body.

    `overrides` maps path regular expressions to their own limits (e.g. evidence uploads)."""

    def __init__(self, app: ASGIApp, max_bytes: int, overrides: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = overrides or {}

    def _limit(self, path: str) -> int:
        for pattern, limit in self.overrides.items():
            if re.search(pattern, path):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = control_character_in(scope)
        if where is None and scope["method"] not in MUTATING:
            await self.app(scope, receive, send)
            return
        if where is not None:
            await send_json(send, 422, control_character_error(where))
            return
        limit = self._limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await send_json(send, 413, error_body("payload_too_large", f"the body is over {limit} bytes"))
            return
        body = await read_body(receive, limit)
        if body is None:
            await send_json(send, 413, error_body("payload_too_large", f"the body is over {limit} bytes"))
            return
        where = control_character_in_body(body, dict(scope["headers"]).get(b"content-type", b""))
        if where is not None:
            await send_json(send, 422, control_character_error(where))
            return
        await self.app(scope, replay(body), send)


# control characters no text of this system holds (tab, line feed and carriage return stay: free text has lines);
# PostgreSQL refuses NUL in text outright, and the others are at best invisible in a legal document
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# …in raw bytes, as a JSON escape, or percent-encoded in a form: only then is the body parsed to find where
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|(?:\\u00|%)(?:0[0-8bcef]|1[0-9a-f]|7f)", re.IGNORECASE)


def control_character_in(scope: Scope) -> str | None:
    """The path or the query parameter holding a control character, if any (the request is then refused)."""
    if _CONTROL.search(scope["path"]):
        return "path"
    query = scope.get("query_string", b"")
    if query:
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if _CONTROL.search(name) or _CONTROL.search(value):
                return f"query.{name}"
    return None


def control_character_in_body(body: bytes, content_type: bytes) -> str | None:
    """Where a JSON or form body holds a control character in a text (an escaped one in JSON included); files
    (multipart) are bytes, not text, and are checked by their own type."""
    if not body or not _CONTROL_BYTES.search(body):
        return None  # the common case: one scan of the raw bytes
    kind = content_type.split(b";")[0].strip().lower()
    if kind == b"application/x-www-form-urlencoded":
        for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            if _CONTROL.search(name) or _CONTROL.search(value):
                return f"body.{name}"
        return None
    if kind != b"application/json":
        return None
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None  # the route answers malformed JSON in its own words
    return _control_in_json(document, "body")


def _control_in_json(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        return where if _CONTROL.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _control_in_json(key, where) or _control_in_json(item, f"{where}.{key}")
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _control_in_json(item, f"{where}.{i}")
            if found:
                return found
    return None


def control_character_error(where: str) -> dict[str, Any]:
    return error_body(
        "control_character",
        "text may not hold control characters (NUL and the like); only tab and line breaks",
        {"loc": where.split(".")},
    )


# how long a key whose act committed may wait for its response to be stored before a replay is told it was lost: the
# response is stored right after the commit (before it is sent), so only a process that stopped in between, or a
# commit cut off by the database (applied, though its request failed), leaves a key without one for longer
RESPONSE_GRACE = timedelta(seconds=15)
STORE_RETRY_SECONDS = (0.5, 1.0, 1.0, 2.0, 2.0, 5.0)  # then every 5 s…
STORE_RETRY_FOR = timedelta(minutes=15)  # …for this long


class IdempotencyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        database: Callable[[], tuple[async_sessionmaker[AsyncSession], CommonTables]],
        scope_of: Callable[[list[tuple[bytes, bytes]]], str | None],
        now: Callable[[], datetime],
    ) -> None:
        self.app = app
        self.database = database
        self.scope_of = scope_of
        self.now = now
        # responses this process stores later (the database was away), by (scope, key)
        self._storing: dict[tuple[str, str], asyncio.Task[None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in MUTATING:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_key = headers.get(IDEMPOTENCY_HEADER)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        try:
            principal = self.scope_of(scope["headers"])
        except ApiError as refused:
            await send_json(
                send, refused.status, error_body(refused.code, refused.message), extra_headers=refused.headers
            )
            return
        if principal is None:  # no token: the route answers 401; nothing is recorded or replayed
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            await send_json(
                send, 400, error_body("invalid_idempotency_key", f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} chars")
            )
            return
        body = await read_body(receive, 1 << 62) or b""
        fingerprint = hashlib.sha256(
            b"\n".join([scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), body])
        ).hexdigest()
        sessions, tables = self.database()
        table = tables.idempotency_keys
        async with sessions() as session:
            stored = (
                await session.execute(select(table).where(table.c.scope == principal, table.c.key == key))
            ).first()
        if stored is not None:
            await self._answer_stored(send, stored, fingerprint)
            return

        claim = IdempotencyClaim(scope=principal, key=key, fingerprint=fingerprint)
        token = current_idempotency_claim.set(claim)
        # the response is held until it is stored: a client that resends after reading it always gets it replayed,
        # never "in progress" (a response over MAX_STORED_RESPONSE is not stored and goes out as it comes)
        held: list[Message] = []
        captured: dict[str, Any] = {"status": None, "content_type": None, "size": 0, "streaming": False}

        async def capture(message: Message) -> None:
            if captured["streaming"]:
                await send(message)
                return
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["content_type"] = dict(message.get("headers", [])).get(b"content-type", b"").decode()
            elif message["type"] == "http.response.body":
                captured["size"] += len(message.get("body", b""))
            held.append(message)
            if captured["size"] > MAX_STORED_RESPONSE:
                captured["streaming"] = True
                for earlier in held:
                    await send(earlier)
                held.clear()

        try:
            await self.app(scope, replay(body), capture)
        finally:
            current_idempotency_claim.reset(token)
        if claim.recorded and captured["status"] is not None and not captured["streaming"]:
            chunks = [m.get("body", b"") for m in held if m["type"] == "http.response.body"]
            response = {
                "status_code": captured["status"],
                "response_body": b"".join(chunks).decode("utf-8", "replace"),
                "response_content_type": captured["content_type"] or "application/json",
            }
            try:
                await self._store(principal, key, response)
            except Exception as exc:  # the act is committed: its answer goes out, and is stored when it can be
                log.warning("the response to Idempotency-Key %r is stored later: %r", key, exc)
                task = asyncio.create_task(self._store_later(principal, key, response))
                self._storing[(principal, key)] = task
                task.add_done_callback(lambda _: self._storing.pop((principal, key), None))
        for message in held:
            await send(message)

    async def _store(self, principal: str, key: str, response: dict[str, Any]) -> None:
        sessions, tables = self.database()
        table = tables.idempotency_keys
        async with sessions() as session, session.begin():
            await session.execute(
                update(table).where(table.c.scope == principal, table.c.key == key).values(**response)
            )

    async def _store_later(self, principal: str, key: str, response: dict[str, Any]) -> None:
        """Retry storing a response until the database takes it (a restart, an outage), so that a resend is answered
        with it rather than left `in progress`."""
        waits = iter(STORE_RETRY_SECONDS)
        deadline = time.monotonic() + STORE_RETRY_FOR.total_seconds()
        while time.monotonic() < deadline:
            await asyncio.sleep(next(waits, STORE_RETRY_SECONDS[-1]))
            try:
                await self._store(principal, key, response)
            except Exception as exc:
                log.debug("storing the response to Idempotency-Key %r failed again: %r", key, exc)
                continue
            log.info("the response to Idempotency-Key %r is stored", key)
            return
        log.error("the response to Idempotency-Key %r could not be stored; a resend is told it was lost", key)

    async def _answer_stored(self, send: Send, stored: Any, fingerprint: str) -> None:
        if stored.fingerprint != fingerprint:
            await send_json(
                send,
                422,
                error_body(
                    "idempotency_key_reused",
                    "this Idempotency-Key was used with a different request; use a new key for a new request",
                ),
            )
            return
        waiting = (stored.scope, stored.key) in self._storing or utc(stored.created_at) + RESPONSE_GRACE > self.now()
        if stored.status_code is None and waiting:
            await send_json(
                send,
                409,
                error_body(
                    "idempotency_request_in_progress",
                    "the request with this Idempotency-Key was applied and its response is not recorded yet",
                ),
                extra_headers={"Retry-After": "1"},
            )
            return
        if stored.status_code is None:  # its process stopped before storing it: say what the act changed
            await send_json(send, 409, await self._lost(stored))
            return
        raw = stored.response_body.encode()
        await send(
            {
                "type": "http.response.start",
                "status": stored.status_code,
                "headers": [
                    (b"content-type", stored.response_content_type.encode()),
                    (b"content-length", str(len(raw)).encode()),
                    (b"idempotent-replayed", b"true"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": raw})

    async def _lost(self, stored: Any) -> dict[str, Any]:
        """The answer to a resend whose response was never stored: the act was applied (at `applied_at`); what it
        changed, from its audit entries (the same request id), so the client can read the records."""
        subjects: list[dict[str, str]] = []
        if stored.request_id is not None:
            sessions, tables = self.database()
            log_ = tables.audit_log
            async with sessions() as session:
                rows = await session.execute(
                    select(log_.c.subject_type, log_.c.subject_id)
                    .where(log_.c.request_id == stored.request_id)
                    .order_by(log_.c.seq)
                )
                subjects = [{"type": t, "id": i} for t, i in rows]
        return error_body(
            "idempotency_response_lost",
            "the request with this Idempotency-Key was applied, but its response was not kept; read the records it "
            "changed",
            {"applied_at": utc(stored.created_at).isoformat(), "request_id": stored.request_id, "changed": subjects},
        )


class NoSniffMiddleware:
    """`X-Content-Type-Options: nosniff` on every response: a browser shows a file as the type it was served with
    (the type recorded from its bytes), never as what its content happens to look like."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-content-type-options", b"nosniff")]
            await send(message)

        await self.app(scope, receive, with_header)


class ReadsOnlyMiddleware:
    """A GET or HEAD changes nothing: the units of work made while serving one read outside a write transaction and
    refuse to commit (`liandong.persistence.uow.reads_only`)."""

    SAFE = frozenset({"GET", "HEAD"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = reads_only.set(scope["method"] in self.SAFE)
        try:
            await self.app(scope, receive, send)
        finally:
            reads_only.reset(token)


class StartingGate:
    """Until the service has started (its database answered and holds its migrations), staff get 503 `starting` with
    Retry-After; the probes and metrics answer as ever."""

    OPEN = frozenset({"/livez", "/healthz", "/readyz", "/metrics"})

    def __init__(self, app: ASGIApp, *, started: Callable[[], bool]) -> None:
        self.app = app
        self.started = started

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in self.OPEN and not self.started():
            body = error_body("starting", "the service is starting: its database has not answered yet")
            await send_json(send, 503, body, {"Retry-After": "5"})
            return
        await self.app(scope, receive, send)
