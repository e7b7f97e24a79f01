"""The court API in-process on SQLite (no broker needed): errors, limits, idempotency, roles and units."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from liandong.clock import OffsetClock
from liandong.logs import JsonFormatter
from liandong.security import Principal, issue_token
from liandong_court.adapters.orm import common, leads
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from tests.support.apps import login, running_app, runtime_of, serve_notice
from tests.support.letters import NOT_YET_PROVED, PARTICULARS
from tests.support.outbox import count

COURT_SECRET = "test-secret-0123456789-0123456789-xyz"
SERVICE_SECRET = "police-client-secret-0123456789-0123456789"
LEAD = {
    "enforcement_case_number": "(2024)鄂1222执123号",
    "suspects": [{"name": "黎某某", "kind": "person", "role": "debtor", "id_number": "42122219800101123X"}],
    "amount_owed": "350000.00",
    "summary": "被执行人有履行能力而拒不履行",
    **PARTICULARS,
}


@pytest.fixture
async def court(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = CourtSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'court.db'}",
        kafka_bootstrap_servers="127.0.0.1:1",  # no broker: the outbox just keeps the rows
        max_body_bytes=4096,
        secret_key=COURT_SECRET,
        service_clients={"police": SERVICE_SECRET},
    )
    async with running_app(spec(), settings) as client:
        yield client


async def rows(client: httpx.AsyncClient, table: Any) -> int:
    runtime = runtime_of(client)
    return await count(runtime.session_factory, table)


async def test_staff_must_log_in_and_the_token_is_checked(court: httpx.AsyncClient) -> None:
    response = await court.get("/leads")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    bad = await court.get("/leads", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "invalid_token"
    wrong = await court.post("/auth/token", data={"username": "tongcheng.officer", "password": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_credentials"


async def test_a_lead_is_created_listed_with_masked_ids_and_shown(court: httpx.AsyncClient) -> None:
    officer = await login(court, "tongcheng.officer")
    created = await court.post("/leads", json=LEAD, headers=officer)
    assert created.status_code == 201, created.text
    lead = created.json()
    assert lead["unit"] == "421222"
    assert lead["status"] == "open"
    listed = (await court.get("/leads", headers=officer)).json()
    assert listed["total"] == 1
    assert listed["items"][0]["suspects"][0]["id_number"] == "421222********123X"
    shown = (await court.get(f"/leads/{lead['id']}", headers=officer)).json()
    assert shown["suspects"][0]["id_number"] == "42122219800101123X"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ('{"enforcement_case_number": ', 400, "malformed_json"),
        ({**LEAD, "colour": "red"}, 422, "validation_error"),
        ({**LEAD, "amount_owed": "a lot"}, 422, "validation_error"),
        ({**LEAD, "suspects": []}, 422, "validation_error"),
        ({**LEAD, "enforcement_case_number": "(2024)鄂1224执9号"}, 422, "case_of_other_court"),
        ({**LEAD, "amount_paid": "400000"}, 422, "paid_exceeds_owed"),
        ({**LEAD, "summary": "很长" * 3000}, 413, "payload_too_large"),
    ],
)
async def test_bad_input_gets_a_clear_4xx_and_writes_nothing(
    court: httpx.AsyncClient, body: object, status: int, code: str
) -> None:
    officer = await login(court, "tongcheng.officer")
    headers = {**officer, "Content-Type": "application/json"}
    content = body if isinstance(body, str) else httpx.Request("POST", "/", json=body).content
    response = await court.post("/leads", content=content, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert await rows(court, leads) == 0
    assert await rows(court, common.outbox) == 0


async def test_unknown_ids_are_404_with_the_error_model(court: httpx.AsyncClient) -> None:
    officer = await login(court, "tongcheng.officer")
    for response in (
        await court.get("/leads/nope", headers=officer),
        await court.post("/leads/nope/referral", headers=officer),
        await court.get("/referrals/nope", headers=officer),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


async def test_a_referral_writes_its_event_to_the_outbox_in_the_same_transaction(court: httpx.AsyncClient) -> None:
    officer = await login(court, "tongcheng.officer")
    judge = await login(court, "tongcheng.judge")
    lead = (await court.post("/leads", json=LEAD, headers=officer)).json()
    early = await court.post(f"/leads/{lead['id']}/referral", headers=officer)
    assert early.status_code == 422
    assert early.json()["error"]["code"] == "not_assessed"
    assert await rows(court, common.outbox) == 0
    not_a_judge = await court.post(f"/leads/{lead['id']}/referral", json={"override_reason": "紧急"}, headers=officer)
    assert not_a_judge.status_code == 403
    suspected = {"conclusion": "suspected", "reasons": "有履行能力"}
    assert (await court.post(f"/leads/{lead['id']}/assessment", json=suspected, headers=judge)).status_code == 200
    unserved = await court.post(
        f"/leads/{lead['id']}/referral",
        json={"override_reason": "被执行人正在转移财产", "missing_evidence": NOT_YET_PROVED},
        headers=judge,
    )
    assert (unserved.status_code, unserved.json()["error"]["code"]) == (422, "notice_not_served"), (
        "法发〔2025〕8号 第三条"
    )
    await serve_notice(court, lead["id"], officer)
    before = await rows(court, common.outbox)

    referral = await court.post(
        f"/leads/{lead['id']}/referral",
        json={"override_reason": "被执行人正在转移财产", "missing_evidence": NOT_YET_PROVED},
        headers=judge,
    )
    assert referral.status_code == 201, referral.text
    assert referral.json()["status"] == "submitted"
    assert referral.json()["letter_number"].endswith("执移1号")
    # the letter, the start of the court's filing mirror, and the debtor's window that the referral ends
    assert await rows(court, common.outbox) == before + 3
    again = await court.post(
        f"/leads/{lead['id']}/referral",
        json={"override_reason": "再次", "missing_evidence": NOT_YET_PROVED},
        headers=judge,
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "lead_not_referable"
    assert await rows(court, common.outbox) == before + 3


async def test_an_idempotency_key_replays_the_first_response_and_refuses_another_body(
    court: httpx.AsyncClient,
) -> None:
    officer = await login(court, "tongcheng.officer")
    headers = {**officer, "Idempotency-Key": "lead-import-0001"}
    first = await court.post("/leads", json=LEAD, headers=headers)
    second = await court.post("/leads", json=LEAD, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert await rows(court, leads) == 1
    other = await court.post("/leads", json={**LEAD, "amount_owed": "1.00"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert await rows(court, leads) == 1
    # a key is the caller's own: another officer using the same key is a new request
    other_officer = await login(court, "city.admin")
    third = await court.post(
        "/leads", json={**LEAD, "unit": "421222"}, headers={**other_officer, "Idempotency-Key": "lead-import-0001"}
    )
    assert third.status_code == 201
    assert await rows(court, leads) == 2


async def test_roles_and_units_are_enforced(court: httpx.AsyncClient) -> None:
    tongcheng = await login(court, "tongcheng.officer")
    tongshan = await login(court, "tongshan.officer")
    judge = await login(court, "tongcheng.judge")
    city = await login(court, "city.admin")
    lead = (await court.post("/leads", json=LEAD, headers=tongcheng)).json()

    assert (await court.post("/leads", json=LEAD, headers=judge)).status_code == 403
    other_unit = await court.get(f"/leads/{lead['id']}", headers=tongshan)
    assert other_unit.status_code == 403
    assert other_unit.json()["error"]["code"] == "forbidden"
    assert (await court.get("/leads", headers=tongshan)).json()["total"] == 0
    assert (await court.post(f"/leads/{lead['id']}/referral", headers=tongshan)).status_code == 403
    assert (await court.post("/leads", json={**LEAD, "unit": "421222"}, headers=tongshan)).status_code == 403
    assert (await court.get("/leads", headers=city)).json()["total"] == 1
    assert (await court.get(f"/leads/{lead['id']}", headers=city)).status_code == 200


async def test_operations_endpoints(court: httpx.AsyncClient) -> None:
    ready = await court.get("/readyz")
    assert ready.status_code == 200, "staff can be served without a broker: the outbox keeps the events"
    assert ready.headers["x-content-type-options"] == "nosniff"
    assert ready.json()["checks"] == {"database": "ok"}
    health = await court.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert "broker unreachable" in health.json()["problems"]
    document = (await court.get("/asyncapi.json")).json()
    assert "court.referrals" in document["channels"]
    assert "court.referral.submitted.v1" in document["components"]["schemas"]
    assert "liandong_outbox_published_total" in (await court.get("/metrics")).text


async def test_each_request_is_logged_once_with_its_request_id(
    court: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    officer = await login(court, "tongcheng.officer")
    with caplog.at_level("INFO", logger="liandong.access"):
        response = await court.get(
            "/leads", headers={**officer, "X-Request-ID": "req-42", "X-Correlation-ID": "lead-7"}
        )
    assert response.headers["x-request-id"] == "req-42"
    (line,) = [r for r in caplog.records if r.name == "liandong.access" and " /leads " in r.getMessage()]
    assert line.getMessage().startswith("GET /leads 200 ")
    assert line.request_id == "req-42"  # type: ignore[attr-defined]
    entry = json.loads(JsonFormatter("court").format(line))
    assert (entry["request_id"], entry["correlation_id"], entry["service"]) == ("req-42", "lead-7", "court")
    generated = await court.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 32


def forged(username: str, *, secret: str = "a-secret-that-is-not-the-courts-000000000000", **changes: Any) -> str:
    """A token naming `username`, as someone without the court's key could make one."""
    now = datetime.now(UTC)
    principal = Principal(username=username, agency="court", role="enforcement_officer", unit="421222")
    return issue_token(replace(principal, **changes), secret=secret, now=now, ttl=timedelta(minutes=30))


