"""The stories of the Xianning article, end to end: three services as processes on a real broker, HTTP only."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import (
    Stack,
    advance_clocks,
    court_now,
    pass_window,
    serve_notice,
    service_day,
    token,
    window_of,
)
from tests.support.infra import wait_until
from tests.support.letters import ENFORCEMENT_BASIS, NOT_YET_PROVED, PARTICULARS

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

WECHAT_FLOW = b"%PDF-1.4\n% WeChat fund flow of the debtor, 2024-2025\n" + uuid.uuid4().bytes + b"\n%%EOF\n"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json()


def case_body(number: str, unit: str, debtor: str, owed: str) -> dict[str, Any]:
    return {
        "unit": unit,
        "case_number": number,
        "creditor": "洪某某",
        "debtors": [{"name": debtor, "kind": "person", "id_number": "42122219800101123X"}],
        "amount_owed": owed,
        "closure_type": "terminated",
        "closure_date": "2024-06-30",
        "focus_categories": ["livelihood"],
    }


def lead_with_evidence(stack: Stack, officer: dict[str, str], number: str, unit: str, owed: str) -> dict[str, Any]:
    """Import a 终本 case, put it in the lead database, attach the WeChat fund flow."""
    case = ok(
        httpx.post(f"{stack.court.url}/enforcement-cases", json=case_body(number, unit, "熊某", owed), headers=officer),
        201,
    )
    lead = ok(
        httpx.post(
            f"{stack.court.url}/enforcement-cases/{case['id']}/lead",
            json={"summary": "微信账号流水数额较大，有履行能力而拒不履行", "enforcement_basis": ENFORCEMENT_BASIS},
            headers=officer,
        ),
        201,
    )
    evidence = ok(
        httpx.post(
            f"{stack.court.url}/leads/{lead['id']}/evidence",
            files={"file": ("微信流水.pdf", WECHAT_FLOW, "application/pdf")},
            data={"evidence_class": "ability_to_perform", "evidence_type": "wechat_transfer"},
            headers=officer,
        ),
        201,
    )
    assert evidence["sha256"] == hashlib.sha256(WECHAT_FLOW).hexdigest()
    return dict(lead)


def court_deadlines(stack: Stack, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(httpx.get(f"{stack.court.url}/deadlines", params=params, headers=headers))["items"]
    return items


def test_chibi_the_debtor_pays_within_five_days_and_nothing_is_referred(stack: Stack) -> None:
    officer = token(stack.court, "chibi.officer")
    city_police = token(stack.police, "city.supervisor")
    lead = lead_with_evidence(stack, officer, "(2023)鄂1281执456号", "421281", "86000.00")

    served = ok(
        httpx.post(
            f"{stack.court.url}/leads/{lead['id']}/notice",
            json={"served_at": court_now(stack).isoformat(), "notice_number": "赤法告〔2025〕7号"},
            headers=officer,
        )
    )
    assert served["status"] == "notice_served"
    (window,) = court_deadlines(stack, officer, subject_id=lead["id"])
    assert (window["kind"], window["state"]) == ("debtor_performance", "running")

    paid = ok(
        httpx.post(
            f"{stack.court.url}/leads/{lead['id']}/payments",
            json={"amount": "86000.00", "paid_on": service_day(stack), "channel": "court_account"},
            headers=officer,
        )
    )
    assert paid["status"] == "performed"
    assert paid["performance_kind"] == "paid_in_full"
    (window,) = court_deadlines(stack, officer, subject_id=lead["id"])
    assert window["state"] == "met"
    assert paid["referrals"] == []
    inbox = ok(httpx.get(f"{stack.police.url}/referrals", params={"limit": 200}, headers=city_police))["items"]
    assert all(r["lead_id"] != lead["id"] for r in inbox), "nothing was referred"


def test_tongcheng_referral_filing_then_payment_and_settlement_reach_police_and_procuratorate(stack: Stack) -> None:
    officer = token(stack.court, "tongcheng.officer")
    judge = token(stack.court, "tongcheng.judge")
    investigator = token(stack.police, "tongcheng.investigator")
    prosecutor = token(stack.procuratorate, "tongcheng.prosecutor")
    lead = lead_with_evidence(stack, officer, "(2024)鄂1222执123号", "421222", "350000.00")

    ok(
        httpx.post(
            f"{stack.court.url}/leads/{lead['id']}/assessment",
            json={"conclusion": "suspected", "reasons": "有履行能力而拒不履行，情节严重"},
            headers=judge,
        )
    )
    ok(
        httpx.post(
            f"{stack.court.url}/leads/{lead['id']}/notice",
            json={"served_at": court_now(stack).isoformat(), "notice_number": "通法告〔2025〕3号"},
            headers=officer,
        )
    )
    # the debtor's five days pass without performance (to the window's end: weekends and holidays roll it on)
    pass_window(stack, window_of(stack.court, officer, lead["id"], "debtor_performance"))
    # tokens are judged by the services' clocks: six days on, staff log in again
    officer = token(stack.court, "tongcheng.officer")
    investigator = token(stack.police, "tongcheng.investigator")
    prosecutor = token(stack.procuratorate, "tongcheng.prosecutor")
    letter = {"missing_evidence": {c: "调取中" for c in NOT_YET_PROVED if c != "ability_to_perform"}}
    referral = ok(httpx.post(f"{stack.court.url}/leads/{lead['id']}/referral", json=letter, headers=officer), 201)
    assert referral["letter_number"].startswith("(")

    def police_view() -> dict[str, Any]:
        response = httpx.get(f"{stack.police.url}/referrals/{referral['id']}", headers=investigator)
        return dict(response.json()) if response.status_code == 200 else {}

    wait_until(lambda: police_view().get("status") == "awaiting_registration", 10, message="the referral arriving")
    ok(httpx.post(f"{stack.police.url}/referrals/{referral['id']}/registration", headers=investigator))
    wait_until(
        lambda: police_view()["evidence_items"][0]["status"] == "fetched",
        15,
        message="the evidence fetched from the court and verified",
    )
    content = httpx.get(
        f"{stack.police.url}/referrals/{referral['id']}/evidence/{hashlib.sha256(WECHAT_FLOW).hexdigest()}",
        headers=investigator,
    )
    assert content.content == WECHAT_FLOW
    assert content.headers["content-disposition"].startswith("attachment"), "never shown inline"
    assert content.headers["x-content-type-options"] == "nosniff"
    assert content.headers["content-type"] == "application/pdf", "the type the court recorded from the bytes"

    proposed = ok(
        httpx.post(
            f"{stack.police.url}/referrals/{referral['id']}/decision",
            json={"decision": "file", "case_number": "通公(经)立字〔2025〕123号"},
            headers=investigator,
        )
    )
    assert proposed["status"] == "decision_proposed", "an investigator proposes; the head decides"
    filed = approve(stack, referral["id"])
    assert filed["status"] == "filed"
    assert filed["filed_by"] == "tongcheng.head"
    again = httpx.post(
        f"{stack.police.url}/referrals/{referral['id']}/decision",
        json={"decision": "decline", "reasons": "情节显著轻微"},
        headers=investigator,
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_decided"

    def court_referral() -> dict[str, Any]:
        return dict(ok(httpx.get(f"{stack.court.url}/referrals/{referral['id']}", headers=officer)))

    wait_until(lambda: court_referral()["status"] == "filed", 10, message="the court seeing the filing")
    assert court_referral()["police_case_number"] == "通公(经)立字〔2025〕123号"
    mirror = court_deadlines(stack, officer, subject_id=referral["id"], kind="police_filing_decision")
    assert [m["state"] for m in mirror] == ["met"]

    # the next day the debtor pays ¥120,000 and settles the rest in instalments
    advance_clocks(stack, 86400)
    officer = token(stack.court, "tongcheng.officer")
    investigator = token(stack.police, "tongcheng.investigator")
    prosecutor = token(stack.procuratorate, "tongcheng.prosecutor")
    settled = ok(
        httpx.post(
            f"{stack.court.url}/leads/{lead['id']}/settlements",
            json={
                "signed_on": service_day(stack),
                "paid_now": "120000.00",
                "instalments": [
                    {"due_on": service_day(stack, 30), "amount": "115000.00"},
                    {"due_on": service_day(stack, 60), "amount": "115000.00"},
                ],
            },
            headers=officer,
        )
    )
    assert settled["status"] == "settled", "a settlement suspends enforcement; it closes only when performed"
    assert settled["amount_paid"] == "120000.00"
    assert settled["recovered"] == "120000.00"

    wait_until(
        lambda: (police_view().get("performance") or {}).get("kind") == "settled",
        10,
        message="the police receiving the performance",
    )
    assert police_view()["performance"]["paid_now"] == "120000.00"

    def timeline() -> list[str]:
        response = httpx.get(f"{stack.procuratorate.url}/matters/{lead['id']}", headers=prosecutor)
        return [e["event_type"] for e in response.json()["timeline"]] if response.status_code == 200 else []

    wait_until(lambda: "court.enforcement.performed" in timeline(), 10, message="the procuratorate's timeline")
    assert "police.case.opened" in timeline(), "the filing opens the bureau's case"
    assert [t for t in timeline() if t != "police.case.opened"][:4] == [
        "court.referral.submitted",
        "police.referral.received",
        "police.case.filed",
        "court.enforcement.performed",
    ]

    # the first instalment is not paid: enforcement resumes, and the police and procuratorate are told
    resumed = ok(
        httpx.post(
            f"{stack.court.url}/leads/{lead['id']}/settlement-default",
            json={"reason": "第一期分期款逾期未付"},
            headers=officer,
        )
    )
    assert resumed["status"] == "filed", "back to where the lead stood"
    assert resumed["settlements"][0]["default_reason"] == "第一期分期款逾期未付"
    wait_until(
        lambda: "resumed" in (police_view().get("performance") or {}), 10, message="the police told of the default"
    )
    wait_until(lambda: "court.enforcement.resumed" in timeline(), 10, message="the default on the timeline")


def approve(stack: Stack, referral_id: str) -> dict[str, Any]:
    """The bureau head approves the investigator's proposal (MPS Rules Art. 178)."""
    head = token(stack.police, "tongcheng.head")
    url = f"{stack.police.url}/referrals/{referral_id}/decision/approval"
    return dict(ok(httpx.post(url, json={"approve": True}, headers=head)))


