"""Login attempts, counted per username and per client address in the service's database (so every replica agrees):
each attempt is counted in one statement that increments and returns the count *before* its password is checked, so
however many arrive together, no more than the limit are ever checked; the attempt that reaches the limit locks the
key for a while, and `POST /auth/token` answers 429 with Retry-After — the same whether the username exists or not. A
successful login clears its username's count and gives its attempt back to its address. Ops lift a lockout with
`python -m liandong users --service … unlock --username … | --address …` (recorded in `account_audit` and the audit
chain)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liandong.clock import utc
from liandong.config import ServiceSettings
from liandong.persistence.engine import upsert


def user_key(username: str) -> str:
    return f"user:{username.strip().lower()}"[:300]


def address_key(address: str) -> str:
    return f"address:{address}"[:300]


@dataclass(frozen=True)
class Rules:
    per_user: int
    per_address: int
    window: timedelta
    lockout: timedelta

    @classmethod
    def of(cls, settings: ServiceSettings) -> Rules:
        return cls(
            per_user=settings.login_max_failures_per_user,
            per_address=settings.login_max_failures_per_address,
            window=timedelta(seconds=settings.login_failure_window_seconds),
            lockout=timedelta(seconds=settings.login_lockout_seconds),
        )

    def limit(self, key: str) -> int:
        return self.per_user if key.startswith("user:") else self.per_address


@dataclass(frozen=True)
class LoginThrottle:
    sessions: async_sessionmaker[AsyncSession]
    table: Table
    rules: Rules

    async def retry_after(self, keys: list[str], now: datetime) -> int | None:
        """Seconds until the longest lockout among `keys` ends; None when none is locked."""
        t = self.table
        async with self.sessions() as session:
            until = await session.scalar(
                select(t.c.locked_until)
                .where(t.c.key.in_(keys), t.c.locked_until > now)
                .order_by(t.c.locked_until.desc())
            )
        return max(1, math.ceil((until - now).total_seconds())) if until is not None else None

    async def attempt(self, keys: list[str], now: datetime) -> int | None:
        """Count one login attempt against every key, atomically (one upsert each, returning the count), before its
        password is checked. None when every key is within its limit — the attempt may be checked; otherwise the
        seconds until the lockout that refuses it ends."""
        refused: int | None = None
        async with self.sessions() as session, session.begin():
            for key in keys:
                failures, locked_until = (await session.execute(self._count(session, key, now))).one()
                if failures > self.rules.limit(key):
                    wait = max(1, math.ceil((utc(locked_until) - now).total_seconds())) if locked_until else 1
                    refused = max(refused or 0, wait)
        return refused

    def _count(self, session: AsyncSession, key: str, now: datetime) -> Any:
        """INSERT … ON CONFLICT DO UPDATE … RETURNING: a window that has passed, or a lockout that has ended, starts
        again at 1; the attempt that reaches the limit sets the lockout."""
        t, limit = self.table, self.rules.limit(key)
        lockout = now + self.rules.lockout
        expired = or_(
            t.c.window_started_at < now - self.rules.window,
            and_(t.c.locked_until.is_not(None), t.c.locked_until <= now),
        )
        counted = case((expired, 1), else_=t.c.failures + 1)
        return (
            upsert(session, t)
            .values(key=key, failures=1, window_started_at=now, locked_until=lockout if limit <= 1 else None)
            .on_conflict_do_update(
                index_elements=[t.c.key],
                set_={
                    "failures": counted,
                    "window_started_at": case((expired, now), else_=t.c.window_started_at),
                    "locked_until": case(
                        (counted >= limit, case((expired, lockout), else_=func.coalesce(t.c.locked_until, lockout))),
                        else_=case((expired, None), else_=t.c.locked_until),
                    ),
                },
            )
            .returning(t.c.failures, t.c.locked_until)
        )

    async def succeeded(self, keys: list[str]) -> None:
        """The username's count and lockout are cleared; its attempt is given back to every other key (and a lockout
        that this attempt set is lifted)."""
        user, *others = keys
        t = self.table
        async with self.sessions() as session, session.begin():
            await session.execute(delete(t).where(t.c.key == user))
            for key in others:
                back = t.c.failures - 1
                await session.execute(
                    update(t)
                    .where(t.c.key == key, t.c.failures > 0)
                    .values(
                        failures=back,
                        locked_until=case((back < self.rules.limit(key), None), else_=t.c.locked_until),
                    )
                )


async def lift(session: AsyncSession, table: Table, key: str) -> bool:
    """Forget a key's failures and lockout; True when there was something to lift."""
    result = await session.execute(delete(table).where(table.c.key == key))
    return bool(getattr(result, "rowcount", 0))
