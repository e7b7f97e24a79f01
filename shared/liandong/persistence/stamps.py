"""Stamps of the records a kept answer was drawn from (liandong.api.kept): written with every act, read before an
answer is served again.

A view (`View`) names what one kind of answer reads: tables read whole (a list: any write to them changes it) and
tables read by one record's id (a detail: a write to a row whose column holds that id changes it). Every act that
writes a table some view of the service reads sets, in its own transaction and with its audit entries, a fresh
random stamp on the keys its writes touch (`keys_written`): the table's, and for each of its columns a view reads
by, the row's value — or, for a statement whose rows are not known (an UPDATE … WHERE), the table's "any row" key.
A kept answer is served again only while every stamp it was drawn under is unchanged.

Stamps are random, not counted: a stamp names the state its act left, so a database restored from a backup brings
back, with each record, the stamp it had then — an answer kept from that state is that state's answer, and one kept
from a state the restore undid names a stamp the database no longer holds.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncpg
from sqlalchemy import Table, bindparam, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from liandong.persistence.engine import upsert

if TYPE_CHECKING:
    from liandong.audit import Changes

KEY_LENGTH = 200  # longer keys are kept as their digest


def table_key(table: str) -> str:
    return _bounded(table)


def row_key(table: str, column: str, value: Any) -> str:
    return _bounded(f"{table}.{column}={value}")


def any_row_key(table: str) -> str:
    return _bounded(f"{table}.*")


def _bounded(key: str) -> str:
    if len(key) <= KEY_LENGTH:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class View:
    """What one kind of kept answer reads: `tables` whole, and `by_id` — (table, column) — the rows whose column holds
    the answer's record id."""

    name: str
    tables: tuple[str, ...] = ()
    by_id: tuple[tuple[str, str], ...] = ()

    def keys(self, record_id: str | None = None) -> list[str]:
        """The stamp keys an answer of this view (about `record_id`, for a view that reads by id) depends on."""
        if self.by_id and record_id is None:
            raise ValueError(f"the view {self.name} reads one record: its id is needed")
        keys = [table_key(t) for t in self.tables]
        for table, column in self.by_id:
            keys += [row_key(table, column, record_id), any_row_key(table)]
        return keys


@dataclass(frozen=True)
class Stamping:
    """What the service's acts stamp: for each table some view reads, the columns views read it by."""

    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, views: Iterable[View]) -> Stamping:
        columns: dict[str, list[str]] = {}
        for view in views:
            for table in view.tables:
                columns.setdefault(table, [])
            for table, column in view.by_id:
                if column not in columns.setdefault(table, []):
                    columns[table].append(column)
        return cls({table: tuple(cols) for table, cols in columns.items()})

    def keys_written(self, changes: Changes) -> set[str]:
        """The stamp keys the writes of one transaction touch."""
        keys: set[str] = set()
        for ident, obj in changes.records.items():  # rows written through the ORM: their values, old and new
            state = inspect(obj)
            table = getattr(state.mapper.local_table, "name", "")
            if table not in self.columns:
                continue
            keys.add(table_key(table))
            before = changes.previous.get(ident, {})
            for column in self.columns[table]:
                attribute = state.mapper.get_property_by_column(state.mapper.local_table.c[column]).key
                if attribute not in state.dict:  # not loaded (read back from the database later): any row
                    keys.add(any_row_key(table))
                for value in (before.get(attribute), state.dict.get(attribute)):
                    if value is not None:
                        keys.add(row_key(table, column, value))
        for write in changes.writes:  # statements: their rows when an INSERT names them, else any row
            table = write["table"]
            if table not in self.columns or "statement" not in write:
                continue
            keys.add(table_key(table))
            keys.update(self._statement_keys(table, write["op"], write.get("rows")))
        return keys

    def _statement_keys(self, table: str, op: str, rows: Any) -> set[str]:
        columns = self.columns[table]
        if not columns:
            return set()
        listed = [rows] if isinstance(rows, Mapping) else list(rows) if isinstance(rows, Sequence) else []
        if op != "insert" or not listed or not all(isinstance(r, Mapping) for r in listed):
            return {any_row_key(table)}
        keys = set()
        for row in listed:
            for column in columns:
                if row.get(column) is None:
                    return {any_row_key(table)}
                keys.add(row_key(table, column, row[column]))
        return keys


