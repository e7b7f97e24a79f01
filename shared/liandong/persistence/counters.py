"""Document numbers: a counter per scope (a unit or a court), kind and year, taken in the act's own transaction.

`INSERT … ON CONFLICT DO UPDATE SET value = value + 1 RETURNING value` both creates and advances the counter. On
PostgreSQL the row lock it takes makes concurrent acts wait for each other at that one row until commit; on SQLite
every transaction begins IMMEDIATE (see `engine`), so writers are serialized from the start. Either way numbers are
unique and consecutive: an act that rolls back gives its number back with everything else it did.

A counter created for a kind that was numbered before counters existed starts after the numbers already issued
(`issued`, counted once, only when the counter does not exist yet).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from liandong.persistence.engine import upsert


async def next_number(
    session: AsyncSession,
    counters: Table,
    *,
    scope: str,
    kind: str,
    year: int,
    issued: Callable[[], Awaitable[int]] | None = None,
) -> int:
    c = counters.c
    exists = await session.scalar(select(c.value).where(c.scope == scope, c.kind == kind, c.year == year))
    first = 1 if exists is not None or issued is None else await issued() + 1
    statement = (
        upsert(session, counters)
        .values(scope=scope, kind=kind, year=year, value=first)
        .on_conflict_do_update(index_elements=[c.scope, c.kind, c.year], set_={"value": c.value + 1})
        .returning(c.value)
    )
    value = await session.scalar(statement)
    assert value is not None
    return int(value)
