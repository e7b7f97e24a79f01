"""Unit-test fixtures: migrated SQLite databases of the real services (no broker)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from liandong.clock import ManualClock
from liandong.persistence import migrations
from liandong.runtime import ServiceSpec


async def migrated_sqlite(spec: ServiceSpec, path: Path) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    await migrations.upgrade_async(spec.migrations, url)
    return url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 10, 10, 2, 0, tzinfo=UTC))
