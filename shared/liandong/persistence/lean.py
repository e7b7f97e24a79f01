"""Reads without the ORM's bookkeeping, for the units of work of requests that only read (GET, HEAD).

Loading rows as mapped objects is a large share of what an API read costs: the identity map, each instance's state,
the load events, the session's flush checks. A unit of work that only reads never flushes, never tracks a change and
never needs one row to be one object, so its session (`LeanReadSession`, the read session factory's class) runs a
select of one mapped class — `select(Lead).where(…)`, with or without columns after it such as a page's total, and
`session.get(Lead, id)` — as the Core statement it compiles to, and makes each row an instance of the class filled
from the row (`plain`): the attribute values the ORM would have set, outside any session, the domain's properties
working on them as ever, and `events` empty as on every loaded aggregate. Anything else — other statements, locks,
options — goes to the session unchanged.

On PostgreSQL such a select goes to the driver itself: SQLAlchemy's execution (its execution context, cursor adapter
and result set) costs four times the driver's own work for a statement of a few rows. The statement is compiled once
per shape (SQLAlchemy's own cache key, whose bound values it extracts), expanded for the values of each call
(`construct_expanded_state`: IN lists), its bound values converted by their types' bind processors, run as an asyncpg
prepared statement on the session's connection (autocommit: the read engine's), and each column converted by its
type's result processor — what SQLAlchemy would have done, without the layers between. Elsewhere (SQLite) the
statement runs through SQLAlchemy Core.

Such an instance belongs to no session: a change to it is never written (a read-only unit of work refuses to commit
anyway).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, inspect, select
from sqlalchemy.engine import IteratorResult, Result
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.exc import NoInspectionAvailable
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Mapper
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Layout:
    """How a mapped class's columns come back in a Core row, and which attribute each fills."""

    cls: type[Any]
    keys: tuple[str, ...]  # attribute names, in the order the select of the class lists its columns
    primary_key: tuple[Any, ...]  # the primary key's columns


_layouts: dict[type[Any], _Layout | None] = {}


def _layout(entity: Any) -> _Layout | None:
    """The layout of a class mapped onto one table without relationships or inheritance; None for anything else."""
    if not isinstance(entity, type):
        return None
    if entity in _layouts:
        return _layouts[entity]
    found: _Layout | None = None
    try:
        mapper: Mapper[Any] = inspect(entity)
    except NoInspectionAvailable:
        mapper = None  # type: ignore[assignment]
    if (
        mapper is not None
        and not mapper.relationships
        and mapper.inherits is None
        and not mapper.polymorphic_map
        and all(len(prop.columns) == 1 for prop in mapper.column_attrs)
    ):
        keys = tuple(mapper.get_property_by_column(column).key for column in mapper.columns)
        found = _Layout(entity, keys, tuple(mapper.primary_key))
    _layouts[entity] = found
    return found


def plain(layout: _Layout, values: Sequence[Any]) -> Any:
    """An instance of the mapped class holding `values` (in the layout's order), outside any session."""
    obj = object.__new__(layout.cls)
    state = obj.__dict__
    state.update(zip(layout.keys, values, strict=False))
    state["events"] = []  # as the load event gives every aggregate the ORM loads
    return obj


def _lean_entity(statement: Any) -> _Layout | None:
    """The layout of the one mapped class a select starts with (plain columns may follow), if it can be read lean."""
    if not isinstance(statement, Select) or statement._with_options or statement._for_update_arg is not None:
        return None
    described = statement.column_descriptions
    if not described:
        return None
    first = described[0]
    if first.get("aliased") or first.get("expr") is not first.get("entity"):
        return None
    if any(d.get("entity") is not None for d in described[1:]):
        return None
    return _layout(first.get("entity"))


Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Plan:
    """A select compiled for PostgreSQL once, with its columns' processors."""

    compiled: SQLCompiler
    binds: Mapping[str, tuple[Processor, bool]]  # bound parameter → its type's processor, and whether it is a list
    keys: list[str]  # the result's column keys
    results: list[Processor]  # each result column's processor


_PLANS_KEPT = 500
_plans: OrderedDict[tuple[Any, ...], _Plan] = OrderedDict()


