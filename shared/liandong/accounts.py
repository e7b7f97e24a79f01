"""Staff accounts in a service's own database, and every change to them recorded in `account_audit`.

Development accounts are seeded outside production only; production start-up disables any it finds that still
answer to the development password (a database first used in development keeps them otherwise). Ops create and
change real accounts with `python -m liandong users …`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from liandong import audit as chain
from liandong.api import throttle
from liandong.clock import Clock
from liandong.errors import Conflict, DomainError, NotFound
from liandong.persistence.tables import CommonTables
from liandong.security import hash_password, verify_password
from liandong.units import COUNTIES, is_known_unit

MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class DevAccount:
    username: str
    display_name: str
    role: str
    unit: str


COUNTY_LOGINS = {
    "421202": "xianan",
    "421221": "jiayu",
    "421222": "tongcheng",
    "421223": "chongyang",
    "421224": "tongshan",
    "421281": "chibi",
}
"""The login prefix of each county's development accounts (e.g. tongcheng.officer)."""


def county_accounts(roles: dict[str, tuple[str, str]]) -> tuple[DevAccount, ...]:
    """Development accounts for every county: for each login suffix, a display name after the county's name and a
    role, e.g. {"officer": ("法院执行干警", "enforcement_officer")} gives tongcheng.officer, chibi.officer, …"""
    return tuple(
        DevAccount(f"{login}.{suffix}", f"{COUNTIES[code].name}{title}", role, code)
        for code, login in COUNTY_LOGINS.items()
        for suffix, (title, role) in roles.items()
    )


async def audit(
    session: AsyncSession, tables: CommonTables, clock: Clock, *, actor: str, action: str, username: str, **detail: Any
) -> None:
    await audit_many(session, tables, clock, actor=actor, action=action, usernames=[username], detail=detail)


async def audit_many(
    session: AsyncSession,
    tables: CommonTables,
    clock: Clock,
    *,
    actor: str,
    action: str,
    usernames: Sequence[str],
    detail: dict[str, Any],
) -> None:
    """One act on some accounts: a row each in `account_audit`, and one act in the service's audit chain (of ops, or
    of the system at start-up)."""
    at = clock.now()
    rows = [{"at": at, "actor": actor, "action": action, "username": u, "detail": detail} for u in usernames]
    await session.execute(insert(tables.account_audit), rows)
    act = chain.Act(actor=actor, role="ops" if actor != "system" else "system", unit="", action=f"account.{action}")
    subjects = [("user", u) for u in usernames]
    await chain.append_act(session, tables, act=act, at=at, subjects=subjects, writes=rows)


async def seed_accounts(
    session: AsyncSession, tables: CommonTables, accounts: Iterable[DevAccount], password: str, clock: Clock
) -> list[str]:
    """Create the development accounts that do not exist yet. Only ever called in development mode."""
    users = tables.users
    existing = set((await session.execute(select(users.c.username))).scalars())
    missing = [a for a in accounts if a.username not in existing]
    # one hash for them all: they share the development password anyway, and scrypt costs ~50 ms a hash
    hashed = await asyncio.to_thread(hash_password, password) if missing else ""
    created: list[dict[str, Any]] = [
        {
            "username": a.username,
            "password_hash": hashed,
            "display_name": a.display_name,
            "role": a.role,
            "unit": a.unit,
            "active": True,
            "created_at": clock.now(),
        }
        for a in missing
    ]
    if created:
        try:
            await session.execute(insert(users), created)
            names = [c["username"] for c in created]
            await audit_many(
                session, tables, clock, actor="system", action="seed_development", usernames=names, detail={}
            )
            await session.commit()
        except IntegrityError:  # another replica starting at the same moment seeded them first
            await session.rollback()
            return await seed_accounts(session, tables, accounts, password, clock)
    return [c["username"] for c in created]


async def disable_development_accounts(
    session: AsyncSession, tables: CommonTables, accounts: Iterable[DevAccount], password: str, clock: Clock
) -> list[str]:
    """Disable every active development account that still takes the development password (production start-up)."""
    users = tables.users
    names = [a.username for a in accounts]
    rows = (
        await session.execute(
            select(users.c.username, users.c.password_hash).where(users.c.username.in_(names), users.c.active)
        )
    ).all()
    disabled = []
    for row in rows:
        if await asyncio.to_thread(verify_password, password, row.password_hash):
            await session.execute(update(users).where(users.c.username == row.username).values(active=False))
            await audit(
                session, tables, clock, actor="system", action="disable", username=row.username, reason="production"
            )
            disabled.append(row.username)
    await session.commit()
    return disabled


