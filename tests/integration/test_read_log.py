"""Reads of records that show personal numbers in full are recorded (who, what, when) and listed for auditors;
lists, which mask them, leave no read."""

from __future__ import annotations

import uuid

import pytest

from liandong.pii import shows_personal_numbers
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from tests.support.apps import login, running_app
from tests.support.letters import PARTICULARS

ID_NUMBER = "42122219800101123X"


async def test_a_read_of_a_full_identity_number_is_recorded_and_listed(database_url: str) -> None:
    """On SQLite and PostgreSQL: the read is written in autocommit before the answer goes."""
    settings = CourtSettings(database_url=database_url, kafka_bootstrap_servers="127.0.0.1:1")
    async with running_app(spec(), settings) as court:
        officer = await login(court, "tongcheng.officer")
        body = {
            "enforcement_case_number": f"(2024)鄂1222执{uuid.uuid4().int % 9000 + 1000}号",
            "suspects": [{"name": "黎某某", "kind": "person", "role": "debtor", "id_number": ID_NUMBER}],
            "amount_owed": "350000.00",
            "summary": "拒不履行",
            **PARTICULARS,
        }
        lead = await court.post("/leads", json=body, headers=officer)
        assert lead.status_code == 201, lead.text
        path = f"/leads/{lead.json()['id']}"
        admin = await login(court, "city.admin")

        async def reads(**params: str) -> list[dict[str, str]]:
            answer = await court.get("/audit/reads", params=params, headers=admin)
            assert answer.status_code == 200, answer.text
            return list(answer.json()["items"])

        listed = await court.get("/leads", headers=officer)
        assert ID_NUMBER not in listed.text
        assert await reads() == [], "a list masks the numbers: nothing to record"

        shown = await court.get(path, headers={**officer, "X-Request-ID": "read-1"})
        assert shown.status_code == 200
        assert ID_NUMBER in shown.text, "the record itself shows the number in full"
        (read,) = await reads()
        assert (read["actor"], read["role"], read["unit"], read["path"], read["request_id"]) == (
            "tongcheng.officer",
            "enforcement_officer",
            "421222",
            path,
            "read-1",
        )
        await court.get(path, headers=admin)
        assert [r["actor"] for r in await reads()] == ["city.admin", "tongcheng.officer"], "newest first"
        assert [r["actor"] for r in await reads(actor="tongcheng.officer")] == ["tongcheng.officer"]
        assert await reads(path="/leads/other") == []
        refused = await court.get("/audit/reads", headers=officer)
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (b'{"id_number": "42122219800101123X"}', True),
        (b'{"id_number": "421222********123X"}', False),
        (b'{"phone": "13812345678"}', True),
        (b'{"phone": "138****5678"}', False),
        (b'{"amount": "138123456789.00"}', False),  # twelve digits: no mobile number
        (b'{"id": "6f1c2b8e-1a2b-4c3d-9e8f-012345678901"}', False),
    ],
)
def test_an_answer_shows_personal_numbers_only_in_full(body: bytes, shown: bool) -> None:
    assert shows_personal_numbers(body) is shown
