"""A service whose database does not answer at start-up stays up: alive (/livez), unready (/readyz 503), staff told
503 `starting`; it tries again, one log line per attempt, and starts by itself when the database appears. A fault
that is not the database's absence still fails the start loudly."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import httpx
import pytest

from liandong.api.app import create_app
from liandong.runtime import Runtime
from liandong_police.bootstrap import spec
from liandong_police.config import PoliceSettings
from tests.support.apps import running_app, runtime_of


def settings(database: Path) -> PoliceSettings:
    return PoliceSettings(
        database_url=f"sqlite+aiosqlite:///{database}",
        kafka_bootstrap_servers="127.0.0.1:1",
        startup_retry_seconds=0.05,
        startup_retry_max_seconds=0.2,
    )


async def wait_ready(client: httpx.AsyncClient, timeout: float = 20) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = await client.get("/readyz")
        if ready.status_code == 200:
            return ready
        await asyncio.sleep(0.02)  # the poll's interval: the start-up's retries run meanwhile
    raise AssertionError("the service never became ready")


async def test_no_database_at_start_up_leaves_the_service_alive_unready_and_it_starts_when_the_database_comes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "police.db"
    missing.mkdir()  # a directory where the database should be: SQLite cannot open it, as if no server answered
    runtime_log = logging.getLogger("liandong.runtime")
    runtime_log.addHandler(caplog.handler)  # the service's JSON logging replaces the root's handlers
    try:
        await starting_without_a_database(missing, caplog)
    finally:
        runtime_log.removeHandler(caplog.handler)


async def starting_without_a_database(missing: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with running_app(spec(), settings(missing)) as police:
        alive = await police.get("/livez")
        assert alive.status_code == 200
        assert alive.json() == {"status": "alive", "service": "police", "started": False}
        unready = await police.get("/readyz")
        assert unready.status_code == 503
        assert "starting" in unready.json()["checks"]["database"]
        staff = await police.post("/auth/token", data={"username": "tongcheng.investigator", "password": "x"})
        assert staff.status_code == 503
        assert staff.json()["error"]["code"] == "starting"
        assert staff.headers["retry-after"] == "5"
        assert (await police.get("/healthz")).status_code == 200, "health answers, and says what is wrong"

        deadline = time.monotonic() + 10
        while runtime_of(police).start_attempts < 3 and time.monotonic() < deadline:
            assert (await police.get("/livez")).status_code == 200
            await asyncio.sleep(0.02)  # the poll's interval
        attempts = [r for r in caplog.records if "not reachable at start-up" in r.getMessage()]
        assert len(attempts) >= 2, "one line per attempt"
        assert all("Traceback" not in r.getMessage() and r.exc_info is None for r in attempts), "a line, no traceback"

        await asyncio.to_thread(missing.rmdir)  # the database can be reached
        ready = await wait_ready(police)
        assert ready.json()["status"] == "ready"
        assert runtime_of(police).started
        login = await police.post(
            "/auth/token", data={"username": "tongcheng.investigator", "password": "liandong-dev"}
        )
        assert login.status_code == 200, "migrated and seeded once the database answered"
        assert (await police.get("/livez")).json()["started"] is True


async def test_a_fault_that_is_not_the_databases_absence_fails_the_start(tmp_path: Path) -> None:
    broken = settings(tmp_path / "police.db")
    runtime_spec = spec()

    async def no_migrations() -> None:
        raise RuntimeError("a migration that cannot apply")

    app = create_app(runtime_spec, broken)
    original = Runtime.migrate
    try:
        Runtime.migrate = lambda self: no_migrations()  # type: ignore[method-assign]
        with pytest.raises(RuntimeError, match="cannot apply"):
            async with app.router.lifespan_context(app):
                pass  # pragma: no cover - never reached
    finally:
        Runtime.migrate = original  # type: ignore[method-assign]
