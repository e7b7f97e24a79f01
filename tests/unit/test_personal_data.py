"""Personal numbers in answers: every list masked on its bytes, the same as masking its decoded items would; a
record's own page left whole (and its read logged)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from liandong.api.deps import Page
from liandong.api.personal_data import PersonalDataMiddleware
from liandong.pii import (
    _PERSONAL_NUMBER_BYTES,
    PERSONAL_FIELDS,
    mask_personal_fields,
    mask_personal_numbers,
    shows_personal_numbers,
)
from liandong.security import Principal

ID_NUMBER = "42122219800101123X"
PHONE = "13912345678"

# JSON values whose keys are often the personal fields, whose strings hold quotes, backslashes, control characters,
# CJK, personal numbers and text that looks like a personal field's JSON
texts = st.one_of(
    st.text(),
    st.sampled_from([ID_NUMBER, PHONE, f"电话 {PHONE}", '"id_number":"' + ID_NUMBER + '"', 'a\\"b', "\n\t\u0001", ""]),
)
keys = st.one_of(st.sampled_from([*PERSONAL_FIELDS, "name", "suspects"]), st.text(max_size=8))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1), texts),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=25,
)


@given(json_values)
def test_masking_the_bytes_is_masking_the_value(value: Any) -> None:
    assert orjson.loads(mask_personal_fields(orjson.dumps(value))) == mask_personal_numbers(value)


# answers made of digit runs of every length around the numbers' lengths, letters (X among them) and separators
pieces = st.one_of(
    st.integers(min_value=1, max_value=20).map(lambda n: "1" + "3" * (n - 1)),
    st.integers(min_value=1, max_value=20).map(lambda n: "4" * n),
    st.sampled_from(["X", "x", "a", "Z", " ", '"', "-", "某", ":", "0"]),
)


@given(st.lists(pieces, max_size=12).map(lambda parts: "".join(parts).encode()))
def test_the_fast_scan_finds_what_the_patterns_define(body: bytes) -> None:
    assert shows_personal_numbers(body) is (_PERSONAL_NUMBER_BYTES.search(body) is not None)


def test_the_scan_on_answers() -> None:
    assert shows_personal_numbers(f'{{"id_number":"{ID_NUMBER}"}}'.encode())
    assert shows_personal_numbers(f'{{"contact":"电话{PHONE}"}}'.encode()), "a mobile number beside letters"
    assert not shows_personal_numbers(b'{"id_number":"421222********123X","phone":"139****5678"}'), "masked"
    assert not shows_personal_numbers(b'{"n":"A42122219800101123X"}'), "part of a longer code"
    assert not shows_personal_numbers(b'{"n":"123456789012"}'), "twelve digits are neither"


class Suspect(BaseModel):
    name: str
    id_number: str | None
    phone: str | None


class Case(BaseModel):
    id: str
    contact: str
    suspects: list[Suspect]


CASE = Case(
    id="c-1",
    contact=f"黎某 {PHONE}",
    suspects=[Suspect(name="黎某某", id_number=ID_NUMBER, phone=PHONE), Suspect(name="周", id_number=None, phone=None)],
)


async def test_a_list_is_masked_wherever_its_numbers_stand_and_a_record_is_shown_and_its_read_logged() -> None:
    app = FastAPI()
    reads: list[tuple[str, str]] = []
    reader = Principal(username="tongcheng.officer", agency="court", role="enforcement_officer", unit="421222")

    async def record(principal: Principal, path: str, request_id: str | None) -> None:
        reads.append((principal.username, path))

    @app.get("/cases", response_model=Page[Case])
    async def cases() -> Page[Case]:  # a route that forgot to mask: the answer is masked all the same
        return Page(items=[CASE], total=1, limit=20, offset=0)

    @app.get("/cases/{case_id}", response_model=Case)
    async def case(case_id: str) -> Case:
        return CASE

    app.add_middleware(PersonalDataMiddleware, principal_of=lambda headers: reader, record=record)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        listed = await client.get("/cases")
        shown = await client.get("/cases/c-1")

    assert listed.status_code == 200
    assert ID_NUMBER not in listed.text
    assert PHONE not in listed.text
    item = listed.json()["items"][0]
    assert item["suspects"][0] == {"name": "黎某某", "id_number": "421222********123X", "phone": "139****5678"}
    assert item["suspects"][1] == {"name": "周", "id_number": None, "phone": None}
    assert item["contact"] == "黎某 139****5678"
    assert int(listed.headers["content-length"]) == len(listed.content), "the length is the masked answer's"
    assert shown.json() == CASE.model_dump(), "a record's own page shows the numbers"
    assert reads == [("tongcheng.officer", "/cases/c-1")], "only the answer with full numbers is a logged read"
