"""Integration fixtures: migrated service databases on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from liandong.persistence import migrations
from liandong.persistence.engine import create_engine, session_factory
from liandong.runtime import ServiceSpec
from liandong_court.bootstrap import spec as court_spec
from liandong_procuratorate.bootstrap import spec as procuratorate_spec
from tests.support.infra import LocalBroker, can_run_local_broker, unavailable


@dataclass
class Database:
    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"


async def migrated(spec: ServiceSpec, url: str) -> Database:
    await migrations.upgrade_async(spec.migrations, url)
    engine = create_engine(url, pool_size=5)
    return Database(url, engine, session_factory(engine))


@pytest.fixture
async def court_db(database_url: str) -> AsyncIterator[Database]:
    db = await migrated(court_spec(), database_url)
    yield db
    await db.engine.dispose()


@pytest.fixture
async def procuratorate_db(database_url: str) -> AsyncIterator[Database]:
    db = await migrated(procuratorate_spec(), database_url)
    yield db
    await db.engine.dispose()


@pytest.fixture
async def court_pg_db(postgres_url: str) -> AsyncIterator[Database]:
    db = await migrated(court_spec(), postgres_url)
    yield db
    await db.engine.dispose()


@pytest.fixture
async def police_pg_db(postgres_url: str) -> AsyncIterator[Database]:
    from liandong_police.bootstrap import spec as police_spec

    db = await migrated(police_spec(), postgres_url)
    yield db
    await db.engine.dispose()


@pytest.fixture
async def own_broker() -> AsyncIterator[LocalBroker]:
    if not can_run_local_broker():
        unavailable("a test that stops its broker needs Java 17 and Maven to run its own")
    with tempfile.TemporaryDirectory(prefix="liandong-restart-") as tmp:
        broker = LocalBroker(Path(tmp))
        await asyncio.to_thread(broker.start)
        try:
            yield broker
        finally:
            await asyncio.to_thread(broker.stop)
