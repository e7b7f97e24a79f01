"""Staff accounts in a service's own database: the development accounts seeded outside production."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from liandong.clock import Clock
from liandong.persistence.tables import CommonTables
from liandong.security import hash_password


@dataclass(frozen=True)
class DevAccount:
    username: str
    display_name: str
    role: str
    unit: str


async def seed_accounts(
    session: AsyncSession, tables: CommonTables, accounts: Iterable[DevAccount], password: str, clock: Clock
) -> list[str]:
    """Create the development accounts that do not exist yet. Only ever called in development mode."""
    users = tables.users
    existing = set((await session.execute(select(users.c.username))).scalars())
    created: list[dict[str, Any]] = [
        {
            "username": a.username,
            "password_hash": hash_password(password),
            "display_name": a.display_name,
            "role": a.role,
            "unit": a.unit,
            "active": True,
            "created_at": clock.now(),
        }
        for a in accounts
        if a.username not in existing
    ]
    if created:
        await session.execute(insert(users), created)
        await session.commit()
    return [c["username"] for c in created]