def referred(stack: Stack, number: str) -> dict[str, Any]:
    officer = token(stack.court, "tongcheng.officer")
    lead = ok(
        httpx.post(
            f"{stack.court.url}/leads",
            json={
                "enforcement_case_number": number,
                "amount_owed": "50000.00",
                "summary": "拒不履行",
                "suspects": [{"name": "陈某某", "kind": "person", "role": "debtor"}],
                **PARTICULARS,
            },
            headers=officer,
        ),
        201,
    )
    judge = token(stack.court, "tongcheng.judge")
    suspected = {"conclusion": "suspected", "reasons": "有履行能力"}
    ok(httpx.post(f"{stack.court.url}/leads/{lead['id']}/assessment", json=suspected, headers=judge))
    serve_notice(stack, lead["id"], officer)
    referral = ok(
        httpx.post(
            f"{stack.court.url}/leads/{lead['id']}/referral",
            json={"override_reason": "已查明转移财产", "missing_evidence": NOT_YET_PROVED},
            headers=judge,
        ),
        201,
    )
    investigator = token(stack.police, "tongcheng.investigator")
    wait_until(
        lambda: httpx.get(f"{stack.police.url}/referrals/{referral['id']}", headers=investigator).status_code == 200,
        10,
        message="the referral arriving",
    )
    return dict(referral)