async def test_a_stored_response_is_replayed_only_to_its_verified_principal(court: httpx.AsyncClient) -> None:
    """An Idempotency-Key is looked up only after the token is verified, and only under that principal."""
    officer = await login(court, "tongcheng.officer")
    key = {"Idempotency-Key": "lead-abc-1"}
    first = await court.post("/leads", json=LEAD, headers={**officer, **key})
    assert first.status_code == 201

    expired = issue_token(
        Principal(username="tongcheng.officer", agency="court", role="enforcement_officer", unit="421222"),
        secret=COURT_SECRET,
        now=datetime.now(UTC) - timedelta(hours=3),
        ttl=timedelta(minutes=5),
    )
    attempts = {
        "forged signature": {"Authorization": f"Bearer {forged('tongcheng.officer')}"},
        "expired token": {"Authorization": f"Bearer {expired}"},
        "another agency's audience": {
            "Authorization": f"Bearer {forged('tongcheng.officer', secret=COURT_SECRET, agency='police')}"
        },
    }
    for what, auth in attempts.items():
        refused = await court.post("/leads", json=LEAD, headers={**auth, **key})
        assert refused.status_code == 401, what
        assert refused.json()["error"]["code"] == "invalid_token", what
        assert "id_number" not in refused.text, what
        fresh_key = await court.post("/leads", json=LEAD, headers={**auth, "Idempotency-Key": "never-used"})
        assert fresh_key.status_code == 401, f"{what}: 401 whether or not the key exists"

    two_headers = httpx.Headers([("Authorization", officer["Authorization"]), ("Authorization", "Bearer x")])
    two_headers["Idempotency-Key"] = "lead-abc-1"
    ambiguous = await court.post("/leads", json=LEAD, headers=two_headers)
    assert (ambiguous.status_code, ambiguous.json()["error"]["code"]) == (400, "ambiguous_authorization")
    listing = await court.get("/leads", headers=httpx.Headers([*officer.items(), ("Authorization", "Bearer x")]))
    assert listing.status_code == 400, "two Authorization headers are refused everywhere"

    admin = await login(court, "city.admin")
    theirs = await court.post("/leads", json={**LEAD, "unit": "421222"}, headers={**admin, **key})
    assert theirs.status_code == 201, "another user's key is their own: a new request"
    assert "idempotent-replayed" not in theirs.headers
    service = (
        await court.post("/auth/service-token", data={"client_id": "police", "client_secret": SERVICE_SECRET})
    ).json()["access_token"]
    as_service = await court.post("/leads", json=LEAD, headers={"Authorization": f"Bearer {service}", **key})
    assert as_service.status_code == 403, "a service token is not staff"
    assert "idempotent-replayed" not in as_service.headers

    again = await court.post("/leads", json=LEAD, headers={**officer, **key})
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true", "the rightful caller still gets the replay"
    assert again.json() == first.json()
    assert await rows(court, leads) == 2, "the officer's lead and the admin's, nothing else"


