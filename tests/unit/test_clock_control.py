"""The clock control (POST /testing/clock) moves the services' time in development and tests that ask for it —
`make demo` shows windows warn, breach and get met with it — for administrators only, and does not exist in
production."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from liandong_procuratorate.bootstrap import spec
from liandong_procuratorate.config import ProcuratorateSettings
from tests.support.apps import login, running_app


def movable(tmp_path: Path, **extra: Any) -> ProcuratorateSettings:
    """A development service whose harness asked for the clock control (TESTING_CLOCK_CONTROL=true)."""
    return ProcuratorateSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}",
        kafka_bootstrap_servers="127.0.0.1:1",
        testing_clock_control=True,
        **extra,
    )


async def test_development_moves_the_clock(tmp_path: Path) -> None:
    settings = movable(tmp_path)
    assert settings.environment == "development"
    async with running_app(spec(), settings) as client:
        admin = await login(client, "city.admin")
        before = datetime.fromisoformat((await client.get("/testing/clock", headers=admin)).json()["now"])
        moved = await client.post("/testing/clock", json={"advance_seconds": 3 * 86400}, headers=admin)
        assert moved.status_code == 200
        assert (datetime.fromisoformat(moved.json()["now"]) - before).days == 3


async def test_only_an_administrator_moves_the_clock(tmp_path: Path) -> None:
    """Moving the time expires every token and fires breaches at the other agencies: no anonymous caller, no
    prosecutor, no service token moves it."""
    async with running_app(spec(), movable(tmp_path)) as client:
        anonymous = await client.post("/testing/clock", json={"advance_seconds": 86400})
        assert anonymous.status_code == 401
        assert (await client.get("/testing/clock")).status_code == 401
        prosecutor = await login(client, "xianan.prosecutor")
        refused = await client.post("/testing/clock", json={"advance_seconds": 86400}, headers=prosecutor)
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
        admin = await login(client, "city.admin")
        shown = (await client.get("/testing/clock", headers=admin)).json()
        assert shown["offset_seconds"] == 0, "the refused moves left the clock alone"


async def test_a_development_stack_has_no_clock_control_unless_asked(tmp_path: Path) -> None:
    settings = ProcuratorateSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}", kafka_bootstrap_servers="127.0.0.1:1"
    )
    assert settings.environment == "development"
    assert not settings.testing_clock_control
    async with running_app(spec(), settings) as client:
        admin = await login(client, "city.admin")
        assert (await client.post("/testing/clock", json={"advance_seconds": 86400}, headers=admin)).status_code == 404
        assert (await client.get("/testing/clock", headers=admin)).status_code == 404


async def test_production_has_no_clock_control(tmp_path: Path) -> None:
    settings = ProcuratorateSettings(
        environment="production",
        secret_key="p" * 40,
        kafka_password="production-kafka-password",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}",
        kafka_bootstrap_servers="127.0.0.1:1",
        single_node=True,
    )
    async with running_app(spec(), settings) as client:
        assert (await client.post("/testing/clock", json={"advance_seconds": 86400})).status_code == 404
        assert (await client.get("/testing/clock")).status_code == 404
    with pytest.raises(ValidationError, match="never production"):
        ProcuratorateSettings(
            environment="production", secret_key="p" * 40, kafka_password="k" * 20, testing_clock_control=True
        )


async def test_a_restarted_service_keeps_the_time_its_harness_gives_it(tmp_path: Path) -> None:
    """A harness that moved a service's clock and restarts it starts it where it was (never in production)."""
    settings = movable(tmp_path, testing_clock_offset_seconds=5 * 86400)
    async with running_app(spec(), settings) as client:
        shown = (await client.get("/testing/clock", headers=await login(client, "city.admin"))).json()
        assert shown["offset_seconds"] == 5 * 86400
        assert (datetime.fromisoformat(shown["now"]) - datetime.now().astimezone()).days in (4, 5)
    with pytest.raises(ValidationError, match="never production"):
        ProcuratorateSettings(
            environment="production", secret_key="p" * 40, kafka_password="k" * 20, testing_clock_offset_seconds=60
        )


async def test_a_clock_started_in_the_past_runs_from_there_and_its_tokens_work(tmp_path: Path) -> None:
    """TESTING_CLOCK_START: the suite run from a date chosen for its calendar (the eve of a holiday); staff log in
    and act in that time, and the clock moves forward to a window's end but never back."""
    start = datetime.fromisoformat("2026-09-30T17:00:00+08:00")
    settings = movable(tmp_path, testing_clock_start=start)
    async with running_app(spec(), settings) as client:
        admin = await login(client, "city.admin")
        shown = datetime.fromisoformat((await client.get("/testing/clock", headers=admin)).json()["now"])
        assert timedelta(0) <= shown - start < timedelta(minutes=1)
        assert shown.utcoffset() == timedelta(hours=8), "shown in Asia/Shanghai"
        headers = await login(client, "city.supervisor")
        me = await client.get("/auth/me", headers=headers)
        assert me.status_code == 200, me.text

        due = start + timedelta(days=9, hours=7)
        moved = await client.post("/testing/clock", json={"to": due.isoformat()}, headers=admin)
        assert moved.status_code == 200
        assert datetime.fromisoformat(moved.json()["now"]) - due < timedelta(seconds=5)
        expired = await client.get("/testing/clock", headers=admin)
        assert expired.status_code == 401, "tokens issued before the move have expired"
        admin = await login(client, "city.admin")
        back = await client.post("/testing/clock", json={"to": start.isoformat()}, headers=admin)
        assert back.status_code == 200
        assert datetime.fromisoformat(back.json()["now"]) >= due, "time never runs backwards"
        both = await client.post("/testing/clock", json={"to": due.isoformat(), "advance_seconds": 60}, headers=admin)
        assert both.status_code == 422
        assert both.json()["error"]["code"] == "validation_error"
        naive = await client.post("/testing/clock", json={"to": "2026-10-09T00:00:00"}, headers=admin)
        assert naive.status_code == 422


def test_the_clock_start_is_refused_in_production_and_without_an_offset() -> None:
    with pytest.raises(ValidationError, match="never production"):
        ProcuratorateSettings(
            environment="production",
            secret_key="p" * 40,
            kafka_password="k" * 20,
            testing_clock_start=datetime(2026, 9, 30, 9, tzinfo=UTC),
        )
    with pytest.raises(ValidationError, match="with its offset"):
        ProcuratorateSettings(testing_clock_start=datetime(2026, 9, 30, 9))