def _check(role: str, unit: str, roles: Sequence[str]) -> None:
    if role not in roles:
        raise DomainError(f"{role!r} is not a role of this service: {', '.join(roles)}", code="unknown_role")
    if not is_known_unit(unit):
        raise DomainError(f"unknown unit {unit}", code="unknown_unit")


async def add_user(
    session: AsyncSession,
    tables: CommonTables,
    clock: Clock,
    *,
    username: str,
    display_name: str,
    role: str,
    unit: str,
    password: str,
    roles: Sequence[str],
    actor: str,
) -> None:
    _check(role, unit, roles)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(f"a password has {MIN_PASSWORD_LENGTH} characters or more", code="weak_password")
    users = tables.users
    if await session.scalar(select(users.c.username).where(users.c.username == username)) is not None:
        raise Conflict(f"user {username} exists", code="user_exists")
    await session.execute(
        insert(users).values(
            username=username,
            password_hash=await asyncio.to_thread(hash_password, password),
            display_name=display_name,
            role=role,
            unit=unit,
            active=True,
            created_at=clock.now(),
        )
    )
    await audit(session, tables, clock, actor=actor, action="add", username=username, role=role, unit=unit)
    await session.commit()


async def change_user(
    session: AsyncSession,
    tables: CommonTables,
    clock: Clock,
    *,
    username: str,
    actor: str,
    roles: Sequence[str],
    role: str | None = None,
    unit: str | None = None,
    active: bool | None = None,
) -> None:
    """Set a user's role (and unit), or disable / enable the account."""
    users = tables.users
    row = (await session.execute(select(users).where(users.c.username == username))).first()
    if row is None:
        raise NotFound(f"no user {username}")
    values: dict[str, Any] = {}
    if role is not None or unit is not None:
        _check(role or row.role, unit or row.unit, roles)
        values.update(role=role or row.role, unit=unit or row.unit)
    if active is not None:
        values["active"] = active
    await session.execute(update(users).where(users.c.username == username).values(**values))
    action = "set_role" if "role" in values else "disable" if active is False else "enable"
    before = {"role": row.role, "unit": row.unit, "active": row.active}
    await audit(session, tables, clock, actor=actor, action=action, username=username, before=before, after=values)
    await session.commit()


async def lift_lockout(session: AsyncSession, tables: CommonTables, clock: Clock, *, key: str, actor: str) -> bool:
    """Forget the failed logins and lockout of a username or client address (`liandong.api.throttle` keys)."""
    lifted = await throttle.lift(session, tables.login_throttle, key)
    await audit(session, tables, clock, actor=actor, action="unlock", username=key[:64], lifted=lifted)
    await session.commit()
    return lifted


async def list_users(session: AsyncSession, tables: CommonTables) -> list[dict[str, Any]]:
    """Every account, by username: its role, unit and whether it can log in (never its password's hash)."""
    users = tables.users
    rows = await session.execute(
        select(users.c.username, users.c.role, users.c.unit, users.c.active).order_by(users.c.username)
    )
    return [dict(row._mapping) for row in rows]


async def reset_password(
    session: AsyncSession, tables: CommonTables, clock: Clock, *, username: str, password: str, actor: str
) -> None:
    """A new password for an account (its lockout lifted with it), recorded with the operator — not the password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(f"a password has {MIN_PASSWORD_LENGTH} characters or more", code="weak_password")
    users = tables.users
    if await session.scalar(select(users.c.username).where(users.c.username == username)) is None:
        raise NotFound(f"no user {username}")
    hashed = await asyncio.to_thread(hash_password, password)
    await session.execute(update(users).where(users.c.username == username).values(password_hash=hashed))
    await throttle.lift(session, tables.login_throttle, throttle.user_key(username))
    await audit(session, tables, clock, actor=actor, action="reset_password", username=username)
    await session.commit()
