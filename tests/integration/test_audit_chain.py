"""The audit trail: every state-changing act chained in its own transaction (SQLite and PostgreSQL); supervisors
read a subject's acts; `python -m liandong audit verify` finds an edited, removed or inserted entry and names it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from liandong import audit
from liandong.__main__ import main
from liandong.persistence.engine import create_engine
from liandong_court.adapters.orm import common, leads, referrals
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from tests.integration.test_readiness import LEAD, refer_one
from tests.support.apps import login, running_app

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


async def acted(database_url: str) -> dict[str, Any]:
    """A referral made in the court (lead, assessment, referral), and what the audit trail says of it."""
    settings = CourtSettings(database_url=database_url, kafka_bootstrap_servers="127.0.0.1:1")
    async with running_app(spec(), settings) as client:
        officer, judge = await login(client, "tongcheng.officer"), await login(client, "tongcheng.judge")
        referral = await refer_one(client, officer, judge)
        admin = await login(client, "city.admin")
        lead_trail = await client.get("/audit", params={"subject_id": referral["lead_id"]}, headers=admin)
        referral_trail = await client.get("/audit", params={"subject_id": referral["id"]}, headers=admin)
        refused = await client.get("/audit", params={"subject_id": referral["id"]}, headers=officer)
        unnamed = await client.get("/audit", headers=admin)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert unnamed.status_code == 422
    assert lead_trail.status_code == 200, lead_trail.text
    return {"lead": lead_trail.json(), "referral": referral_trail.json()["items"]}


async def verify(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *options: str
) -> tuple[int, str]:
    monkeypatch.setenv("COURT_DATABASE_URL", database_url)
    code = await asyncio.to_thread(main, ["audit", "verify", "--service", "court", *options])
    return code, capsys.readouterr().out


async def verify_through_the_api(database_url: str, **params: str) -> dict[str, Any]:
    settings = CourtSettings(database_url=database_url, kafka_bootstrap_servers="127.0.0.1:1")
    async with running_app(spec(), settings) as client:
        county = await client.get("/audit/verify", headers=await login(client, "tongcheng.officer"))
        assert county.status_code == 403
        answer = await client.get("/audit/verify", params=params, headers=await login(client, "city.admin"))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def tamper(database_url: str, statement: Any) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(statement)
    finally:
        await engine.dispose()


async def test_acts_are_chained_and_tampering_is_found_and_located(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    trail = await acted(database_url)
    lead = trail["lead"]["items"]
    assert [e["action"] for e in lead] == [
        "POST /leads",
        "POST /leads/{lead_id}/assessment",
        "POST /leads/{lead_id}/notice",
        "POST /leads/{lead_id}/referral",
    ]
    assert [(e["actor"], e["role"], e["unit"]) for e in lead] == [
        ("tongcheng.officer", "enforcement_officer", "421222"),
        ("tongcheng.judge", "criminal_judge", "421222"),
        ("tongcheng.officer", "enforcement_officer", "421222"),
        ("tongcheng.judge", "criminal_judge", "421222"),
    ]
    assert all(e["request_id"] and len(e["change_digest"]) == 64 for e in lead)
    assert {e["action"] for e in trail["referral"]} == {"POST /leads/{lead_id}/referral"}, "the referral it made"
    entries = await _entries(database_url)
    assert len(entries) >= 4
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    intact = f"court: the audit chain is intact ({len(entries)} entries)\n"
    assert await verify(database_url, monkeypatch, capsys) == (0, intact)
    second = entries[1]
    log = common.audit_log

    # an entry edited in the database: its hash no longer fits
    await tamper(database_url, update(log).where(log.c.seq == 2).values(actor="someone.else"))
    code, out = await verify(database_url, monkeypatch, capsys)
    assert code == 1
    assert "broken at entry 2: its content does not match its hash (the entry was edited)" in out
    assert await verify_through_the_api(database_url) == {
        "intact": False,
        "entries": 1,
        "broken_at": 2,
        "reason": "its content does not match its hash (the entry was edited)",
        "rows": None,
    }
    await tamper(database_url, update(log).where(log.c.seq == 2).values(actor=second["actor"]))
    assert (await verify(database_url, monkeypatch, capsys))[0] == 0, "put back as it was, it fits again"

    # an entry removed: the next one's link, and the seq sequence, say where
    await tamper(database_url, delete(log).where(log.c.seq == 2))
    code, out = await verify(database_url, monkeypatch, capsys)
    assert code == 1
    assert "broken at entry 2: entry 2 is missing (removed)" in out
    await tamper(database_url, insert(log).values(**second))

    # an entry forged with a fresh hash after the last one: the head does not know it
    last = entries[-1]
    forged = {**last, "seq": last["seq"] + 1, "prev_hash": last["hash"], "actor": "intruder"}
    forged["hash"] = audit.entry_hash(last["hash"], forged)
    await tamper(database_url, insert(log).values(**forged))
    code, out = await verify(database_url, monkeypatch, capsys)
    assert code == 1
    assert f"broken at entry {last['seq'] + 1}: the chain ends at entry {last['seq'] + 1} but" in out
    await tamper(database_url, delete(log).where(log.c.seq == last["seq"] + 1))

    # the newest entry removed: only the head remembers it
    await tamper(database_url, delete(log).where(log.c.seq == last["seq"]))
    code, out = await verify(database_url, monkeypatch, capsys)
    assert code == 1
    assert f"broken at entry {last['seq']}: the chain ends at entry {last['seq'] - 1} but" in out


async def test_a_row_edited_or_deleted_outside_any_act_is_named(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The chain is intact when a domain row is edited in place by SQL; `audit verify --rows` recomputes each record
    against the digest of the last act that wrote it and names what differs."""
    trail = await acted(database_url)
    lead_id, referral_id = trail["lead"]["items"][0]["subject_id"], trail["referral"][0]["subject_id"]
    code, out = await verify(database_url, monkeypatch, capsys, "--rows")
    assert code == 0, out
    assert ", 0 differ" in out
    checked = int(out.splitlines()[-1].split(": ")[1].split()[0])
    assert checked >= 2, "the lead and the referral at least"

    await tamper(database_url, update(leads).where(leads.c.id == lead_id).values(amount_owed=Decimal("1.00")))
    assert (await verify(database_url, monkeypatch, capsys))[0] == 0, "the chain alone does not see it"
    code, out = await verify(database_url, monkeypatch, capsys, "--rows")
    assert code == 1
    assert f"Lead {lead_id} (leads): its row was changed outside any act" in out
    assert "POST /leads/{lead_id}/referral" in out, "the last act that wrote it"
    answer = await verify_through_the_api(database_url, rows="true")
    assert answer["intact"] is False
    assert answer["broken_at"] is None, "the chain itself is intact"
    assert [(d["subject_id"], d["table"]) for d in answer["rows"]["differing"]] == [(lead_id, "leads")]
    await tamper(database_url, update(leads).where(leads.c.id == lead_id).values(amount_owed=Decimal("350000.00")))
    assert (await verify(database_url, monkeypatch, capsys, "--rows"))[0] == 0, "put back as it was, it fits again"

    await tamper(database_url, delete(referrals).where(referrals.c.id == referral_id))
    code, out = await verify(database_url, monkeypatch, capsys, "--rows")
    assert code == 1
    assert f"Referral {referral_id} (referrals): deleted outside any act" in out


