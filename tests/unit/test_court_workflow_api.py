"""The court's workflow API in-process on SQLite: imports, screening, evidence, payments, tips, claim check."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from liandong_court.adapters.orm import enforcement_cases, evidence, payments
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from tests.support.apps import login, running_app, runtime_of, serve_notice
from tests.support.letters import NOT_YET_PROVED, PARTICULARS
from tests.support.outbox import count

PDF = b"%PDF-1.4\nfund flow\n%%EOF\n"
CASE = {
    "case_number": "(2024)鄂1222执300号",
    "creditor": "洪某某",
    "debtors": [{"name": "黎某某", "kind": "person", "id_number": "42122219800101123X"}],
    "amount_owed": "350000.00",
    "closure_type": "terminated",
    "closure_date": "2024-06-30",
    "focus_categories": ["livelihood", "finance"],
}
HEADER = (
    "case_number,creditor,debtor_name,debtor_kind,debtor_id_number,debtor_legal_representative,"
    "amount_owed,amount_paid,closure_type,closure_date,focus_categories\n"
)
CSV = (
    HEADER
    + """(2023)鄂1222执11号,洪某某,黎某某,person,42122219800101123X,,120000,0,terminated,2023-03-01,livelihood
(2023)鄂1222执11号,洪某某,黎某某之妻,person,421222198201011234,,,,,,
(2023)鄂1222执12号,某银行,武汉某建筑工程有限公司,unit,,祁某某,800000,100000,terminated,2022-08-15,enterprise;finance
(2023)鄂1222执13号,张某,王某,person,,,5000,0,terminated,2023-01-01,livelihood
(2023)鄂1222执14号,张某,王某,person,421222199001011111,,not-money,0,terminated,2023-01-01,
(2023)鄂1224执15号,张某,李某,person,421224199001011111,,1000,0,terminated,2023-01-01,
(2023)鄂1222执16号,张某,赵某,person,421222199001012222,,1000,0,terminated,2023-01-01,livelihood,extra
"""
).encode()


@pytest.fixture
async def court(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = CourtSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'court.db'}",
        kafka_bootstrap_servers="127.0.0.1:1",
        evidence_max_bytes=4096,
    )
    async with running_app(spec(), settings) as client:
        yield client


async def rows(client: httpx.AsyncClient, table: Any) -> int:
    return await count(runtime_of(client).session_factory, table)


async def test_a_csv_import_creates_the_good_rows_and_reports_each_bad_one(court: httpx.AsyncClient) -> None:
    officer = await login(court, "tongcheng.officer")
    answer = await court.post("/enforcement-cases/import", content=CSV, headers={**officer, "Content-Type": "text/csv"})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["created"], report["rejected"]) == (2, 4)
    by_row = {r["row"]: r for r in report["rows"]}
    assert by_row[2]["status"] == "created"  # with the second debtor from row 3
    assert by_row[4]["status"] == "created"
    assert by_row[5]["errors"][0]["type"] == "no_id_number"
    assert by_row[6]["errors"][0]["loc"] == ["amount_owed"]
    assert by_row[7]["errors"][0]["type"] == "case_of_other_court"
    assert by_row[8]["errors"][0]["type"] == "malformed_row"
    assert await rows(court, enforcement_cases) == 2
    case = (await court.get(f"/enforcement-cases/{by_row[2]['case_id']}", headers=officer)).json()
    assert [d["name"] for d in case["debtors"]] == ["黎某某", "黎某某之妻"]

    again = await court.post("/enforcement-cases/import", content=CSV, headers={**officer, "Content-Type": "text/csv"})
    assert again.status_code == 422, "nothing new: every row is a duplicate or bad"
    assert {r["errors"][0]["type"] for r in again.json()["rows"]} >= {"duplicate_case"}
    assert await rows(court, enforcement_cases) == 2


async def test_a_json_import_and_unreadable_imports(court: httpx.AsyncClient) -> None:
    officer = await login(court, "tongcheng.officer")
    answer = await court.post(
        "/enforcement-cases/import", json=[CASE, {**CASE, "case_number": "x"}, "junk"], headers=officer
    )
    assert answer.status_code == 200
    assert [r["status"] for r in answer.json()["rows"]] == ["created", "rejected", "rejected"]
    for body, content_type in (
        (b"[{", "application/json"),
        (b"{}", "application/json"),
        (b"a,b\n1,2\n", "text/csv"),
        (b"x", "application/xml"),
    ):
        bad = await court.post(
            "/enforcement-cases/import", content=body, headers={**officer, "Content-Type": content_type}
        )
        assert bad.status_code == 422
        assert bad.json()["error"]["code"] in ("unreadable_import", "unsupported_media_type")


async def test_screening_filters_by_closure_category_and_unpaid_amount(court: httpx.AsyncClient) -> None:
    officer = await login(court, "tongcheng.officer")
    await court.post("/enforcement-cases/import", content=CSV, headers={**officer, "Content-Type": "text/csv"})
    found = (
        await court.get(
            "/enforcement-cases",
            params={"category": "finance", "min_unpaid": 500000, "closed_since": "2022-01-01"},
            headers=officer,
        )
    ).json()
    assert [c["case_number"] for c in found["items"]] == ["(2023)鄂1222执12号"]
    assert found["items"][0]["unpaid"] == "700000.00"
    none = (await court.get("/enforcement-cases", params={"closed_since": "2024-01-01"}, headers=officer)).json()
    assert none["total"] == 0
    tongshan = await login(court, "tongshan.officer")
    assert (await court.get("/enforcement-cases", headers=tongshan)).json()["total"] == 0


async def test_evidence_is_checked_for_size_and_type_and_kept_by_digest(court: httpx.AsyncClient) -> None:
    officer = await login(court, "tongcheng.officer")
    case = (await court.post("/enforcement-cases", json=CASE, headers=officer)).json()
    lead = (await court.post(f"/enforcement-cases/{case['id']}/lead", json={"summary": "s"}, headers=officer)).json()
    form = {"evidence_class": "ability_to_perform", "evidence_type": "fund_flow"}

    async def upload(content: bytes, content_type: str, data: dict[str, str] = form) -> httpx.Response:
        return await court.post(
            f"/leads/{lead['id']}/evidence", files={"file": ("f", content, content_type)}, data=data, headers=officer
        )

    too_big = await upload(b"%PDF-" + b"0" * 5000, "application/pdf")
    assert (too_big.status_code, too_big.json()["error"]["code"]) == (413, "file_too_large")
    wrong = await upload(b"MZ\x90\x00 not a pdf", "application/pdf")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (415, "content_type_mismatch")
    exe = await upload(b"MZ\x90\x00", "application/x-msdownload")
    assert (exe.status_code, exe.json()["error"]["code"]) == (415, "unsupported_media_type")
    bad_class = await upload(PDF, "application/pdf", {"evidence_class": "rumour", "evidence_type": "fund_flow"})
    assert bad_class.status_code == 422
    assert await rows(court, evidence) == 0

    kept = await upload(PDF, "application/pdf")
    assert kept.status_code == 201
    assert kept.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    twice = await upload(PDF, "application/pdf")
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "duplicate_evidence")
    content = await court.get(f"/evidence/{hashlib.sha256(PDF).hexdigest()}", headers=officer)
    assert content.content == PDF
    other_unit = await court.get(
        f"/evidence/{hashlib.sha256(PDF).hexdigest()}", headers=await login(court, "tongshan.officer")
    )
    assert other_unit.status_code == 403


async def test_the_police_service_fetches_evidence_only_once_it_is_referred(court: httpx.AsyncClient) -> None:
    officer = await login(court, "tongcheng.officer")
    case = (await court.post("/enforcement-cases", json=CASE, headers=officer)).json()
    lead = (await court.post(f"/enforcement-cases/{case['id']}/lead", json={"summary": "s"}, headers=officer)).json()
    await court.post(
        f"/leads/{lead['id']}/evidence",
        files={"file": ("f.pdf", PDF, "application/pdf")},
        data={"evidence_class": "refusal", "evidence_type": "other"},
        headers=officer,
    )
    bad_client = await court.post("/auth/service-token", data={"client_id": "police", "client_secret": "guess"})
    assert bad_client.status_code == 401
    service = await court.post(
        "/auth/service-token",
        data={"client_id": "police", "client_secret": "development-only-client-secret-000000000000"},
    )
    police = {"Authorization": f"Bearer {service.json()['access_token']}"}
    digest = hashlib.sha256(PDF).hexdigest()
    assert (await court.get(f"/evidence/{digest}", headers=police)).status_code == 403
    assert (await court.get("/leads", headers=police)).status_code == 403, "a service token is not a staff login"
    judge = await login(court, "tongcheng.judge")
    suspected = {"conclusion": "suspected", "reasons": "有履行能力"}
    await court.post(f"/leads/{lead['id']}/assessment", json=suspected, headers=judge)
    await court.post(f"/leads/{lead['id']}/particulars", json=PARTICULARS, headers=officer)
    await serve_notice(court, lead["id"], officer)
    refer = {"override_reason": "紧急", "missing_evidence": NOT_YET_PROVED}
    referred = await court.post(f"/leads/{lead['id']}/referral", json=refer, headers=judge)
    assert referred.status_code == 201, referred.text
    fetched = await court.get(f"/evidence/{digest}", headers=police)
    assert fetched.status_code == 200
    assert fetched.content == PDF


async def test_a_payment_above_what_is_owed_without_a_reason_writes_nothing(court: httpx.AsyncClient) -> None:
    officer = await login(court, "tongcheng.officer")
    case = (await court.post("/enforcement-cases", json=CASE, headers=officer)).json()
    lead = (await court.post(f"/enforcement-cases/{case['id']}/lead", json={"summary": "s"}, headers=officer)).json()
    too_much = await court.post(
        f"/leads/{lead['id']}/payments",
        headers=officer,
        json={"amount": "350000.01", "paid_on": "2025-10-25", "channel": "bank_transfer"},
    )
    assert (too_much.status_code, too_much.json()["error"]["code"]) == (422, "payment_exceeds_owed")
    assert await rows(court, payments) == 0
    part = await court.post(
        f"/leads/{lead['id']}/payments",
        headers=officer,
        json={"amount": "1000", "paid_on": "2025-10-25", "channel": "wechat"},
    )
    assert part.json()["amount_paid"] == "1000.00"
    assert part.json()["status"] == "open"


async def test_a_settlement_keeps_its_instalment_plan(court: httpx.AsyncClient) -> None:
    officer = await login(court, "tongcheng.officer")
    case = (await court.post("/enforcement-cases", json=CASE, headers=officer)).json()
    lead = (await court.post(f"/enforcement-cases/{case['id']}/lead", json={"summary": "s"}, headers=officer)).json()
    plan = [{"due_on": "2025-11-10", "amount": "115000.00"}, {"due_on": "2025-12-10", "amount": "115000.00"}]
    settled = await court.post(
        f"/leads/{lead['id']}/settlements",
        headers=officer,
        json={"signed_on": "2025-10-25", "paid_now": "120000", "instalments": plan},
    )
    assert settled.status_code == 200, settled.text
    assert settled.json()["settlements"][0]["instalments"] == plan
    shown = (await court.get(f"/leads/{lead['id']}", headers=officer)).json()
    assert shown["settlements"][0]["instalments"] == plan, "the plan reads back from the database as it was signed"


async def test_a_public_tip_keeps_the_tipster_contact_private(court: httpx.AsyncClient) -> None:
    officer = await login(court, "tongcheng.officer")
    tip = {
        "enforcement_case_number": "(2024)鄂1222执123号",
        "source": "public_tip",
        "tip_channel": "hotline",
        "tipster_name": "匿名群众",
        "tipster_contact": "13912345678",
        "amount_owed": "10000",
        "summary": "举报被执行人将车辆登记在亲属名下",
        "suspects": [
            {"name": "黎某某", "kind": "person", "role": "debtor"},
            {"name": "黎某某之兄", "kind": "person", "role": "helper"},
        ],
    }
    created = await court.post("/leads", json=tip, headers=officer)
    assert created.status_code == 201, created.text
    shown = (await court.get(f"/leads/{created.json()['id']}", headers=officer)).text
    assert "13912345678" not in shown
    assert "139****5678" in shown
    no_channel = await court.post("/leads", json={**tip, "tip_channel": None}, headers=officer)
    assert (no_channel.status_code, no_channel.json()["error"]["code"]) == (422, "no_tip_channel")
    found = (await court.get("/leads", params={"q": "黎某某之兄"}, headers=officer)).json()
    assert found["total"] == 1