def test_a_decline_with_reasons_reaches_the_court(stack: Stack) -> None:
    officer = token(stack.court, "tongcheng.officer")
    investigator = token(stack.police, "tongcheng.investigator")
    tongshan = token(stack.police, "tongshan.investigator")
    referral = referred(stack, "(2024)鄂1222执201号")
    denied = httpx.post(f"{stack.police.url}/referrals/{referral['id']}/registration", headers=tongshan)
    assert denied.status_code == 403, "Tongshan's police cannot act on Tongcheng's referral"
    ok(httpx.post(f"{stack.police.url}/referrals/{referral['id']}/registration", headers=investigator))
    ok(
        httpx.post(
            f"{stack.police.url}/referrals/{referral['id']}/decision",
            json={"decision": "decline", "reasons": "现有证据不足以证明有能力执行而拒不执行"},
            headers=investigator,
        )
    )
    declined = approve(stack, referral["id"])
    assert declined["status"] == "declined"
    ok(httpx.post(f"{stack.police.url}/referrals/{referral['id']}/non-filing-notice", json={}, headers=investigator))

    def court_view() -> dict[str, Any]:
        return dict(ok(httpx.get(f"{stack.court.url}/referrals/{referral['id']}", headers=officer)))

    wait_until(lambda: court_view()["status"] == "declined", 10, message="the decline reaching the court")
    assert court_view()["decline_reasons"] == "现有证据不足以证明有能力执行而拒不执行"
    lead = ok(httpx.get(f"{stack.court.url}/leads/{referral['lead_id']}", headers=officer))
    assert lead["status"] == "declined"


