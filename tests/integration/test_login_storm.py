"""A hundred wrong passwords for one username sent at once: each attempt is counted before its password is checked,
in one statement, so no more than the limit are ever checked — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from liandong.api import auth
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from tests.support.apps import log_in, running_app


async def test_a_storm_of_wrong_passwords_checks_no_more_than_the_limit(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = 0
    check = auth.checking_password

    async def counting(password: str, stored: str) -> bool:
        nonlocal checked
        checked += 1
        return await check(password, stored)

    monkeypatch.setattr(auth, "checking_password", counting)
    settings = CourtSettings(database_url=database_url, kafka_bootstrap_servers="127.0.0.1:1")
    async with running_app(spec(), settings) as client:
        answers = await asyncio.gather(*(log_in(client, "tongcheng.officer", "wrong") for _ in range(100)))
        statuses = Counter(a.status_code for a in answers)
        after = await log_in(client, "tongcheng.officer", "liandong-dev")
    assert checked <= settings.login_max_failures_per_user, f"{checked} passwords checked"
    assert statuses[401] == checked
    assert statuses[429] == 100 - checked
    assert after.status_code == 429, "locked: even the right password waits for the lockout to end"
