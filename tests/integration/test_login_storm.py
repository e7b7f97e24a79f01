"""A hundred wrong passwords for one username sent at once: each attempt is counted before its password is checked,
in one statement, so no more than the limit are ever checked — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from liandong.api import auth
from liandong.security import Principal, issue_token
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from tests.support.apps import log_in, running_app
from tests.support.kafka_io import poll_until

OFFICER = Principal(username="tongcheng.officer", agency="court", role="enforcement_officer", unit="421222")


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


async def test_a_storm_of_distinct_usernames_is_refused_beyond_the_hashing_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Logins for many usernames at once (no lockout applies): no more than `login_hashing_queue` hold a place at the
    hashing pool; the rest are refused at once (429 login_busy, Retry-After) without counting as attempts, and staff
    requests are answered meanwhile."""
    release, hashing = asyncio.Event(), Counter[str]()

    async def held(password: str, stored: str) -> bool:
        hashing["now"] += 1
        await release.wait()
        return False

    monkeypatch.setattr(auth, "checking_password", held)
    settings = CourtSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'court.db'}",
        kafka_bootstrap_servers="127.0.0.1:1",
        login_hashing_queue=8,
    )
    async with running_app(spec(), settings) as client:
        token = issue_token(OFFICER, secret=settings.secret_key, now=datetime.now(UTC), ttl=timedelta(minutes=5))
        staff = {"Authorization": f"Bearer {token}"}
        storm = [asyncio.create_task(log_in(client, f"user{n}", "wrong")) for n in range(20)]
        refused = []
        for answer in asyncio.as_completed(storm[:]):
            response = await answer
            refused.append(response)
            if len(refused) == 12:
                break
        assert {(r.status_code, r.json()["error"]["code"], r.headers["retry-after"]) for r in refused} == {
            (429, "login_busy", "1")
        }

        async def all_places_hashing() -> bool:
            return hashing["now"] == 8

        await poll_until(all_places_hashing, 10, "eight logins holding the places")
        me = await client.get("/auth/me", headers=staff)
        assert me.status_code == 200, "staff are answered while the places are held"
        release.set()
        answers = Counter((r.status_code, r.json()["error"]["code"]) for r in await asyncio.gather(*storm))
    assert answers == {(429, "login_busy"): 12, (401, "invalid_credentials"): 8}
