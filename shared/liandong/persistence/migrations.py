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

from alembic import command, context
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, pool
from sqlalchemy.ext.asyncio import create_async_engine

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
    finally:
        await engine.dispose()


def _run_sync(connection: Connection, target_metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        context.run_migrations()