def _plan(statement: Select[Any], dialect: Dialect) -> tuple[_Plan, Sequence[Any]] | None:
    """The compiled plan of `statement`'s shape and the bound values extracted from this statement; None when it has
    no cache key (a construct SQLAlchemy itself would not cache)."""
    cache_key = statement._generate_cache_key()
    if cache_key is None:
        return None
    key = (dialect.name, dialect.driver, cache_key.key)
    plan = _plans.get(key)
    if plan is not None:
        _plans.move_to_end(key)
        return plan, cache_key.bindparams
    compiled = statement.compile(dialect=dialect, cache_key=cache_key)
    if not isinstance(compiled, SQLCompiler):
        return None
    binds = {
        name: (bind.type.dialect_impl(dialect).bind_processor(dialect), bool(bind.expanding))
        for bind, name in compiled.bind_names.items()
    }
    columns = list(statement.selected_columns)
    plan = _Plan(
        compiled=compiled,
        binds=binds,
        keys=[column.key or f"column_{i}" for i, column in enumerate(columns)],
        results=[column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns],
    )
    _plans[key] = plan
    if len(_plans) > _PLANS_KEPT:
        _plans.popitem(last=False)
    return plan, cache_key.bindparams


async def _driver_rows(
    connection: AsyncConnection, plan: _Plan, extracted: Sequence[Any]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run a planned select on the driver's own connection: its keys and rows, each value as SQLAlchemy gives it."""
    params = plan.compiled.construct_params(extracted_parameters=extracted)
    for name, (process, is_list) in plan.binds.items():
        if process is not None and name in params and params[name] is not None:
            value = params[name]
            params[name] = [process(v) for v in value] if is_list else process(value)
    expanded = plan.compiled.construct_expanded_state(params)
    raw = await connection.get_raw_connection()
    records = await raw.driver_connection.fetch(expanded.statement, *expanded.positional_parameters)  # type: ignore[union-attr]
    processors = plan.results
    rows = [
        tuple(value if process is None else process(value) for process, value in zip(processors, record, strict=True))
        for record in records
    ]
    return plan.keys, rows


def _on_driver(connection: AsyncConnection) -> bool:
    """Whether this connection's statements may go to asyncpg directly: PostgreSQL in autocommit (the read engine)."""
    dialect, sync = connection.dialect, connection.sync_connection
    return (
        dialect.name == "postgresql"
        and dialect.driver == "asyncpg"
        and sync is not None
        and sync.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    )


class LeanReadSession(AsyncSession):
    """The session of a unit of work that only reads: selects of one mapped class skip the ORM (module docstring)."""

    async def _lean_rows(self, statement: Select[Any], layout: _Layout) -> tuple[list[str], list[tuple[Any, ...]]]:
        connection = await self.connection()
        planned = _plan(statement, connection.dialect) if _on_driver(connection) else None
        if planned is not None:
            keys, values = await _driver_rows(connection, *planned)
        else:
            result = await connection.execute(statement)
            keys, values = list(result.keys()), [tuple(row) for row in result.all()]
        width = len(layout.keys)
        rows = [(plain(layout, row[:width]), *row[width:]) for row in values]
        return [layout.cls.__name__, *keys[width:]], rows

    async def execute(self, statement: Any, params: Any = None, **kw: Any) -> Result[Any]:
        layout = None if params is not None or kw else _lean_entity(statement)
        if layout is None:
            result: Result[Any] = await super().execute(statement, params, **kw)
            return result
        keys, rows = await self._lean_rows(statement, layout)
        return IteratorResult(SimpleResultMetaData(keys), iter(rows))

    async def scalars(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        if params is not None or kw or _lean_entity(statement) is None:
            return await super().scalars(statement, params, **kw)
        return (await self.execute(statement)).scalars()

    async def scalar(self, statement: Any, params: Any = None, **kw: Any) -> Any:
        if params is not None or kw or _lean_entity(statement) is None:
            return await super().scalar(statement, params, **kw)
        return (await self.execute(statement)).scalars().first()

    async def get(self, entity: Any, ident: Any, **kw: Any) -> Any:
        layout = None if any(value for value in kw.values()) else _layout(entity)
        if layout is None:
            return await super().get(entity, ident, **kw)
        values = ident if isinstance(ident, tuple) else (ident,)
        if len(values) != len(layout.primary_key):
            return await super().get(entity, ident, **kw)
        keys = zip(layout.primary_key, values, strict=True)
        statement = select(entity).where(*(column == value for column, value in keys))
        return (await self.execute(statement)).scalars().first()