def test_an_extension_moves_the_police_window_and_the_court_mirror(stack: Stack) -> None:
    officer = token(stack.court, "tongcheng.officer")
    investigator = token(stack.police, "tongcheng.investigator")
    supervisor = token(stack.police, "tongcheng.supervisor")
    referral = referred(stack, "(2024)鄂1222执202号")
    ok(httpx.post(f"{stack.police.url}/referrals/{referral['id']}/registration", headers=investigator))
    wait_until(
        lambda: len(court_deadlines(stack, officer, subject_id=referral["id"])) == 1,
        10,
        message="the court's mirror starting at the receipt",
    )
    assert (
        httpx.post(
            f"{stack.police.url}/referrals/{referral['id']}/extension",
            json={"reason": "案情复杂"},
            headers=investigator,
        ).status_code
        == 403
    ), "only a supervisor approves an extension"
    ok(
        httpx.post(
            f"{stack.police.url}/referrals/{referral['id']}/extension",
            json={"reason": "涉案财产线索复杂"},
            headers=supervisor,
        )
    )
    police_windows = ok(
        httpx.get(f"{stack.police.url}/deadlines", params={"subject_id": referral["id"]}, headers=supervisor)
    )["items"]
    (police_window,) = police_windows
    assert police_window["window"] == 30
    wait_until(
        lambda: court_deadlines(stack, officer, subject_id=referral["id"])[0]["window"] == 30,
        10,
        message="the court's mirror extended",
    )
    (mirror,) = court_deadlines(stack, officer, subject_id=referral["id"])
    assert mirror["due_at"] == police_window["due_at"]


def test_a_referral_left_undecided_breaches_on_both_sides(stack: Stack) -> None:
    officer = token(stack.court, "tongcheng.officer")
    investigator = token(stack.police, "tongcheng.investigator")
    referral = referred(stack, "(2024)鄂1222执203号")
    ok(httpx.post(f"{stack.police.url}/referrals/{referral['id']}/registration", headers=investigator))
    wait_until(
        lambda: len(court_deadlines(stack, officer, subject_id=referral["id"])) == 1,
        10,
        message="the court's mirror starting",
    )

    # silence until the police's filing window runs out, however long weekends and holidays make it
    pass_window(stack, window_of(stack.police, investigator, referral["id"], "police_filing_decision"))
    officer = token(stack.court, "tongcheng.officer")  # a new day's login: yesterday's tokens have expired
    investigator = token(stack.police, "tongcheng.investigator")

    def police_state() -> str:
        items = ok(
            httpx.get(f"{stack.police.url}/deadlines", params={"subject_id": referral["id"]}, headers=investigator)
        )["items"]
        return str(items[0]["state"])

    wait_until(lambda: police_state() == "breached", 15, message="the police window breached")
    wait_until(
        lambda: court_deadlines(stack, officer, subject_id=referral["id"])[0]["state"] == "breached",
        15,
        message="the court's mirror breached",
    )

    def court_received() -> list[dict[str, Any]]:
        items = ok(httpx.get(f"{stack.court.url}/deadlines/received-breaches", params={"limit": 200}, headers=officer))[
            "items"
        ]
        return [b for b in items if b["subject_id"] == referral["id"]]

    wait_until(lambda: len(court_received()) == 1, 15, message="the police breach reaching the court")
    assert court_received()[0]["agency"] == "police"


def test_the_court_withdraws_a_referral_before_the_police_decide(stack: Stack) -> None:
    officer = token(stack.court, "tongcheng.officer")
    investigator = token(stack.police, "tongcheng.investigator")
    referral = referred(stack, "(2024)鄂1222执204号")
    ok(httpx.post(f"{stack.police.url}/referrals/{referral['id']}/registration", headers=investigator))
    withdrawn = ok(
        httpx.post(
            f"{stack.court.url}/referrals/{referral['id']}/withdrawal",
            json={"reason": "被执行人已全部履行"},
            headers=officer,
        )
    )
    assert withdrawn["status"] == "withdrawn"

    def police_status() -> str:
        return str(ok(httpx.get(f"{stack.police.url}/referrals/{referral['id']}", headers=investigator))["status"])

    wait_until(lambda: police_status() == "withdrawn", 10, message="the withdrawal reaching the police")
    windows = ok(
        httpx.get(f"{stack.police.url}/deadlines", params={"subject_id": referral["id"]}, headers=investigator)
    )["items"]
    assert [w["state"] for w in windows] == ["cancelled"]
    late = httpx.post(
        f"{stack.police.url}/referrals/{referral['id']}/decision", json={"decision": "file"}, headers=investigator
    )
    assert late.status_code == 409
