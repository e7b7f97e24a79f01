"""A mis-tagged event — the right units, another county's matter — on the running services and the real broker: the
court refuses to apply it (dead-lettered, the referral untouched), and the first county cannot read the other
county's matter."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from liandong.contracts import ReferralReceivedV1
from liandong.envelope import Envelope, ProducerRef
from liandong.messaging.kafka import KafkaConnection
from tests.e2e.conftest import Stack, serve_notice, token
from tests.e2e.test_referral_flow import refer_new_lead
from tests.support.infra import wait_until
from tests.support.kafka_io import produce
from tests.support.letters import PARTICULARS

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]


def chibi_lead(stack: Stack) -> str:
    """A lead of Chibi (421281) with its notice served: a matter of that county only."""
    officer = token(stack.court, "chibi.officer")
    body = {
        "enforcement_case_number": "(2024)鄂1281执77号",
        "suspects": [{"name": "陈某某", "kind": "person", "role": "debtor"}],
        "amount_owed": "120000.00",
        "summary": "拒不履行",
        **PARTICULARS,
    }
    lead = httpx.post(f"{stack.court.url}/leads", json=body, headers=officer)
    assert lead.status_code == 201, lead.text
    lead_id = str(lead.json()["id"])
    assessed = httpx.post(
        f"{stack.court.url}/leads/{lead_id}/assessment",
        json={"conclusion": "suspected", "reasons": "有履行能力"},
        headers=token(stack.court, "chibi.judge"),
    )
    assert assessed.status_code == 200, assessed.text
    serve_notice(stack, lead_id, officer)
    return lead_id


def receipt_in_matter(referral_id: str, correlation_id: str) -> bytes:
    """Tongcheng's police acknowledging Tongcheng's referral — its units all right — under another matter's id."""
    receipt = ReferralReceivedV1(
        referral_id=referral_id,
        police_unit="421222",
        receipt_number="通公受字〔2025〕1号",
        received_at=datetime.now(UTC),
        registered_by="tongcheng.investigator",
    )
    envelope = Envelope.wrap(
        receipt,
        producer=ProducerRef(agency="police", unit="421222"),
        jurisdiction="421222",
        aggregate_id=referral_id,
        correlation_id=correlation_id,
        occurred_at=datetime.now(UTC),
    )
    return envelope.model_dump_json().encode()


def test_an_event_tagged_with_another_countys_matter_is_refused_and_opens_nothing(
    stack: Stack, kafka: KafkaConnection
) -> None:
    tongcheng = token(stack.court, "tongcheng.officer")
    referral = refer_new_lead(stack, tongcheng, 4000 + uuid.uuid4().int % 1000)
    other_matter = chibi_lead(stack)
    forged = receipt_in_matter(referral["id"], other_matter)
    asyncio.run(produce(kafka, "police.referrals", [(referral["id"].encode(), forged)]))

    admin = token(stack.court, "city.admin")

    def letters() -> list[dict[str, Any]]:
        response = httpx.get(
            f"{stack.court.url}/ops/dead-letters", params={"correlation_id": other_matter}, headers=admin, timeout=30
        )
        assert response.status_code == 200, response.text
        return list(response.json())

    wait_until(lambda: len(letters()) == 1, 60, message="the mis-tagged receipt dead-lettered")
    (letter,) = letters()
    assert (letter["event_type"], letter["reason"]) == ("police.referral.received", "poison")
    assert referral["lead_id"] in letter["error"], "the letter names the matter the referral belongs to"

    shown = httpx.get(f"{stack.court.url}/referrals/{referral['id']}", headers=tongcheng)
    assert (shown.json()["status"], shown.json()["receipt_number"]) == ("submitted", None), "nothing of it applied"
    timeline = f"{stack.court.url}/matters/{other_matter}/timeline"
    refused = httpx.get(timeline, headers=tongcheng)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert httpx.get(timeline, headers=token(stack.court, "chibi.officer")).status_code == 200
    assert httpx.get(timeline, headers=admin).status_code == 200, "the city sees every county's matter"
