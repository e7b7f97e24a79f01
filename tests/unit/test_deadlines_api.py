"""/deadlines on the police service in-process (SQLite, no broker): calculator, manual management, bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from liandong_police.adapters.orm import common
from liandong_police.bootstrap import spec
from liandong_police.config import PoliceSettings
from tests.support.apps import login, running_app, runtime_of
from tests.support.outbox import count

START = {
    "kind": "police_filing_decision",
    "subject_type": "referral",
    "subject_id": "ref-1",
    "start": "2025-09-26T10:00:00+08:00",
}


@pytest.fixture
async def police(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = PoliceSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'police.db'}", kafka_bootstrap_servers="127.0.0.1:1"
    )
    async with running_app(spec(), settings) as client:
        yield client


async def table_rows(client: httpx.AsyncClient, table: object) -> int:
    return await count(runtime_of(client).session_factory, table)


async def test_the_calculator_explains_the_due_instant_in_shanghai_time(police: httpx.AsyncClient) -> None:
    officer = await login(police, "tongcheng.investigator")
    # an unencoded '+' arrives as a space and is understood all the same
    answer = await police.get(
        "/deadlines/preview?kind=police_filing_decision&start=2025-09-26T10:00+08:00", headers=officer
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["due"] == "2025-10-10T00:00:00+08:00"
    assert body["last_day"] == "2025-10-09"
    assert body["rolled_forward"] is True
    assert body["skipped"][0] == {"day": "2025-10-03", "reason": "National Day"}
    assert body["legal_basis"].startswith("法发〔2025〕8号")
    kinds = (await police.get("/deadlines/kinds", headers=officer)).json()
    assert {k["name"] for k in kinds} >= {"police_filing_decision", "arrest_review_detained"}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("kind=police_coffee_break&start=2025-09-26T10:00%2B08:00", "unknown_kind"),
        ("kind=police_filing_decision&start=2025-09-26T10:00", "naive_time"),
        ("kind=police_filing_decision&start=next-tuesday", "invalid_time"),
    ],
)
async def test_the_calculator_refuses_what_it_cannot_count(police: httpx.AsyncClient, query: str, code: str) -> None:
    officer = await login(police, "tongcheng.investigator")
    answer = await police.get(f"/deadlines/preview?{query}", headers=officer)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == code


async def test_a_supervisor_manages_a_window_and_bad_requests_change_nothing(police: httpx.AsyncClient) -> None:
    supervisor = await login(police, "tongcheng.supervisor")
    investigator = await login(police, "tongcheng.investigator")
    tongshan = await login(police, "tongshan.investigator")

    assert (await police.post("/deadlines", json=START, headers=investigator)).status_code == 403
    started = await police.post("/deadlines", json=START, headers=supervisor)
    assert started.status_code == 201, started.text
    deadline = started.json()
    assert deadline["due_at"] == "2025-10-10T00:00:00+08:00"
    assert deadline["state"] == "running"
    assert deadline["history"][0]["action"] == "started"

    for body, code in [
        ({"approver": "", "reason": "重大复杂", "window": 30}, "approver_required"),
        ({"approver": "副局长", "reason": "重大复杂", "window": 45}, "beyond_legal_maximum"),
    ]:
        refused = await police.post(f"/deadlines/{deadline['id']}/extension", json=body, headers=supervisor)
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == code
    naive = await police.post(
        "/deadlines", json={**START, "subject_id": "ref-2", "start": "2025-09-26T10:00:00"}, headers=supervisor
    )
    assert naive.status_code == 422
    assert naive.json()["error"]["code"] == "validation_error"
    assert "timezone" in naive.text
    assert await table_rows(police, common.deadlines) == 1

    extended = await police.post(
        f"/deadlines/{deadline['id']}/extension",
        json={"approver": "副局长", "reason": "重大复杂", "window": 30},
        headers=supervisor,
    )
    assert extended.status_code == 200
    assert extended.json()["due_at"] == "2025-10-28T00:00:00+08:00"
    cancelled = await police.post(
        f"/deadlines/{deadline['id']}/cancellation", json={"reason": "撤回"}, headers=supervisor
    )
    assert cancelled.json()["state"] == "cancelled"
    meet = await police.post(f"/deadlines/{deadline['id']}/meeting", json={}, headers=supervisor)
    assert meet.status_code == 409
    assert meet.json()["error"]["code"] == "deadline_cancelled"

    assert (await police.get(f"/deadlines/{deadline['id']}", headers=tongshan)).status_code == 403
    listed = (await police.get("/deadlines?state=cancelled&kind=police_filing_decision", headers=investigator)).json()
    assert [d["id"] for d in listed["items"]] == [deadline["id"]]
    assert (await police.get("/deadlines", headers=tongshan)).json()["total"] == 0
    assert (await police.get("/deadlines/received-breaches", headers=investigator)).json()["total"] == 0
    assert (await police.get("/deadlines/nope", headers=investigator)).status_code == 404
