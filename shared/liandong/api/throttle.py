"""Failed logins, counted per username and per client address in the service's database (so every replica agrees):
after too many in a window the key is locked for a while, and `POST /auth/token` answers 429 with Retry-After —
before any password is checked, and the same whether the username exists or not. Ops lift a lockout with
`python -m liandong users --service … unlock --username … | --address …` (recorded in `account_audit` and the audit
chain)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liandong.config import ServiceSettings


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

    async def failed(self, keys: list[str], now: datetime) -> None:
        """Count a failed login against every key; a key reaching its limit is locked."""
        for key in keys:
            for attempt in range(3):  # a replica counting the same key at once: read again
                try:
                    async with self.sessions() as session, session.begin():
                        await self._count(session, key, now)
                    break
                except IntegrityError:
                    if attempt == 2:
                        raise

    async def _count(self, session: AsyncSession, key: str, now: datetime) -> None:
        t = self.table
        row = (await session.execute(select(t).where(t.c.key == key).with_for_update())).first()
        if row is None:
            await session.execute(insert(t).values(key=key, failures=1, window_started_at=now, locked_until=None))
            failures, started = 1, now
        else:
            fresh = now - row.window_started_at > self.rules.window
            failures = 1 if fresh else row.failures + 1
            started = now if fresh else row.window_started_at
        locked = now + self.rules.lockout if failures >= self.rules.limit(key) else None
        if locked is not None:  # a full allowance again once the lockout ends
            failures, started = 0, now
        values = {"failures": failures, "window_started_at": started}
        if locked is not None:
            values["locked_until"] = locked
        await session.execute(update(t).where(t.c.key == key).values(**values))

    async def succeeded(self, key: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(delete(self.table).where(self.table.c.key == key))


async def lift(session: AsyncSession, table: Table, key: str) -> bool:
    """Forget a key's failures and lockout; True when there was something to lift."""
    result = await session.execute(delete(table).where(table.c.key == key))
    return bool(getattr(result, "rowcount", 0))