@pytest.mark.parametrize(
    "path",
    [
        "/leads?offset=100000000000000000000",
        "/referrals?offset=100000000000000000000",
        "/enforcement-cases?offset=100000000000000000000",
        "/deadlines?offset=100000000000000000000",
        "/deadlines/received-breaches?offset=100000000000000000000",
        "/enforcement-cases?min_unpaid=1e30",
        "/enforcement-cases?closed_since=9999-12-31",
        "/deadlines/preview?kind=police_filing_decision&start=9999-12-31T23:00%2B08:00",
    ],
)
async def test_edge_input_in_a_query_is_a_422(court: httpx.AsyncClient, path: str) -> None:
    officer = await login(court, "tongcheng.officer")
    response = await court.get(path, headers=officer)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] in ("validation_error", "invalid_time")


async def test_a_notice_is_compared_with_the_assessment_to_the_minute_not_with_when_the_lead_was_typed_in(
    court: httpx.AsyncClient,
) -> None:
    """Staff enter a lead and its assessment after the paper acts they describe: a 告知书 served in the minute of the
    assessment, seconds before the lead was even typed in, is accepted; one a minute before the assessment is not."""
    officer, judge = await login(court, "tongcheng.officer"), await login(court, "tongcheng.judge")
    lead = (await court.post("/leads", json=LEAD, headers=officer)).json()
    suspected = {"conclusion": "suspected", "reasons": "有履行能力"}
    assessed = (await court.post(f"/leads/{lead['id']}/assessment", json=suspected, headers=judge)).json()
    minute = datetime.fromisoformat(assessed["assessed_at"]).replace(second=0, microsecond=0)
    assert minute <= datetime.fromisoformat(lead["created_at"])
    notice = f"/leads/{lead['id']}/notice"
    early = await court.post(
        notice,
        json={"served_at": (minute - timedelta(minutes=1)).isoformat(), "notice_number": "告-1"},
        headers=officer,
    )
    assert (early.status_code, early.json()["error"]["code"]) == (422, "time_before_act")
    served = await court.post(notice, json={"served_at": minute.isoformat(), "notice_number": "告-1"}, headers=officer)
    assert served.status_code == 200, served.text
    assert served.json()["status"] == "notice_served"


