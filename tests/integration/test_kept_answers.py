"""Answers kept ready (liandong.api.kept) on two replicas of the court over one database, SQLite and PostgreSQL: a
read is served again from what it was while nothing it was drawn from changed, and an act on either replica — on
the record, on a record under it, on the list — is seen by the very next read on the other."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import update

from liandong.persistence import migrations
from liandong.persistence.stamps import Stamping, View, any_row_key, row_key, table_key
from liandong.security import Principal
from liandong_court.adapters.orm import leads, payments
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from liandong_court.entrypoints.api.leads import LEAD
from liandong_court.entrypoints.api.schemas import LeadPublic
from tests.support.apps import login, running_app, runtime_of
from tests.support.letters import PARTICULARS

SECRET = "kept-answers-secret-0123456789-0123456789"


def lead_body(number: int) -> dict[str, Any]:
    return {
        "enforcement_case_number": f"(2025)鄂1222执{number}号",
        "suspects": [{"name": "黎某某", "kind": "person", "role": "debtor", "id_number": "42122219800101123X"}],
        "amount_owed": "350000.00",
        "summary": "被执行人有履行能力而拒不履行",
        **PARTICULARS,
    }


@pytest.fixture
async def replicas(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    await migrations.upgrade_async(spec().migrations, database_url)
    settings = CourtSettings(database_url=database_url, kafka_bootstrap_servers="127.0.0.1:1", secret_key=SECRET)
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(running_app(spec(), settings))
        second = await stack.enter_async_context(running_app(spec(), settings))
        yield first, second


def served(view: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "liandong_kept_answers_total", {"agency": "court", "view": view, "outcome": outcome}
    )
    return value or 0.0


async def test_an_act_on_either_replica_is_seen_by_the_next_read_on_the_other(
    replicas: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    one, other = replicas
    writer, reader = await login(one, "tongcheng.officer"), await login(other, "tongcheng.officer")
    lead = (await one.post("/leads", json=lead_body(1), headers=writer)).json()

    first = await other.get(f"/leads/{lead['id']}", headers=reader)
    hits = served("lead", "hit")
    again = await other.get(f"/leads/{lead['id']}", headers=reader)
    assert again.status_code == 200
    assert again.content == first.content
    assert served("lead", "hit") == hits + 1, "nothing changed: the kept answer was served"
    assert again.json()["suspects"][0]["id_number"] == "42122219800101123X", "a detail shows the number in full"

    # a record under the lead (a payment, another table) written on the other replica
    today = (runtime_of(one).clock.now() + timedelta(hours=8)).date().isoformat()
    paid = await one.post(
        f"/leads/{lead['id']}/payments",
        json={"amount": "1000.00", "paid_on": today, "channel": "bank_transfer"},
        headers=writer,
    )
    assert paid.status_code == 200, paid.text
    after = (await other.get(f"/leads/{lead['id']}", headers=reader)).json()
    assert [p["amount"] for p in after["payments"]] == ["1000.00"]
    assert after["amount_paid"] == "1000.00"

    # the list: kept, then a new lead on the other replica is in the next page
    listed = (await other.get("/leads", headers=reader)).json()
    assert listed["total"] == 1
    assert listed["items"][0]["suspects"][0]["id_number"] == "421222********123X", "a list stays masked"
    await other.get("/leads", headers=reader)
    assert served("leads", "hit") >= 1
    await one.post("/leads", json=lead_body(2), headers=writer)
    assert (await other.get("/leads", headers=reader)).json()["total"] == 2

    # the kept answer of one county is not another's: Chibi's officer is refused the Tongcheng lead as ever
    chibi = await login(other, "chibi.officer")
    assert (await other.get(f"/leads/{lead['id']}", headers=chibi)).status_code == 403


async def test_a_write_whose_rows_are_unknown_stamps_every_row_of_its_table(
    replicas: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    """An UPDATE … WHERE through a unit of work (no row objects to read the lead from) still changes the answer."""
    one, other = replicas
    writer = await login(one, "tongcheng.officer")
    lead = (await one.post("/leads", json=lead_body(3), headers=writer)).json()
    await other.get(f"/leads/{lead['id']}", headers=writer)

    runtime = runtime_of(one)
    async with runtime.uow() as uow:
        await uow.session.execute(update(leads).where(leads.c.id == lead["id"]).values(summary="更正后的案情"))
        await uow.commit()
    assert (await other.get(f"/leads/{lead['id']}", headers=writer)).json()["summary"] == "更正后的案情"


def test_the_keys_a_view_reads_and_the_tables_its_acts_stamp() -> None:
    lead_view = View("lead", by_id=((leads.name, "id"), (payments.name, "lead_id")))
    listing = View("leads", tables=(leads.name,))
    assert lead_view.keys("L1") == [
        row_key("leads", "id", "L1"),
        any_row_key("leads"),
        row_key("payments", "lead_id", "L1"),
        any_row_key("payments"),
    ]
    assert listing.keys() == [table_key("leads")]
    with pytest.raises(ValueError, match="its id is needed"):
        lead_view.keys()
    assert Stamping.of([lead_view, listing]).columns == {"leads": ("id",), "payments": ("lead_id",)}
    assert len(row_key("leads", "id", "x" * 500)) <= 200, "a long key is kept as its digest"


async def test_the_page_answered_after_an_act_is_kept_for_the_next_read_of_that_page(
    replicas: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    """A route that answers a record's page after an act (`KeptAnswers.drawn`) keeps it under the page's own path: the
    next read of the page by the same unit and role is served it."""
    one, other = replicas
    officer = await login(one, "tongcheng.officer")
    lead = (await one.post("/leads", json=lead_body(4), headers=officer)).json()
    actor = Principal(username="tongcheng.officer", agency="court", role="enforcement_officer", unit="421222")
    runtime = runtime_of(one)

    async def draw() -> LeadPublic:
        return LeadPublic.model_validate((await other.get(f"/leads/{lead['id']}", headers=officer)).json())

    drawn = await runtime.kept.drawn(actor, LEAD, lead["id"], f"/leads/{lead['id']}", draw)
    hits = served("lead", "hit")
    page = await one.get(f"/leads/{lead['id']}", headers=officer)
    assert served("lead", "hit") == hits + 1
    assert page.json() == drawn.model_dump(mode="json")
