"""The ops desk on the running services and the real broker: a dead-lettered event listed with its reason, replayed
(back through the consumer, whose inbox still guards), discarded with a reason; the outbox's state; only for
administrators."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from liandong.__main__ import main
from liandong.contracts import CaseFiledV1, Suspect
from liandong.contracts.common import PartyKind, SuspectRole
from liandong.envelope import Envelope, ProducerRef
from liandong.messaging.kafka import KafkaConnection
from tests.e2e.conftest import Stack, token
from tests.support.infra import wait_until
from tests.support.kafka_io import produce

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]


def forged_filing(correlation_id: str) -> bytes:
    """A filing about a referral the court never sent: the court's handler refuses it (poison)."""
    filed = CaseFiledV1(
        referral_id=f"no-such-referral-{uuid.uuid4()}",
        case_id=str(uuid.uuid4()),
        case_number="通公(经)立字〔2025〕999号",
        police_unit="421222",
        suspects=[Suspect(name="某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR)],
        filed_at=datetime.now(UTC),
        filed_by="tongcheng.head",
    )
    envelope = Envelope.wrap(
        filed,
        producer=ProducerRef(agency="police", unit="421222"),
        jurisdiction="421222",
        aggregate_id=filed.referral_id,
        correlation_id=correlation_id,
        occurred_at=datetime.now(UTC),
    )
    return envelope.model_dump_json().encode()


def test_dead_letters_are_listed_replayed_once_and_discarded_with_a_reason(
    stack: Stack, kafka: KafkaConnection
) -> None:
    admin = token(stack.court, "city.admin")
    matter = f"ops-{uuid.uuid4()}"
    asyncio.run(produce(kafka, "police.cases", [(matter.encode(), forged_filing(matter))]))
    ops = f"{stack.court.url}/ops"

    def letters() -> list[dict[str, Any]]:
        response = httpx.get(f"{ops}/dead-letters", params={"correlation_id": matter}, headers=admin, timeout=30)
        assert response.status_code == 200, response.text
        return list(response.json())

    wait_until(lambda: len(letters()) == 1, 30, message="the forged event dead-lettered")
    (letter,) = letters()
    assert (letter["event_type"], letter["reason"], letter["handled"]) == ("police.case.filed", "poison", None)
    shown = httpx.get(f"{ops}/dead-letters/{letter['id']}", headers=admin, timeout=30).json()
    assert '"event_type":"police.case.filed"' in shown["value"]

    staff = token(stack.court, "tongcheng.officer")
    assert httpx.get(f"{ops}/dead-letters", headers=staff, timeout=30).status_code == 403
    nothing = httpx.post(
        f"{ops}/dead-letters/replay",
        json={"correlation_id": "no-such-matter", "note": "重放"},
        headers=admin,
        timeout=30,
    )
    assert nothing.json()["error"]["code"] == "no_match"

    replayed = httpx.post(
        f"{ops}/dead-letters/replay", json={"ids": [letter["id"]], "note": "排查后重放"}, headers=admin, timeout=30
    )
    assert replayed.json() == {"replayed": [letter["id"]]}
    again = httpx.post(
        f"{ops}/dead-letters/replay", json={"ids": [letter["id"]], "note": "再次"}, headers=admin, timeout=30
    )
    assert again.json()["error"]["code"] == "already_replayed"
    # the replayed event went back through the court's consumer, which refused it again: a second letter
    wait_until(lambda: len(letters()) == 2, 30, message="the replayed event consumed again")
    first, second = sorted(letters(), key=lambda d: d["handled"] is None)
    assert first["handled"]["action"] == "replayed"
    assert first["handled"]["actor"] == "city.admin"
    unexplained = httpx.post(
        f"{ops}/dead-letters/discard", json={"id": second["id"], "reason": ""}, headers=admin, timeout=30
    )
    assert unexplained.status_code == 422
    discarded = httpx.post(
        f"{ops}/dead-letters/discard", json={"id": second["id"], "reason": "伪造事件，丢弃"}, headers=admin, timeout=30
    )
    assert discarded.json() == {"discarded": second["id"]}
    assert {d["handled"]["action"] for d in letters()} == {"replayed", "discarded"}

    outbox = httpx.get(f"{ops}/outbox", headers=admin, timeout=30).json()
    assert set(outbox) == {"unpublished", "oldest_age_seconds", "backing_off"}


def test_the_same_desk_from_the_command_line(
    stack: Stack, kafka: KafkaConnection, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    matter = f"ops-cli-{uuid.uuid4()}"
    asyncio.run(produce(kafka, "police.cases", [(matter.encode(), forged_filing(matter))]))
    for name, value in stack.court.env.items():  # the court's database and broker, as its operators would set them
        monkeypatch.setenv(name, value)

    def cli(*args: str) -> Any:
        capsys.readouterr()
        assert main(["dlq", "--service", "court", "--actor", "ops.wang", "--correlation-id", matter, *args]) == 0
        return json.loads(capsys.readouterr().out)

    wait_until(lambda: len(cli("list")) == 1, 30, message="the forged event dead-lettered")
    (letter,) = cli("list")
    assert cli("discard", letter["id"], "--reason", "伪造事件") == {"discarded": letter["id"]}
    (handled,) = cli("list")
    assert (handled["handled"]["action"], handled["handled"]["actor"]) == ("discarded", "cli:ops.wang")
    assert main(["dlq", "--service", "court", "--correlation-id", matter, "replay", letter["id"], "--note", "x"]) == 2
    assert main(["outbox", "--service", "court", "status"]) == 0


def test_a_letter_that_no_longer_parses_is_not_replayed(stack: Stack, kafka: KafkaConnection) -> None:
    admin = token(stack.police, "city.admin")
    garbage = f"not an envelope {uuid.uuid4()}".encode()
    asyncio.run(produce(kafka, "court.referrals", [(b"garbage", garbage)]))
    ops = f"{stack.police.url}/ops"

    def ours() -> list[dict[str, Any]]:
        items = httpx.get(f"{ops}/dead-letters", headers=admin, timeout=30).json()
        found = []
        for item in items:
            value = httpx.get(f"{ops}/dead-letters/{item['id']}", headers=admin, timeout=30).json()["value"]
            if value == garbage.decode():
                found.append(item)
        return found

    wait_until(lambda: len(ours()) == 1, 30, message="the garbage dead-lettered")
    (letter,) = ours()
    refused = httpx.post(
        f"{ops}/dead-letters/replay", json={"ids": [letter["id"]], "note": "重放"}, headers=admin, timeout=30
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "unparseable"
    assert ours()[0]["handled"] is None, "nothing was replayed or recorded"
