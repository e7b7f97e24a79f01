"""Who may read a matter's timeline: the units of the service's own records of it (and the city) — never a unit that
only appears in an event received about it."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import insert

from liandong_court.adapters.orm import common
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from tests.support.apps import login, running_app, runtime_of, serve_notice
from tests.support.letters import PARTICULARS
from tests.support.outbox import receipt_envelope


async def chibi_matter(court: httpx.AsyncClient) -> str:
    officer = await login(court, "chibi.officer")
    body = {
        "enforcement_case_number": "(2024)鄂1281执77号",
        "suspects": [{"name": "陈某某", "kind": "person", "role": "debtor"}],
        "amount_owed": "120000.00",
        "summary": "拒不履行",
        **PARTICULARS,
    }
    lead = await court.post("/leads", json=body, headers=officer)
    assert lead.status_code == 201, lead.text
    lead_id = str(lead.json()["id"])
    judge = await login(court, "chibi.judge")
    assessed = await court.post(
        f"/leads/{lead_id}/assessment", json={"conclusion": "suspected", "reasons": "有能力"}, headers=judge
    )
    assert assessed.status_code == 200, assessed.text
    await serve_notice(court, lead_id, officer)
    return lead_id


async def test_a_unit_appearing_in_a_received_event_does_not_open_the_matter(tmp_path: Path) -> None:
    settings = CourtSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'court.db'}", kafka_bootstrap_servers="127.0.0.1:1"
    )
    async with running_app(spec(), settings) as court:
        matter = await chibi_matter(court)
        # an event of Tongcheng's police recorded in Chibi's matter (as a mis-tagged event once was)
        stray = receipt_envelope(correlation_id=matter)
        async with runtime_of(court).session_factory() as session, session.begin():
            await session.execute(
                insert(common.inbox).values(
                    consumer="liandong.court.test",
                    event_id=str(stray.event_id),
                    event_type=stray.event_type,
                    correlation_id=matter,
                    outcome="applied",
                    received_at=stray.occurred_at,
                    occurred_at=stray.occurred_at,
                    envelope=stray.to_json(),
                )
            )
        path = f"/matters/{matter}/timeline"
        tongcheng = await court.get(path, headers=await login(court, "tongcheng.officer"))
        assert (tongcheng.status_code, tongcheng.json()["error"]["code"]) == (403, "forbidden")
        chibi = await court.get(path, headers=await login(court, "chibi.officer"))
        assert chibi.status_code == 200, chibi.text
        assert "police.referral.received" in {e["event_type"] for e in chibi.json()["events"]}
        city = await court.get(path, headers=await login(court, "city.admin"))
        assert city.status_code == 200
        nothing = await court.get("/matters/no-such-matter/timeline", headers=await login(court, "city.admin"))
        assert nothing.status_code == 404
