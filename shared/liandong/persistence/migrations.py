"""Alembic, run at service start-up, applied programmatically.

A service database has two branches of history: the shared library's (`liandong/migrations/versions`, branch label
`liandong`: the tables every service has) and the service's own (`<service>/migrations/versions`), whose first
revisions depend on the shared ones they need. Both directories are version locations, and start-up upgrades to
every head. Each service's `migrations/env.py` calls `run_env(metadata)`. On PostgreSQL the migration transaction
takes an advisory lock, so replicas starting together apply each revision once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Literal

from alembic import command, context
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, pool, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

MIGRATION_LOCK_KEY = 7_210_001
COMMON_VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
COMMON_BRANCH = "liandong"


def alembic_config(script_location: str, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location)
    service_versions = Path(script_location) / "versions"
    config.set_main_option("version_locations", f"{service_versions} {COMMON_VERSIONS}")
    config.set_main_option("path_separator", "space")
    config.attributes["database_url"] = url
    return config


def heads(script_location: str) -> set[str]:
    """The revisions a database at the newest schema holds (one per branch)."""
    return set(ScriptDirectory.from_config(alembic_config(script_location, "")).get_heads())


def upgrade(script_location: str, url: str, revision: str = "heads") -> None:
    """Blocking: call it from a worker thread (`asyncio.to_thread`) inside a running event loop."""
    command.upgrade(alembic_config(script_location, url), revision)


async def upgrade_async(script_location: str, url: str, revision: str = "heads") -> None:
    """Alembic's env runs its own event loop, so from async code it runs in a worker thread."""
    await asyncio.to_thread(upgrade, script_location, url, revision)


def run_env(target_metadata: MetaData) -> None:
    url: str = context.config.attributes["database_url"]
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, target_metadata))


async def _run_online(url: str, target_metadata: MetaData) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync, target_metadata)
            await connection.commit()  # SQLite's DDL is not transactional there: Alembic leaves the lineage's rows open
    finally:
        await engine.dispose()


def modelled(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """For autogenerate: every table but the lineage, which belongs to the migration machinery, not to a model."""
    return not (type_ == "table" and name == LINEAGE_TABLE)


def _run_sync(connection: Connection, target_metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=modelled,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        context.run_migrations()
        # in the same transaction and under the same lock: replicas starting together on a new PostgreSQL database
        # would otherwise race on `CREATE TABLE IF NOT EXISTS`, which is not safe against a concurrent one
        _record_lineage(connection, context.script)


# Rolling upgrades (expand/contract): a new release migrates the database ahead of the old replicas still running,
# whose code knows none of the new revisions. So that they can tell "ahead of me" from "not migrated", every upgrade
# records the whole revision graph it knows in this table; an older release walks it down from the database's heads.
LINEAGE_TABLE = "liandong_schema_lineage"
Position = Literal["current", "ahead", "behind"]


def lineage(script_location: str) -> dict[str, tuple[str, ...]]:
    """Every revision this code knows, with the revisions it follows (down revisions and dependencies)."""
    return _graph(ScriptDirectory.from_config(alembic_config(script_location, "")))


def _graph(directory: ScriptDirectory) -> dict[str, tuple[str, ...]]:
    graph: dict[str, tuple[str, ...]] = {}
    for script in directory.walk_revisions():
        follows = script.down_revision
        parents = (follows,) if isinstance(follows, str) else tuple(follows or ())
        needs = script.dependencies
        needs_tuple = (needs,) if isinstance(needs, str) else tuple(needs or ())
        graph[script.revision] = parents + needs_tuple
    return graph


def _record_lineage(connection: Connection, script: ScriptDirectory) -> None:
    connection.execute(
        text(f"CREATE TABLE IF NOT EXISTS {LINEAGE_TABLE} (revision VARCHAR(64) PRIMARY KEY, follows TEXT NOT NULL)")
    )
    known = set(connection.execute(text(f"SELECT revision FROM {LINEAGE_TABLE}")).scalars())
    rows = [{"r": rev, "f": " ".join(parents)} for rev, parents in _graph(script).items() if rev not in known]
    if rows:
        connection.execute(text(f"INSERT INTO {LINEAGE_TABLE} (revision, follows) VALUES (:r, :f)"), rows)


async def position(connection: AsyncConnection, expected: set[str]) -> tuple[Position, set[str]]:
    """Where the database's schema stands against this code's heads, and what it holds: `current` (the same),
    `ahead` (it descends from every head of this code: a newer release migrated it; expand/contract keeps this code
    working on it), `behind` (it lacks some of this code's revisions: migrate)."""
    try:
        applied = set((await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars())
    except DBAPIError:  # no alembic_version yet: a new database
        return "behind", set()
    if applied == expected:
        return "current", applied
    try:
        graph = {
            rev: tuple(follows.split())
            for rev, follows in (await connection.execute(text(f"SELECT revision, follows FROM {LINEAGE_TABLE}")))
        }
    except DBAPIError:
        graph = {}
    below: set[str] = set()
    pending = list(applied)
    while pending:
        revision = pending.pop()
        if revision in below:
            continue
        below.add(revision)
        pending.extend(graph.get(revision, ()))
    return ("ahead" if expected <= below else "behind"), applied
