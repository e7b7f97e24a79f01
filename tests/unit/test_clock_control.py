"""The clock control (POST /testing/clock) moves the services' time in development and tests — `make demo` shows
windows warn, breach and get met with it — and does not exist in production."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from liandong_procuratorate.bootstrap import spec
from liandong_procuratorate.config import ProcuratorateSettings
from tests.support.apps import running_app


async def test_development_moves_the_clock(tmp_path: Path) -> None:
    settings = ProcuratorateSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}", kafka_bootstrap_servers="127.0.0.1:1"
    )
    assert settings.environment == "development"
    async with running_app(spec(), settings) as client:
        before = datetime.fromisoformat((await client.get("/testing/clock")).json()["now"])
        moved = await client.post("/testing/clock", json={"advance_seconds": 3 * 86400})
        assert moved.status_code == 200
        assert (datetime.fromisoformat(moved.json()["now"]) - before).days == 3


async def test_production_has_no_clock_control(tmp_path: Path) -> None:
    settings = ProcuratorateSettings(
        environment="production",
        secret_key="p" * 40,
        kafka_password="production-kafka-password",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}",
        kafka_bootstrap_servers="127.0.0.1:1",
    )
    async with running_app(spec(), settings) as client:
        assert (await client.post("/testing/clock", json={"advance_seconds": 86400})).status_code == 404
        assert (await client.get("/testing/clock")).status_code == 404


async def test_a_restarted_service_keeps_the_time_its_harness_gives_it(tmp_path: Path) -> None:
    """A harness that moved a service's clock and restarts it starts it where it was (never in production)."""
    import pytest
    from pydantic import ValidationError

    settings = ProcuratorateSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}",
        kafka_bootstrap_servers="127.0.0.1:1",
        testing_clock_offset_seconds=5 * 86400,
    )
    async with running_app(spec(), settings) as client:
        shown = (await client.get("/testing/clock")).json()
        assert shown["offset_seconds"] == 5 * 86400
        assert (datetime.fromisoformat(shown["now"]) - datetime.now().astimezone()).days in (4, 5)
    with pytest.raises(ValidationError, match="never production"):
        ProcuratorateSettings(
            environment="production", secret_key="p" * 40, kafka_password="k" * 20, testing_clock_offset_seconds=60
        )
