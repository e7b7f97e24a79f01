"""Answers kept ready: the busiest reads (a record's page, a list of records) served again as the bytes they were,
while what they were drawn from is unchanged.

Building such an answer — several statements through the ORM, the domain's objects, the API's models, their JSON —
is most of what a read costs. Each act stamps the records it writes (liandong.persistence.stamps); an answer is kept
with the stamps of its view's keys as they stood *before* it was drawn, and served again only while one statement
finds the same stamps. Every replica of a service reads the same stamps, so an act on one is seen by the next read on
any other; an act's stamps commit with it, and its answer to the caller leaves only after that commit.

What is kept is what the route's handler would return, for one path and query, unit and role (the rows a unit may
see, and a role's routes, differ); everything around the handler runs for every request as before: the token, the
role, the read log of personal data, the masking of the answer. A refusal (404, 403) is never kept. Memory is bounded
(`KEPT_ANSWERS_MIB`; 0 keeps nothing): the answers used least recently go first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request, Response
from prometheus_client import Counter
from pydantic import BaseModel
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from liandong.persistence.stamps import StampReader, View
from liandong.security import Principal

ANSWERS = Counter(
    "liandong_kept_answers_total",
    "Reads answered from a kept answer (hit) or drawn afresh (miss), by view",
    ["agency", "view", "outcome"],
)
JSON = "application/json"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class _Kept:
    stamps: tuple[int, ...]
    body: bytes


class KeptAnswers:
    def __init__(
        self,
        agency: str,
        engine: AsyncEngine,
        stamps: Table,
        views: Sequence[View],
        max_bytes: int,
    ) -> None:
        self.agency = agency
        self._reader = StampReader(engine, stamps)
        self._views = {view.name: view for view in views}
        self._max_bytes = max_bytes
        self._kept: OrderedDict[tuple[str, ...], _Kept] = OrderedDict()
        self._bytes = 0
        for view in views:
            for outcome in ("hit", "miss"):
                ANSWERS.labels(agency, view.name, outcome)

    async def answer(
        self,
        request: Request,
        actor: Principal,
        view: View,
        draw: Callable[[], Awaitable[BaseModel]],
        record_id: str | None = None,
    ) -> Response:
        """The answer `draw` gives, or the one it gave before while the view's stamps are unchanged."""
        key = self._key(request.url.path, request.url.query, actor)
        stamps = await self._stamps(view, record_id)
        if stamps is not None:
            kept = self._kept.get(key)
            if kept is not None and kept.stamps == stamps:
                self._kept.move_to_end(key)
                ANSWERS.labels(self.agency, view.name, "hit").inc()
                return _json(kept.body)
        body = _body(await draw())  # drawn after the stamps were read
        if stamps is not None:
            ANSWERS.labels(self.agency, view.name, "miss").inc()
            self._keep(key, _Kept(stamps, body))
        return _json(body)

    async def drawn(
        self, actor: Principal, view: View, record_id: str, page: str, draw: Callable[[], Awaitable[M]]
    ) -> M:
        """What `draw` gives — a record's page answered after an act on it — kept as the answer to the next read of
        that page (`page`, its path) by the same unit and role."""
        stamps = await self._stamps(view, record_id)
        drawn = await draw()
        if stamps is not None:
            self._keep(self._key(page, "", actor), _Kept(stamps, _body(drawn)))
        return drawn

    async def _stamps(self, view: View, record_id: str | None) -> tuple[int, ...] | None:
        """The view's stamps now; None when nothing is kept (KEPT_ANSWERS_MIB=0)."""
        if self._views.get(view.name) is not view:  # an undeclared view would never be stamped: never stale-able
            raise RuntimeError(f"the view {view.name} is not among the service's views (ServiceSpec.views)")
        if self._max_bytes <= 0:
            return None
        return await self._reader.read(view.keys(record_id))

    @staticmethod
    def _key(path: str, query: str, actor: Principal) -> tuple[str, ...]:
        return (path, query, actor.unit, actor.role, actor.kind)

    def _keep(self, key: tuple[str, ...], kept: _Kept) -> None:
        old = self._kept.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        if len(kept.body) > self._max_bytes // 4:  # one answer never crowds out the rest
            return
        self._kept[key] = kept
        self._bytes += len(kept.body)
        while self._bytes > self._max_bytes:
            _, dropped = self._kept.popitem(last=False)
            self._bytes -= len(dropped.body)

    async def close(self) -> None:
        await self._reader.close()


def _body(answer: BaseModel) -> bytes:
    return answer.model_dump_json(by_alias=True).encode()


def _json(body: bytes) -> Response:
    return Response(content=body, media_type=JSON)
