"""PostgreSQL failing under the three services while referrals flow: a clean restart, then the server stopped for 20
seconds. Every staff request is answered — 2xx, or 503 with Retry-After while the database is away — on a connection
that stays open; a request resent under its Idempotency-Key is never stuck; each service is healthy again within 10
seconds of the database's return; and every referral reaches the police exactly once."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from liandong.messaging.kafka import KafkaConnection
from tests.bench.infra import databases
from tests.e2e.conftest import Stack, court_now, running_stack, token
from tests.support.infra import LocalPostgres, wait_until
from tests.support.letters import NOT_YET_PROVED, PARTICULARS, notice

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]

OUTAGE_SECONDS = 20.0
HEALTHY_WITHIN_SECONDS = 10.0
# A commit cut off by the server's shutdown may have been applied or not: the service cannot know, and a resend of
# its key waits (in progress, with Retry-After), then learns what the act changed. Those are answers, not failures.
UNKNOWN_OUTCOME = {"idempotency_request_in_progress", "idempotency_response_lost"}


@dataclass
class Flow:
    """Referrals made one after another by a court's staff over one keep-alive connection, each act resent under its
    Idempotency-Key after a 503 until it is answered."""

    court: str
    officer: dict[str, str]
    judge: dict[str, str]
    clock_offset: timedelta  # the court's clock ahead of the machine's (not moved during the run)
    answers: Counter[str] = field(default_factory=Counter)
    dropped: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def act(self, client: httpx.Client, path: str, headers: dict[str, str], body: dict[str, Any]) -> Any:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        give_up = time.monotonic() + 120
        while time.monotonic() < give_up:
            try:
                response = client.post(f"{self.court}{path}", json=body, headers={**headers, **key})
            except httpx.TransportError as exc:  # no answer at all: the failure this test exists to catch
                self.dropped.append(f"{path}: {exc!r}")
                continue
            code = response.json().get("error", {}).get("code", "") if response.status_code >= 400 else ""
            self.answers[f"{response.status_code} {code}".strip()] += 1
            if response.status_code < 300:
                return response.json()
            if code == "idempotency_response_lost":  # applied, its answer lost: what it changed, by type
                return {c["type"]: c["id"] for c in response.json()["error"]["details"]["changed"]}
            if (response.status_code == 503 and response.headers.get("retry-after")) or code in UNKNOWN_OUTCOME:
                time.sleep(min(float(response.headers.get("retry-after", "1")), 1.0))  # the client's own backoff
                continue
            raise AssertionError(f"{path}: {response.status_code} {response.text}")
        self.stuck.append(path)
        return None

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            n = 0
            while not self.stop.is_set():
                n += 1
                lead = self.act(client, "/leads", self.officer, lead_body(n))
                lead_id = lead and (lead.get("id") or lead.get("Lead"))
                if not lead_id:
                    continue
                path = f"/leads/{lead_id}"
                self.act(client, f"{path}/assessment", self.judge, {"conclusion": "suspected", "reasons": "有能力"})
                now = (datetime.now(UTC) + self.clock_offset).isoformat()
                self.act(client, f"{path}/notice", self.officer, notice(lead_id, now))
                letter = {"override_reason": "转移财产", "missing_evidence": NOT_YET_PROVED}
                referral = self.act(client, f"{path}/referral", self.judge, letter)
                referral_id = referral and (referral.get("id") or referral.get("Referral"))
                if referral_id:
                    self.referrals.append(referral_id)


def lead_body(n: int) -> dict[str, Any]:
    return {
        "enforcement_case_number": f"(2024)鄂1222执{9000 + n}号",
        "amount_owed": "50000.00",
        "summary": "拒不履行",
        "suspects": [{"name": f"被执行人{n}", "kind": "person", "role": "debtor"}],
        **PARTICULARS,
    }


@pytest.fixture
def postgres() -> Iterator[LocalPostgres]:
    server = LocalPostgres()
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def pg_stack(kafka: KafkaConnection, postgres: LocalPostgres, tmp_path: Path) -> Iterator[Stack]:
    with databases(postgres.admin_url, 3) as urls:
        named = dict(zip(("court", "police", "procuratorate"), urls, strict=True))
        with running_stack(kafka, named, tmp_path, sla_tick_seconds="0.5") as stack:
            yield stack


def settled(stack: Stack) -> bool:
    """Nothing left to publish or to consume (the next test's services join the same consumer groups)."""
    for service in stack.all():
        health = httpx.get(f"{service.url}/healthz", timeout=5).json()
        lags = [c.get("lag") or 0 for c in health.get("consumers", {}).values()]
        if health["outbox"]["pending"] or any(lags):
            return False
    return True


def healthy(stack: Stack) -> bool:
    try:
        return all(httpx.get(f"{s.url}/healthz", timeout=5).json()["status"] == "ok" for s in stack.all())
    except (httpx.HTTPError, ValueError, KeyError):
        return False


def test_a_restart_and_a_stopped_database_lose_and_drop_nothing(pg_stack: Stack, postgres: LocalPostgres) -> None:
    stack = pg_stack
    officer, judge = token(stack.court, "tongcheng.officer"), token(stack.court, "tongcheng.judge")
    flow = Flow(stack.court.url, officer, judge, court_now(stack) - datetime.now(UTC))
    driver = threading.Thread(target=flow.run, name="referral-flow")
    driver.start()
    try:
        wait_until(lambda: len(flow.referrals) >= 3, 60, message="referrals flowing")
        postgres.restart()  # pg_ctl restart -m fast
        before = len(flow.referrals)
        wait_until(lambda: len(flow.referrals) > before + 2, 60, message="referrals flowing after the restart")

        postgres.stop()
        stopped_at = time.monotonic()
        wait_until(lambda: flow.answers["503 database_busy"] > 0, 30, message="staff told to retry")
        wait_until(lambda: time.monotonic() - stopped_at >= OUTAGE_SECONDS, OUTAGE_SECONDS + 5, interval=0.5)
        postgres.start()
        back_at = time.monotonic()
        wait_until(lambda: healthy(stack), 30, message="every service healthy again")
        healthy_after = time.monotonic() - back_at
        before = len(flow.referrals)
        wait_until(lambda: len(flow.referrals) > before + 2, 60, message="referrals flowing after the outage")
    finally:
        flow.stop.set()
        driver.join(180)

    assert flow.dropped == [], "every request was answered on its connection"
    assert flow.stuck == [], "no Idempotency-Key stayed stuck"
    assert set(flow.answers) <= {"200", "201", "503 database_busy", *(f"409 {c}" for c in UNKNOWN_OUTCOME)}, (
        flow.answers
    )
    assert flow.answers["503 database_busy"] > 0
    assert healthy_after <= HEALTHY_WITHIN_SECONDS, f"healthy {healthy_after:.1f} s after the database came back"

    supervisor = token(stack.police, "city.supervisor")

    def at_police() -> list[str]:
        items: list[str] = []
        while True:
            page = httpx.get(
                f"{stack.police.url}/referrals", params={"limit": 200, "offset": len(items)}, headers=supervisor
            ).json()
            items += [r["id"] for r in page["items"]]
            if len(items) >= page["total"] or not page["items"]:
                return items

    wait_until(lambda: len(at_police()) >= len(flow.referrals), 60, message="every referral at the police")
    received = at_police()
    assert sorted(received) == sorted(flow.referrals), "each referral reached the police exactly once"
    wait_until(lambda: settled(stack), 60, message="every outbox published and every consumer caught up")