async def test_a_notice_served_in_year_9999_is_a_422_and_writes_nothing(court: httpx.AsyncClient) -> None:
    officer = await login(court, "tongcheng.officer")
    lead = (await court.post("/leads", json=LEAD, headers=officer)).json()
    far = await court.post(
        f"/leads/{lead['id']}/notice",
        json={"served_at": "9999-12-31T10:00:00+08:00", "notice_number": "告知书-1"},
        headers=officer,
    )
    assert far.status_code == 422
    assert (await court.get(f"/leads/{lead['id']}", headers=officer)).json()["status"] == "open"


async def test_service_times_are_not_backdated_and_a_correction_is_its_own_audited_act(
    court: httpx.AsyncClient,
) -> None:
    """A 告知书 cannot be served before the assessment it follows (to the minute) or in the future; a wrongly recorded
    service time is set right by a correction with its reason, kept on record, and the debtor's window is counted
    again from it."""
    officer = await login(court, "tongcheng.officer")
    lead = (await court.post("/leads", json=LEAD, headers=officer)).json()
    opened = datetime.fromisoformat(lead["created_at"])
    judge = await login(court, "tongcheng.judge")
    assessed = await court.post(
        f"/leads/{lead['id']}/assessment", json={"conclusion": "suspected", "reasons": "有履行能力"}, headers=judge
    )
    assert assessed.status_code == 200, assessed.text
    notice = f"/leads/{lead['id']}/notice"
    for served_at, code in [
        (opened - timedelta(days=10), "time_before_act"),
        (datetime.now(UTC) + timedelta(days=1), "time_in_future"),
    ]:
        refused = await court.post(
            notice, json={"served_at": served_at.isoformat(), "notice_number": "告-1"}, headers=officer
        )
        assert (refused.status_code, refused.json()["error"]["code"]) == (422, code)
    assert (await court.get(f"/leads/{lead['id']}", headers=officer)).json()["status"] == "open"

    served = datetime.now(UTC)
    assert (
        await court.post(notice, json={"served_at": served.isoformat(), "notice_number": "告-1"}, headers=officer)
    ).status_code == 200
    truly = opened + (served - opened) / 2  # recorded a little late: truly served just after the lead was opened
    corrected = await court.post(
        f"{notice}/correction",
        json={"served_at": truly.isoformat(), "reason": "送达回证所载时间为上午九时"},
        headers=officer,
    )
    assert corrected.status_code == 200, corrected.text
    assert datetime.fromisoformat(corrected.json()["notice_served_at"]) == truly
    windows = (
        await court.get("/deadlines", params={"subject_id": lead["id"]}, headers=await login(court, "city.admin"))
    ).json()
    assert sorted(w["state"] for w in windows["items"]) == ["cancelled", "running"]
    assert await rows(court, common.corrections) == 1
    unexplained = await court.post(
        f"{notice}/correction", json={"served_at": truly.isoformat(), "reason": " "}, headers=officer
    )
    assert unexplained.status_code == 422
    assert await rows(court, common.corrections) == 1, "nothing is corrected without a reason"


