"""Personal numbers in answers, handled in the one place every JSON answer to a GET passes through:

- **lists are masked**: an answer whose route answers a page of items (`Page`) has every personal field — identity
  and phone numbers, contacts — masked wherever it stands (a case's arrest requests' suspects, a trial's defendants),
  on the answer's bytes (`liandong.pii.mask_personal_fields`), so no list shows one in full;
- **reads are logged**: every answer that still shows an identity or phone number in full (a record's detail) is
  recorded — who, what, when, under which request id — before it leaves, and supervisors list them (GET
  /audit/reads). Found in the answer itself, so a record that gains a personal field later is covered without a
  route's help; an answer whose read cannot be recorded is not given (503, as any write while the database is away).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liandong.api.deps import Page
from liandong.pii import mask_personal_fields, shows_personal_numbers
from liandong.security import Principal

Record = Callable[[Principal, str, str | None], Awaitable[None]]


def answers_a_page(route: Any) -> bool:
    """Whether a route's answer is a page of items (its response model is a `Page[...]`)."""
    model = getattr(route, "response_model", None)
    return isinstance(model, type) and issubclass(model, Page)


class PersonalDataMiddleware:
    def __init__(
        self, app: ASGIApp, *, principal_of: Callable[[Iterable[tuple[bytes, bytes]]], Principal | None], record: Record
    ) -> None:
        self.app = app
        self.principal_of = principal_of
        self.record = record
        self._pages: dict[int, bool] = {}  # route → whether it answers a page (routes live as long as the app)

    def _is_page(self, scope: Scope) -> bool:
        route = scope.get("route")
        if route is None:
            return False
        known = self._pages.get(id(route))
        if known is None:
            known = self._pages[id(route)] = answers_a_page(route)
        return known

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
                if self._is_page(scope):
                    body = mask_personal_fields(body)
                    start["headers"] = [
                        (k, str(len(body)).encode() if k.lower() == b"content-length" else v)
                        for k, v in start.get("headers", [])
                    ]
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
