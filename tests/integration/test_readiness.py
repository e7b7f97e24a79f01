"""A broker outage does not take the service out of service: /readyz stays 200, staff acts succeed, /healthz and
/metrics show the broker down and the outbox growing, and the outbox drains when the broker is back."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from tests.support.apps import login, running_app, serve_notice
from tests.support.infra import LocalBroker
from tests.support.kafka_io import poll_until, service_kafka
from tests.support.letters import NOT_YET_PROVED, PARTICULARS

pytestmark = [pytest.mark.kafka]

LEAD = {
    "enforcement_case_number": "(2024)鄂1222执123号",
    "source": "case_screening",
    "suspects": [{"name": "黎某某", "kind": "person", "role": "debtor"}],
    "amount_owed": "350000",
    "amount_paid": "0",
    "summary": "有履行能力而拒不履行",
    **PARTICULARS,
}


async def health(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/healthz")
    assert response.status_code == 200, "liveness answers whatever the broker does"
    body: dict[str, Any] = response.json()
    return body


def metric(text: str, name: str) -> float:
    match = re.search(rf'^{name}\{{agency="court"\}} (\S+)$', text, re.MULTILINE)
    assert match is not None, f"{name} is exported"
    return float(match[1])


async def refer_one(client: httpx.AsyncClient, officer: dict[str, str], judge: dict[str, str]) -> dict[str, Any]:
    lead = await client.post("/leads", json=LEAD, headers=officer)
    assert lead.status_code == 201, lead.text
    suspected = {"conclusion": "suspected", "reasons": "有履行能力"}
    assert (
        await client.post(f"/leads/{lead.json()['id']}/assessment", json=suspected, headers=judge)
    ).status_code == 200
    await serve_notice(client, lead.json()["id"], officer)
    referral = await client.post(
        f"/leads/{lead.json()['id']}/referral",
        json={"override_reason": "转移财产迹象明显", "missing_evidence": NOT_YET_PROVED},
        headers=judge,
    )
    assert referral.status_code == 201, referral.text
    body: dict[str, Any] = referral.json()
    return body


async def test_a_broker_outage_keeps_the_service_ready_and_the_outbox_drains_after(
    own_broker: LocalBroker, tmp_path: Path
) -> None:
    settings = CourtSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'court.db'}",
        **service_kafka(own_broker.admin),
        relay_send_timeout_seconds=3,
        relay_backoff_max_seconds=2,
    )
    async with running_app(spec(), settings) as client:

        async def status(wanted: str) -> bool:
            return bool((await health(client))["status"] == wanted)

        await poll_until(lambda: status("ok"), 60, "the service healthy with its broker")
        officer, judge = await login(client, "tongcheng.officer"), await login(client, "tongcheng.judge")
        await refer_one(client, officer, judge)

        async def outbox(predicate: Any) -> bool:
            return bool(predicate((await health(client))["outbox"]["pending"]))

        await poll_until(lambda: outbox(lambda n: n == 0), 30, "the first referral published")

        await asyncio.to_thread(own_broker.stop)
        for _ in range(3):
            await refer_one(client, officer, judge)  # staff keep working
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        await poll_until(lambda: status("degraded"), 30, "the outage shown on /healthz")
        during = await health(client)
        assert during["broker"]["up"] is False
        assert "broker unreachable" in during["problems"]
        # for each of the 3 referrals: the 告知书's window started and ended by the referral, the letter, the mirror
        assert during["outbox"]["pending"] == 12
        text = (await client.get("/metrics")).text
        assert metric(text, "liandong_broker_up") == 0
        assert metric(text, "liandong_outbox_pending_rows") == 12
        assert metric(text, "liandong_outbox_oldest_pending_seconds") >= 0
        assert metric(text, "liandong_ready") == 1

        await asyncio.to_thread(own_broker.start)
        await poll_until(lambda: outbox(lambda n: n == 0), 120, "the outbox drained after the outage")
        await poll_until(lambda: status("ok"), 60, "healthy again")
        assert metric((await client.get("/metrics")).text, "liandong_outbox_pending_rows") == 0
