"""The read log: every answer that shows an identity or phone number in full (a record's detail; lists are masked)
is recorded — who, what, when, under which request id — before it leaves, and supervisors list them (GET
/audit/reads). Found in the answer itself, so a record that gains a personal field later is covered without a
route's help; an answer whose read cannot be recorded is not given (503, as any write while the database is away).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liandong.pii import shows_personal_numbers
from liandong.security import Principal

Record = Callable[[Principal, str, str | None], Awaitable[None]]


class ReadLogMiddleware:
    def __init__(
        self, app: ASGIApp, *, principal_of: Callable[[Iterable[tuple[bytes, bytes]]], Principal | None], record: Record
    ) -> None:
        self.app = app
        self.principal_of = principal_of
        self.record = record

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def hold_json(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if message["status"] == 200 and headers.get(b"content-type", b"").startswith(b"application/json"):
                    start = message  # held until the body is seen
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                if shows_personal_numbers(body):  # the token is read only then: most answers show none
                    principal = self.principal_of(scope["headers"])
                    if principal is not None:  # a 200 with personal numbers was answered to a verified caller
                        state = scope.get("state", {})
                        await self.record(principal, scope["path"], state.get("request_id"))
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, hold_json)