def new_stamp() -> int:
    return secrets.randbits(63)


async def stamp(session: AsyncSession, stamps: Table, keys: Iterable[str]) -> None:
    """Set one fresh stamp on these keys, in the session's transaction, in key order. (On PostgreSQL the audit chain's
    append sets them in its own statement, once the chain's head is held: liandong.audit.)"""
    ordered = sorted(set(keys))
    if not ordered:
        return
    value = new_stamp()
    statement = upsert(session, stamps).values([{"key": key, "stamp": value} for key in ordered])
    await session.execute(
        statement.on_conflict_do_update(index_elements=[stamps.c.key], set_={"stamp": statement.excluded.stamp})
    )


class StampReader:
    """Reads the stamps of a list of keys in one statement, on the path of every kept answer.

    On PostgreSQL it goes to the driver itself, on a few connections of its own (opened as the engine opens its own,
    `DRIVER_CONNECTIONS` at most), with the keys as one array parameter: checking a connection out of SQLAlchemy's
    pool and executing through it costs three times the driver's own work. When none of its connections is free, or
    one fails (the database restarted), the read goes through the engine as any other, which reconnects and reports
    an unavailable database as every read does."""

    DRIVER_CONNECTIONS = 4
    CONNECT_SECONDS = 5.0  # a database that does not answer: the read goes through the engine, which reports it

    def __init__(self, engine: AsyncEngine, stamps: Table) -> None:
        self._engine = engine
        self._on_driver = engine.dialect.name == "postgresql" and engine.dialect.driver == "asyncpg"
        self._sql = f'SELECT "key", stamp FROM {stamps.name} WHERE "key" = ANY($1::varchar[])'
        self._statement = select(stamps.c.key, stamps.c.stamp).where(
            stamps.c.key.in_(bindparam("keys", expanding=True))
        )
        self._idle: list[Any] = []
        self._open = 0

    async def read(self, keys: Sequence[str]) -> tuple[int, ...]:
        """The stamp of each key, in order (0: never stamped)."""
        found = await self._on_own_connection(keys) if self._on_driver else None
        if found is None:
            async with self._engine.connect() as connection:
                result = await connection.execute(self._statement, {"keys": list(keys)})
                found = {row[0]: row[1] for row in result}
        return tuple(found.get(key, 0) for key in keys)

    async def _on_own_connection(self, keys: Sequence[str]) -> dict[str, int] | None:
        if self._idle:
            connection = self._idle.pop()
        elif self._open < self.DRIVER_CONNECTIONS:
            self._open += 1
            try:
                connection = await self._connect()
            except Exception:
                self._open -= 1
                return None
        else:
            return None
        try:
            rows = await connection.fetch(self._sql, list(keys))
        except BaseException as exc:  # broken, or cancelled mid-statement: never used again
            self._open -= 1
            connection.terminate()
            if isinstance(exc, Exception):
                return None
            raise
        self._idle.append(connection)
        return {row[0]: row[1] for row in rows}

    async def _connect(self) -> Any:
        args, options = self._engine.dialect.create_connect_args(self._engine.url)
        for adapter_option in ("prepared_statement_cache_size", "prepared_statement_name_func", "async_creator_fn"):
            options.pop(adapter_option, None)
        return await asyncio.wait_for(asyncpg.connect(*args, **options), self.CONNECT_SECONDS)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        self._open -= len(idle)
        for connection in idle:
            connection.terminate()
