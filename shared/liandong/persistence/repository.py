"""What every repository does: add and load aggregates through the unit of work, page through queries, and map
aggregate classes imperatively so the domain stays free of the ORM."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, ColumnElement, Select, Table, event, func, select
from sqlalchemy.orm import registry

from liandong.persistence.uow import SqlUnitOfWork

T = TypeVar("T")


def map_aggregates(
    mapper_registry: registry, *pairs: tuple[type[Any], Table], exclude: Sequence[Column[Any]] = ()
) -> None:
    """Map domain classes onto tables, without the columns `exclude` names (kept for a previous release's replicas);
    loaded aggregates get an empty `events` list, as new ones do."""
    for cls, table in pairs:
        mapper_registry.map_imperatively(cls, table, exclude_properties=[c for c in exclude if c.table is table])
        event.listen(cls, "load", _fresh_event_list)


def _fresh_event_list(target: Any, _context: Any) -> None:
    target.events = []


class Repository(Generic[T]):
    model: type[T]

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def add(self, aggregate: T) -> None:
        self._uow.session.add(aggregate)
        self._uow.track(aggregate)  # type: ignore[arg-type]

    async def get(self, key: str, *, for_update: bool = False) -> T | None:
        aggregate = await self._uow.session.get(self.model, key, with_for_update=for_update)
        if aggregate is not None:
            self._uow.track(aggregate)  # type: ignore[arg-type]
        return aggregate

    async def page(
        self, query: Select[Any], *order_by: ColumnElement[Any], limit: int, offset: int
    ) -> tuple[Sequence[T], int]:
        """One page of `query` and the total it would return without paging, in one statement (the total is a window
        count over the same rows); a page past the end counts apart."""
        counted = query.add_columns(func.count().over().label("page_total"))
        rows = (await self._uow.session.execute(counted.order_by(*order_by).limit(limit).offset(offset))).all()
        if rows:
            return [row[0] for row in rows], int(rows[0][1])
        if offset == 0:
            return [], 0
        total = await self._uow.session.scalar(select(func.count()).select_from(query.subquery()))
        return [], int(total or 0)
