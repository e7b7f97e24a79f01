"""A breach at the police reaches the court and the procuratorate, over the real broker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack, court_now, pass_window, token
from tests.support.infra import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]


def test_a_police_breach_is_seen_by_the_court_and_the_procuratorate(stack: Stack) -> None:
    supervisor = token(stack.police, "tongcheng.supervisor")
    court = token(stack.court, "tongcheng.officer")
    other_court = token(stack.court, "tongshan.officer")
    procuratorate = token(stack.procuratorate, "tongcheng.prosecutor")

    received = (court_now(stack) - timedelta(days=30)).isoformat()  # a referral left undecided for a month
    started = httpx.post(
        f"{stack.police.url}/deadlines",
        json={
            "kind": "police_filing_decision",
            "subject_type": "referral",
            "subject_id": "ref-e2e-breach",
            "correlation_id": "lead-e2e-breach",
            "start": received,
        },
        headers=supervisor,
    )
    assert started.status_code == 201, started.text
    deadline_id = started.json()["id"]
    pass_window(stack, started.json())  # a month is past any window's end; should holidays say otherwise, move on

    def police_state() -> str:
        state: str = httpx.get(f"{stack.police.url}/deadlines/{deadline_id}", headers=supervisor).json()["state"]
        return state

    wait_until(lambda: police_state() == "breached", 15, message="the police tracker firing the breach")

    def breaches(service_url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
        response = httpx.get(f"{service_url}/deadlines/received-breaches", headers=headers)
        response.raise_for_status()
        return [b for b in response.json()["items"] if b["deadline_id"] == deadline_id]

    wait_until(lambda: len(breaches(stack.court.url, court)) == 1, 15, message="the court receiving the breach")
    wait_until(
        lambda: len(breaches(stack.procuratorate.url, procuratorate)) == 1,
        15,
        message="the procuratorate receiving the breach",
    )
    (seen,) = breaches(stack.court.url, court)
    assert seen["agency"] == "police"
    assert seen["kind"] == "police_filing_decision"
    assert seen["late"] is True, "it fell due long before the tracker saw it"
    assert seen["correlation_id"] == "lead-e2e-breach"
    assert seen["legal_basis"].startswith("法发〔2025〕8号")
    assert breaches(stack.court.url, other_court) == [], "Tongshan's court does not see Tongcheng's breaches"
