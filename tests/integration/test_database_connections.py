"""Connections the server ended — a restart, an administrator — leave the pool; they are never handed out again
to fail the next request (asyncpg may report such a connection as `cannot switch to state …; another operation is
in progress` before it knows it is closed)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from liandong.persistence.engine import create_engine
from liandong.persistence.faults import connection_broken, database_unavailable

pytestmark = pytest.mark.postgres


async def test_a_connection_the_server_ended_is_replaced_not_reused(postgres_url: str) -> None:
    engine = create_engine(postgres_url, pool_size=1)
    admin = create_engine(postgres_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            ended = await connection.scalar(text("SELECT pg_backend_pid()"))
        async with admin.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": ended})
        failures = []
        for _ in range(3):
            try:
                async with engine.connect() as connection:
                    fresh = await connection.scalar(text("SELECT pg_backend_pid()"))
                break
            except DBAPIError as exc:  # the pooled connection's first use learns it was ended
                failures.append(exc)
        assert len(failures) <= 1, "the ended connection was handed out once at most"
        assert all(database_unavailable(f) and f.connection_invalidated for f in failures), failures
        assert fresh != ended
    finally:
        await engine.dispose()
        await admin.dispose()


def test_asyncpg_errors_that_leave_a_connection_unusable_count_as_broken() -> None:
    def asyncpg_error(name: str, sqlstate: str | None = None) -> Exception:
        kind: type[Exception] = type(name, (Exception,), {"__module__": "asyncpg.exceptions._base"})
        error = kind("…")
        if sqlstate:
            error.sqlstate = sqlstate  # type: ignore[attr-defined]
        return error

    assert connection_broken(asyncpg_error("InternalClientError"))  # cannot switch to state 15; another operation…
    assert connection_broken(asyncpg_error("ConnectionDoesNotExistError"))
    assert connection_broken(asyncpg_error("AdminShutdownError", "57P01"))  # terminating connection (a restart)
    assert connection_broken(asyncpg_error("CannotConnectNowError", "57P03"))  # the database system is starting up
    assert not connection_broken(asyncpg_error("UniqueViolationError", "23505"))
    assert not connection_broken(ValueError("not the driver's"))
