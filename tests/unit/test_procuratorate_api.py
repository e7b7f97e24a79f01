"""The procuratorate's matters in-process on SQLite: a matter is read by the units it belongs to, nobody else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from liandong.contracts import CaseFiledV1, Contract, Suspect
from liandong.contracts.common import PartyKind, SuspectRole
from liandong.messaging.handlers import Delivery
from liandong_procuratorate.bootstrap import spec
from liandong_procuratorate.config import ProcuratorateSettings
from liandong_procuratorate.service_layer.event_handlers import on_hand_off
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork
from tests.support.apps import login, running_app, runtime_of
from tests.support.deliveries import delivery
from tests.unit.test_timeline_and_breach_handlers import referral_letter

AT = datetime(2025, 10, 12, 2, 0, tzinfo=UTC)


@pytest.fixture
async def procuratorate(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = ProcuratorateSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'procuratorate.db'}", kafka_bootstrap_servers="127.0.0.1:1"
    )
    async with running_app(spec(), settings) as client:
        yield client


async def apply(client: httpx.AsyncClient, event: Delivery[Contract]) -> None:
    runtime = runtime_of(client)
    async with runtime.uow() as uow:
        assert isinstance(uow, ProcuratorateUnitOfWork)
        await on_hand_off(event, uow)
        await uow.commit()


async def test_a_matter_is_read_by_the_units_of_its_referral_not_of_any_entry(
    procuratorate: httpx.AsyncClient,
) -> None:
    # an entry in Tongshan's name arrives before the Tongcheng referral it claims to be part of
    filed = CaseFiledV1(
        referral_id="ref-lead-7",
        case_id="c",
        case_number="通公(经)立字〔2025〕1号",
        police_unit="421224",
        suspects=[Suspect(name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR)],
        filed_at=AT,
        filed_by="x",
    )
    await apply(procuratorate, delivery(filed, agency="police", unit="421224", correlation_id="lead-7"))
    await apply(procuratorate, delivery(referral_letter("lead-7"), agency="court", correlation_id="lead-7"))

    tongshan = await login(procuratorate, "tongshan.prosecutor")
    refused = await procuratorate.get("/matters/lead-7", headers=tongshan)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert (await procuratorate.get("/matters", headers=tongshan)).json()["total"] == 0

    tongcheng = await login(procuratorate, "tongcheng.prosecutor")
    shown = await procuratorate.get("/matters/lead-7", headers=tongcheng)
    assert shown.status_code == 200
    assert len(shown.json()["timeline"]) == 2
    assert (await procuratorate.get("/matters", headers=tongcheng)).json()["total"] == 1
    city = await login(procuratorate, "city.supervisor")
    assert (await procuratorate.get("/matters/lead-7", headers=city)).status_code == 200
