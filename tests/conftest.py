"""Shared fixtures: a real broker and PostgreSQL for the session, a fresh database per test."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from liandong.messaging.kafka import KafkaConnection
from tests.support.infra import kafka_broker, postgres_server


@pytest.fixture(scope="session")
def kafka() -> Iterator[KafkaConnection]:
    """The session's broker, provisioned (topics, the services' ACLs), reached as its admin principal."""
    with tempfile.TemporaryDirectory(prefix="liandong-kafka-") as tmp, kafka_broker(Path(tmp)) as connection:
        yield connection


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    # Not under pytest's tmp dir: the private cluster runs as the postgres user, who must reach its directory.
    with tempfile.TemporaryDirectory(prefix="liandong-pg-") as tmp, postgres_server(Path(tmp)) as url:
        yield url


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_postgres_database(admin_url: str) -> str:
    name = f"t_{uuid.uuid4().hex[:16]}"

    async def create() -> None:
        connection = await asyncpg.connect(_asyncpg_dsn(admin_url))
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(create())
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, url: str) -> None:
    name = make_url(url).database

    async def drop() -> None:
        connection = await asyncpg.connect(_asyncpg_dsn(admin_url))
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    asyncio.run(drop())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind the services support."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    admin = request.getfixturevalue("pg_admin_url")
    url = create_postgres_database(admin)
    try:
        yield url
    finally:
        drop_postgres_database(admin, url)


@pytest.fixture
def postgres_url(pg_admin_url: str) -> Iterator[str]:
    """An empty PostgreSQL database, for what only PostgreSQL supports (several replicas on one database)."""
    url = create_postgres_database(pg_admin_url)
    try:
        yield url
    finally:
        drop_postgres_database(pg_admin_url, url)