async def _entries(database_url: str) -> list[dict[str, Any]]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(common.audit_log).order_by(common.audit_log.c.seq))
            return [dict(r._mapping) for r in rows]
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_acts_committing_at_once_on_postgresql_make_one_unbroken_chain(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = CourtSettings(database_url=postgres_url, kafka_bootstrap_servers="127.0.0.1:1")
    async with running_app(spec(), settings) as client:
        officer = await login(client, "tongcheng.officer")
        made = await asyncio.gather(*(client.post("/leads", json=LEAD, headers=officer) for _ in range(40)))
    assert [r.status_code for r in made] == [201] * 40
    entries = await _entries(postgres_url)
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1)), "no gap, no fork"
    made_ids = sorted(r.json()["id"] for r in made)
    assert sorted(e["subject_id"] for e in entries if e["action"] == "POST /leads") == made_ids, "one entry each"
    assert await verify(postgres_url, monkeypatch, capsys) == (
        0,
        f"court: the audit chain is intact ({len(entries)} entries)\n",
    )


async def test_a_process_expecting_the_head_where_it_left_it_recovers_when_it_is_not(court_pg_db: Any) -> None:
    """PostgreSQL: each process expects the head where its own last append left it. Another process appending in
    between, or an act of its own that appended and then did not commit, leaves the head elsewhere: the next append
    reads it and chains from it, and the chain stays whole."""
    here, there = court_pg_db, create_engine(court_pg_db.url)
    act = audit.Act(actor="tongcheng.officer", role="enforcement_officer", unit="421222", action="test")

    async def appended(engine: Any, subject: str, *, commit: bool = True) -> None:
        async with AsyncSession(engine) as session:
            await audit.append(session, common, act=act, at=NOW, subjects=[("lead", subject)], change="0" * 64)
            await (session.commit() if commit else session.rollback())

    try:
        await appended(here.engine, "a")
        await appended(there, "b")  # another process moves the head
        await appended(here.engine, "c")
        await appended(here.engine, "d", commit=False)  # appended, then rolled back: the head stays at c
        await appended(here.engine, "e")
        async with AsyncSession(here.engine) as session:
            verdict = await audit.verify(session, common)
            subjects = list(
                await session.scalars(select(common.audit_log.c.subject_id).order_by(common.audit_log.c.seq))
            )
        assert verdict.intact, verdict
        assert subjects == ["a", "b", "c", "e"]
    finally:
        await there.dispose()
