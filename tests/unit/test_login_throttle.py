"""Logins and tokens: failed logins are limited per username and per client address (429 with Retry-After, alike for
known and unknown usernames), a lockout ends by itself or is lifted by ops, tokens are short-lived, and malformed or
oversized tokens are refused with a clear 401."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from liandong.__main__ import main
from liandong.clock import ManualClock
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from tests.support.apps import log_in, running_app

PASSWORD = "liandong-dev"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path) -> CourtSettings:
    return CourtSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'court.db'}",
        kafka_bootstrap_servers="127.0.0.1:1",
        login_max_failures_per_address=12,
    )


@pytest.fixture
async def court(settings: CourtSettings, clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(spec(), settings, clock) as client:
        yield client


async def test_five_wrong_passwords_lock_the_username_until_the_lockout_ends(
    court: httpx.AsyncClient, clock: ManualClock
) -> None:
    for _ in range(5):
        wrong = await log_in(court, "tongcheng.officer", "not-the-password")
        assert wrong.status_code == 401
        assert wrong.json()["error"]["code"] == "invalid_credentials"
    locked = await log_in(court, "tongcheng.officer", PASSWORD)  # even the right password
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "too_many_attempts"
    assert locked.headers["Retry-After"] == "900"
    clock.advance(timedelta(seconds=600))
    assert (await log_in(court, "tongcheng.officer", PASSWORD)).headers["Retry-After"] == "300"
    assert (await log_in(court, "tongcheng.judge", PASSWORD)).status_code == 200, "others are not locked"
    clock.advance(timedelta(seconds=301))
    assert (await log_in(court, "tongcheng.officer", PASSWORD)).status_code == 200


async def test_an_unknown_username_is_answered_like_a_known_one(court: httpx.AsyncClient) -> None:
    known = [await log_in(court, "tongcheng.officer", "wrong-password") for _ in range(5)]
    unknown = [await log_in(court, "no.such.user", "wrong-password") for _ in range(5)]
    assert [(r.status_code, r.json()) for r in known] == [(r.status_code, r.json()) for r in unknown]
    assert (await log_in(court, "tongcheng.officer", "x")).status_code == 429
    assert (await log_in(court, "no.such.user", "x")).status_code == 429


async def test_failures_from_one_address_under_many_usernames_lock_the_address(court: httpx.AsyncClient) -> None:
    for i in range(12):  # the limit per address in these settings; one failure per username
        assert (await log_in(court, f"guess.{i}", "password")).status_code == 401
    refused = await log_in(court, "tongcheng.judge", PASSWORD)
    assert refused.status_code == 429, "the address is locked, whatever the username"


async def test_a_success_clears_the_usernames_failures(court: httpx.AsyncClient) -> None:
    for _ in range(4):
        assert (await log_in(court, "tongcheng.officer", "wrong-password")).status_code == 401
    assert (await log_in(court, "tongcheng.officer", PASSWORD)).status_code == 200
    for _ in range(4):
        assert (await log_in(court, "tongcheng.officer", "wrong-password")).status_code == 401
    assert (await log_in(court, "tongcheng.officer", PASSWORD)).status_code == 200


async def test_ops_lift_a_lockout_and_it_is_recorded(
    court: httpx.AsyncClient,
    settings: CourtSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for _ in range(5):
        await log_in(court, "tongcheng.officer", "wrong-password")
    assert (await log_in(court, "tongcheng.officer", PASSWORD)).status_code == 429
    monkeypatch.setenv("COURT_DATABASE_URL", settings.database_url)
    args = ["users", "--service", "court", "--actor", "ops.li", "unlock", "--username", "tongcheng.officer"]
    assert await asyncio.to_thread(main, args) == 0
    assert "user:tongcheng.officer: lockout lifted" in capsys.readouterr().out
    assert (await log_in(court, "tongcheng.officer", PASSWORD)).status_code == 200
    assert await asyncio.to_thread(main, args) == 0
    assert "no failed logins recorded" in capsys.readouterr().out
    admin = await log_in(court, "city.admin", PASSWORD)
    trail = await court.get(
        "/audit",
        params={"subject_id": "user:tongcheng.officer"},
        headers={"Authorization": f"Bearer {admin.json()['access_token']}"},
    )
    assert [(e["actor"], e["role"], e["action"]) for e in trail.json()["items"]] == [
        ("cli:ops.li", "ops", "account.unlock"),
        ("cli:ops.li", "ops", "account.unlock"),
    ], "each lift is in the audit chain"


async def test_tokens_are_short_lived_by_default_and_bad_tokens_get_a_clear_401(
    court: httpx.AsyncClient, clock: ManualClock
) -> None:
    token = await log_in(court, "tongcheng.officer", PASSWORD)
    assert token.json()["expires_in"] == 30 * 60
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert (await court.get("/auth/me", headers=headers)).status_code == 200
    clock.advance(timedelta(minutes=31))
    expired = await court.get("/auth/me", headers=headers)
    assert expired.status_code == 401
    assert "expired" in expired.json()["error"]["message"]
    for bad in ("not-a-jwt", "a.b.c", "eyJ" + "A" * 20_000, "Bearer x"):
        answer = await court.get("/auth/me", headers={"Authorization": f"Bearer {bad}"})
        assert answer.status_code == 401, bad[:20]
        assert answer.json()["error"]["code"] == "invalid_token"


async def test_forwarded_addresses_are_believed_only_from_the_trusted_proxies(
    tmp_path: Path, clock: ManualClock
) -> None:
    """Behind no proxy (the default), a client rotating X-Forwarded-For is still the one address it connects from,
    and is locked; behind a trusted proxy, each forwarded address is its own client."""
    for trusted, fourth_answer in (([], 429), (["127.0.0.1"], 401)):
        settings = CourtSettings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / f'court-{len(trusted)}.db'}",
            kafka_bootstrap_servers="127.0.0.1:1",
            login_max_failures_per_address=3,
            trusted_proxies=trusted,
        )
        async with running_app(spec(), settings, clock) as client:
            for i in range(4):
                answer = await client.post(
                    "/auth/token",
                    data={"username": f"someone{i}", "password": "wrong"},
                    headers={"X-Forwarded-For": f"203.0.113.{i}"},
                )
            assert answer.status_code == fourth_answer, (trusted, answer.text)
