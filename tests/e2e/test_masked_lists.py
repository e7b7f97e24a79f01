"""No list shows an identity number in full: a matter carried from referral to trial, its suspect's identity number in
every agency's records, then every list endpoint of every service (read from its OpenAPI document) is read by a
city-level reader and searched for it."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack, token
from tests.e2e.test_arrest_review import County, filed_case, ok, review_of, suspect_id
from tests.e2e.test_prosecution import review_for_case, transfer
from tests.support.infra import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

ID_NUMBER = "42122419700101123X"
UNMASKED = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
CITY_READER = {"court": "city.admin", "police": "city.supervisor", "procuratorate": "city.supervisor"}


def list_paths(service_url: str) -> list[str]:
    """The GET operations without path parameters whose answer is a page of items."""
    document = httpx.get(f"{service_url}/openapi.json").json()
    pages = []
    for path, operations in document["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
        if "{" not in path and schema.get("$ref", "").split("/")[-1].startswith("Page_"):
            pages.append(path)
    return pages


def test_no_list_of_any_service_shows_an_identity_number_in_full(stack: Stack) -> None:
    tongshan = County(stack, "tongshan")
    lead, case = filed_case(tongshan, "(2023)鄂1224执791号", "陈某某")
    investigator = tongshan.police()
    chen = suspect_id(case, "陈某某")
    case = ok(tongshan.post("police", f"/cases/{case['id']}/arrest-requests", {"suspect_ids": [chen]}, investigator))
    review_of(tongshan, case["arrest_requests"][0]["request_id"])
    transfer(tongshan, case["id"])
    review = review_for_case(tongshan, case["id"])
    indictment = {"charges": "拒不执行判决、裁定罪", "asset_proposal": {"text": "追缴发还"}}
    ok(
        tongshan.post(
            "procuratorate", f"/prosecution-reviews/{review['id']}/indictment", indictment, tongshan.procuratorate()
        )
    )
    judge = tongshan.court("judge")
    wait_until(
        lambda: any(t["lead_id"] == lead["id"] for t in tongshan.get("court", "/trials", judge, limit=200)["items"]),
        15,
        message="the indictment at the court",
    )
    whole = tongshan.get("court", f"/leads/{lead['id']}", tongshan.court())
    assert ID_NUMBER in str(whole), "the record's own page shows its unit's staff the number"

    read: dict[str, Any] = {}
    for service in stack.all():
        headers = token(service, CITY_READER[service.name])
        for path in list_paths(service.url):
            response = httpx.get(f"{service.url}{path}", params={"limit": 200}, headers=headers)
            if response.status_code == 200:
                read[f"{service.name} {path}"] = response.text
    for must in ("police /referrals", "police /cases", "procuratorate /prosecution-reviews", "court /trials"):
        assert must in read, f"{must} was read"
    leaks = {where: UNMASKED.findall(text) for where, text in read.items() if UNMASKED.search(text)}
    assert leaks == {}, "identity numbers in full in lists"
    assert "421224********123X" in read["police /cases"], "masked, not dropped"
