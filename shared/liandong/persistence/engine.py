"""Async engine and session factory for the embedded default (SQLite) and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import orjson
from sqlalchemy import Table, event
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from liandong.persistence.faults import connection_broken


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    if is_sqlite(url):
        path = make_url(url).database
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, echo=echo, connect_args={"timeout": 30}, json_serializer=_json, json_deserializer=orjson.loads
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
        json_serializer=_json,
        json_deserializer=orjson.loads,  # JSON columns (a case's log, a letter's items) are read on every detail
    )
    ping_when_idle(engine, IDLE_PING_SECONDS)
    discard_broken_connections(engine)
    return engine


def discard_broken_connections(engine: AsyncEngine) -> None:
    """A connection the server ended under an operation (a restart) may surface from asyncpg as `cannot switch to
    state …; another operation is in progress` on a connection not yet marked closed; SQLAlchemy's asyncpg dialect
    then counts it alive and the pool hands it out again, failing the next request on its first statement. Count
    every such error as a disconnect: the connection is invalidated and the pool opens a fresh one."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def _broken_is_disconnect(context: Any) -> None:
        original = context.original_exception
        if not context.is_disconnect and connection_broken(getattr(original, "__cause__", None) or original):
            context.is_disconnect = True


IDLE_PING_SECONDS = 10.0


def ping_when_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Check a pooled connection before use when it has sat idle, and replace it if the database dropped it (a
    restart, a failover). SQLAlchemy's `pool_pre_ping` checks at every checkout, which with asyncpg is three round
    trips (BEGIN, a query, ROLLBACK) on every request; a connection in steady use is known to be alive."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _alive(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool discards this connection and checks out another
            raise DisconnectionError("the database dropped an idle connection") from exc


_IDLE_SINCE = "liandong_idle_since"


def _json(value: Any) -> str:
    # Chinese stays readable (and searchable with LIKE) in JSON columns; orjson: a case's log is rewritten whole
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while the relay or a consumer writes; foreign keys are off by default in SQLite.
    # The driver's own transaction handling is turned off: `_begin_immediate` begins every transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    # A SQLite transaction that reads and then writes fails at once ("database is locked") if another writer
    # committed in between, whatever the busy timeout. Taking the write lock at BEGIN makes concurrent acts wait for
    # each other instead (busy_timeout), which is what the one-process embedded database needs. A transaction that
    # only reads (`read_only_engine`) begins deferred: WAL gives it its snapshot without the write lock.
    if connection.get_execution_options().get(READS_ONLY):
        connection.exec_driver_sql("BEGIN")
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE")


READS_ONLY = "liandong_reads_only"


def read_only_engine(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, for work that only reads (a GET). On PostgreSQL its statements run in autocommit:
    no BEGIN and no ROLLBACK, two round trips fewer per read — and no weaker a view than before, since under READ
    COMMITTED every statement of a transaction takes its own snapshot anyway. On SQLite a deferred transaction, which
    does not queue behind writers for the write lock as every writer's transaction does."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT", **{READS_ONLY: True})
    return engine.execution_options(**{READS_ONLY: True})


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def upsert(session: AsyncSession, table: Table) -> PgInsert | SqliteInsert:
    """An INSERT with ON CONFLICT (and RETURNING) in the session's database's own dialect: both PostgreSQL and SQLite
    have them, with the same construct in SQLAlchemy."""
    bind = session.get_bind()
    return pg_insert(table) if bind.dialect.name == "postgresql" else sqlite_insert(table)
