"""The three services as real processes on a real broker, driven over HTTP only."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from liandong.devstack import ServiceProcess
from tests.e2e.conftest import Stack, serve_notice, token
from tests.support.infra import wait_until
from tests.support.letters import NOT_YET_PROVED, PARTICULARS

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]


def lead_body(case_number: int) -> dict[str, Any]:
    return {
        "enforcement_case_number": f"(2024)鄂1222执{case_number}号",
        "suspects": [{"name": "黎某某", "kind": "person", "role": "debtor", "id_number": "42122219800101123X"}],
        "amount_owed": "350000.00",
        "summary": "被执行人有履行能力而拒不履行，经告知后仍未履行",
        **PARTICULARS,
    }


def refer_new_lead(stack: Stack, headers: dict[str, str], case_number: int) -> dict[str, Any]:
    """A lead referred at once on a criminal judge's written override (the full path is in test_stories)."""
    lead = httpx.post(f"{stack.court.url}/leads", json=lead_body(case_number), headers=headers)
    assert lead.status_code == 201, lead.text
    assessed = httpx.post(
        f"{stack.court.url}/leads/{lead.json()['id']}/assessment",
        json={"conclusion": "suspected", "reasons": "有履行能力而拒不履行"},
        headers=token(stack.court, "tongcheng.judge"),
    )
    assert assessed.status_code == 200, assessed.text
    serve_notice(stack, lead.json()["id"], headers)
    referral = httpx.post(
        f"{stack.court.url}/leads/{lead.json()['id']}/referral",
        json={"override_reason": "被执行人正在转移财产，需立即移送", "missing_evidence": NOT_YET_PROVED},
        headers={**token(stack.court, "tongcheng.judge"), "Idempotency-Key": f"refer-{lead.json()['id']}"},
    )
    assert referral.status_code == 201, referral.text
    body: dict[str, Any] = referral.json()
    return body


def police_inbox(stack: Stack, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = httpx.get(f"{stack.police.url}/referrals", params={"limit": 200}, headers=headers)
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_referral_reaches_the_police_and_the_receipt_comes_back(stack: Stack) -> None:
    court = token(stack.court, "tongcheng.officer")
    police = token(stack.police, "tongcheng.investigator")
    tongshan_police = token(stack.police, "tongshan.investigator")
    procuratorate = token(stack.procuratorate, "tongcheng.prosecutor")

    referral = refer_new_lead(stack, court, 123)
    referred_at = time.monotonic()
    wait_until(
        lambda: any(r["id"] == referral["id"] for r in police_inbox(stack, police)),
        2.0,
        message="the referral in the Tongcheng police inbox within 2 s",
    )
    arrival = time.monotonic() - referred_at
    assert arrival < 2.0
    assert police_inbox(stack, tongshan_police) == [], "Tongshan's police never see Tongcheng's referrals"

    registered = httpx.post(f"{stack.police.url}/referrals/{referral['id']}/registration", headers=police)
    assert registered.status_code == 200, registered.text
    receipt = registered.json()
    assert receipt["receipt_number"].startswith("通城公（刑）受字〔")
    again = httpx.post(f"{stack.police.url}/referrals/{referral['id']}/registration", headers=police)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_registered"

    def court_view() -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"{stack.court.url}/referrals/{referral['id']}", headers=court).json()
        return body

    wait_until(lambda: court_view()["status"] == "received", 10, message="the court showing the police receipt")
    shown = court_view()
    assert shown["receipt_number"] == receipt["receipt_number"]
    assert shown["received_at"] == receipt["registered_at"]
    lead = httpx.get(f"{stack.court.url}/leads/{referral['lead_id']}", headers=court).json()
    assert lead["status"] == "received_by_police"

    def timeline() -> list[dict[str, Any]]:
        response = httpx.get(f"{stack.procuratorate.url}/matters/{referral['lead_id']}", headers=procuratorate)
        return response.json()["timeline"] if response.status_code == 200 else []

    wait_until(lambda: len(timeline()) == 2, 10, message="both hand-offs on the procuratorate's timeline")
    assert [e["event_type"] for e in timeline()] == ["court.referral.submitted", "police.referral.received"]

    # each service's audit trail: the acts of its staff, and the other agency's events as that agency's acts
    def trail(service: ServiceProcess, reader: str) -> list[tuple[str, str, str]]:
        response = httpx.get(
            f"{service.url}/audit", params={"subject_id": referral["id"]}, headers=token(service, reader)
        )
        assert response.status_code == 200, response.text
        return [(e["actor"], e["unit"], e["action"]) for e in response.json()["items"]]

    assert trail(stack.court, "city.admin") == [
        ("tongcheng.judge", "421222", "POST /leads/{lead_id}/referral"),
        ("event:police", "421222", "police.referral.received"),
    ]
    assert trail(stack.police, "city.supervisor") == [
        ("event:court", "421222", "court.referral.submitted"),
        ("tongcheng.investigator", "421222", "POST /referrals/{referral_id}/registration"),
    ]


def test_referrals_made_while_the_police_service_is_killed_arrive_once_each_after_restart(stack: Stack) -> None:
    court = token(stack.court, "tongcheng.officer")
    police = token(stack.police, "tongcheng.investigator")
    before = {r["id"] for r in police_inbox(stack, police)}

    stack.police.kill()  # SIGKILL: no shutdown, no final commits
    referred = [refer_new_lead(stack, court, 500 + i)["id"] for i in range(10)]
    stack.police.start()
    stack.police.wait_ready(90)
    police = token(stack.police, "tongcheng.investigator")

    def arrived() -> list[str]:
        return [r["id"] for r in police_inbox(stack, police) if r["id"] not in before]

    wait_until(lambda: len(arrived()) >= 10, 60, message="the 10 referrals in the police inbox")
    ids = arrived()
    assert sorted(ids) == sorted(referred)
    assert len(ids) == len(set(ids)) == 10
    assert all(r["status"] == "awaiting_registration" for r in police_inbox(stack, police) if r["id"] in referred)