async def test_a_referral_missing_an_evidence_class_without_a_reason_is_refused_and_writes_nothing(
    court: httpx.AsyncClient,
) -> None:
    officer, judge = await login(court, "tongcheng.officer"), await login(court, "tongcheng.judge")
    lead = (await court.post("/leads", json=LEAD, headers=officer)).json()
    suspected = {"conclusion": "suspected", "reasons": "有履行能力"}
    await court.post(f"/leads/{lead['id']}/assessment", json=suspected, headers=judge)
    await serve_notice(court, lead["id"], officer)
    before = await rows(court, common.outbox)
    partial = {"override_reason": "紧急", "missing_evidence": {"identity": "调取中"}}
    refused = await court.post(f"/leads/{lead['id']}/referral", json=partial, headers=judge)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "evidence_class_missing"
    assert refused.json()["error"]["details"]["missing"] == ["duty", "ability_to_perform", "refusal", "aggravating"]
    assert await rows(court, common.outbox) == before
    assert (await court.get(f"/leads/{lead['id']}", headers=officer)).json()["status"] == "notice_served"


async def test_a_response_under_an_idempotency_key_is_stored_before_it_is_sent(court: httpx.AsyncClient) -> None:
    """A client that resends the moment it reads an answer gets that answer replayed, never 'in progress': when the
    first byte of the response goes out, the response is already in the database."""
    from sqlalchemy import select

    app = court._transport.app  # type: ignore[attr-defined]
    runtime = app.state.runtime
    keys = runtime.tables.idempotency_keys
    officer = await login(court, "tongcheng.officer")
    body = json.dumps(LEAD).encode()
    headers = [
        (b"authorization", officer["Authorization"].encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"idempotency-key", b"stored-first-1"),
        (b"host", b"court.test"),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/leads",
        "raw_path": b"/leads",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("court.test", 80),
    }
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    stored_when_sent: list[int | None] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            async with runtime.session_factory() as session:
                status = await session.scalar(select(keys.c.status_code).where(keys.c.key == "stored-first-1"))
            stored_when_sent.append(status)

    await app(scope, receive, send)
    assert stored_when_sent == [201]
    resend = {**officer, "Idempotency-Key": "stored-first-1", "Content-Type": "application/json"}
    again = await court.post("/leads", content=body, headers=resend)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_key_whose_response_was_not_stored_is_never_stuck(
    court: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The act committed, then storing its response failed (the database restarting): the client still gets its
    201, the response is stored once the database takes it, and a resend replays it. A key whose response was never
    stored (its process stopped in between) answers, once the grace has passed, what the act changed."""
    from sqlalchemy import update

    from liandong.api import middleware
    from tests.support.kafka_io import poll_until

    runtime = runtime_of(court)
    keys = runtime.tables.idempotency_keys
    officer = await login(court, "tongcheng.officer")
    store, failures = middleware.IdempotencyMiddleware._store, [1]

    async def store_after_an_outage(self: middleware.IdempotencyMiddleware, *args: object) -> None:
        if failures:
            failures.pop()
            raise ConnectionRefusedError(111, "the database is restarting")
        await store(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(middleware.IdempotencyMiddleware, "_store", store_after_an_outage)
    monkeypatch.setattr(middleware, "STORE_RETRY_SECONDS", (0.05,))
    first = await court.post("/leads", json=LEAD, headers={**officer, "Idempotency-Key": "outage-1"})
    assert first.status_code == 201, "the act is committed: its answer goes out"

    async def replayed() -> bool:
        again = await court.post("/leads", json=LEAD, headers={**officer, "Idempotency-Key": "outage-1"})
        return again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"

    await poll_until(replayed, 10, "the response stored once the database is back")
    again = await court.post("/leads", json=LEAD, headers={**officer, "Idempotency-Key": "outage-1"})
    assert again.json()["id"] == first.json()["id"]

    second = await court.post("/leads", json=LEAD, headers={**officer, "Idempotency-Key": "crashed-2"})
    assert second.status_code == 201
    async with runtime.session_factory() as session, session.begin():  # as if the process stopped before storing
        await session.execute(update(keys).where(keys.c.key == "crashed-2").values(status_code=None))
    waiting = await court.post("/leads", json=LEAD, headers={**officer, "Idempotency-Key": "crashed-2"})
    assert (waiting.status_code, waiting.json()["error"]["code"]) == (409, "idempotency_request_in_progress")
    assert waiting.headers["retry-after"] == "1"
    assert isinstance(runtime.clock, OffsetClock)
    runtime.clock.advance(timedelta(seconds=120))
    officer = await login(court, "tongcheng.officer")
    lost = await court.post("/leads", json=LEAD, headers={**officer, "Idempotency-Key": "crashed-2"})
    assert (lost.status_code, lost.json()["error"]["code"]) == (409, "idempotency_response_lost")
    changed = lost.json()["error"]["details"]["changed"]
    assert second.json()["id"] in {c["id"] for c in changed}, "the client learns the lead's id"
    assert await rows(court, leads) == 2, "nothing applied twice"


async def test_control_characters_are_refused_in_every_text_and_parameter(court: httpx.AsyncClient) -> None:
    """A NUL byte (PostgreSQL refuses it in text: it answered 500) or another control character in a body's text,
    a query parameter, a path or the login form: 422 in the error model, nothing written. Lines and tabs stay."""
    officer = await login(court, "tongcheng.officer")
    before = await rows(court, leads)
    refusals = [
        await court.post("/leads", json={**LEAD, "summary": "有能力\u0000拒不履行"}, headers=officer),
        await court.post(
            "/leads",
            json={**LEAD, "suspects": [{"name": "黎\u0007某", "kind": "person", "role": "debtor"}]},
            headers=officer,
        ),
        await court.get("/leads", params={"q": "黎\x00"}, headers=officer),
        await court.get("/leads/abc%00def", headers=officer),
        await court.post("/auth/token", data={"username": "tongcheng.officer\x00", "password": "x"}),
    ]
    for refused in refusals:
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "control_character"
    assert refusals[1].json()["error"]["details"]["loc"] == ["body", "suspects", "0", "name"]
    assert await rows(court, leads) == before
    lines = await court.post("/leads", json={**LEAD, "summary": "第一行\n第二行\t（附表）"}, headers=officer)
    assert lines.status_code == 201, lines.text
