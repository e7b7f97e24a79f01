"""Whether an error means the database cannot be reached now — refused, restarting, a connection lost or closed under
the operation, a pool with no connection free — as opposed to a fault in the request or the code. Such an error is
transient: nothing was applied, and the same request or event may succeed in a moment (503 with Retry-After for
staff; a retry for a consumer, a relay or a tracker)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# SQLSTATE classes of a connection that failed or a server that is going away or not yet ready: 08 connection
# exception, 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up or shutting down)
UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")
# asyncpg's own errors for a connection that is closed or busy with an operation that was cut off
ASYNCPG_CONNECTION_ERRORS = ("ConnectionDoesNotExistError", "InterfaceError", "InternalClientError")


def database_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeout, ConnectionError)):
        return True
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or connection_broken(exc.orig.__cause__ if exc.orig is not None else None)
    return connection_broken(exc)  # raised outside SQLAlchemy's wrapping (a pool's connect)


def connection_broken(driver_error: BaseException | None) -> bool:
    """Whether the driver's own error leaves its connection unusable: the server ended the session (a restart, an
    administrator) or the connection's protocol state was cut off mid-operation (asyncpg's `cannot switch to state
    …; another operation is in progress`). Such a connection must leave the pool, never be handed out again."""
    if driver_error is None or not type(driver_error).__module__.startswith("asyncpg"):
        return False
    sqlstate = str(getattr(driver_error, "sqlstate", "") or "")
    return sqlstate.startswith(UNAVAILABLE_SQLSTATES) or type(driver_error).__name__ in ASYNCPG_CONNECTION_ERRORS
