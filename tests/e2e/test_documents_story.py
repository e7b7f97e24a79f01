"""The papers of the Tongshan matter, end to end: every act from the court's 告知书 to its 判决书 issues its document;
each is announced on the event of its act, fetched by the agencies that receive that event and verified by its
SHA-256; the court's 移送函 is held by the police and the procuratorate; the court's file catalogue lists all nine
papers of the matter in the order they were issued — three services as processes on a real broker."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack, advance_clocks, court_now, service_day
from tests.e2e.test_arrest_review import County, filed_case, ok, review_of, suspect_id
from tests.e2e.test_prosecution import review_for_case, transfer
from tests.support.infra import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

ISSUED_BY = {
    "court": ["告知书", "移送函", "刑事判决书"],
    "police": ["受案回执", "立案决定书", "提请批准逮捕书", "起诉意见书"],
    "procuratorate": ["批准逮捕决定书", "起诉书"],
}


def catalogue(county: County, service: str, matter: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    return list(county.get(service, f"/matters/{matter}/file", headers)["entries"])


def documents(county: County, service: str, matter: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    return [e for e in catalogue(county, service, matter, headers) if e["kind"] == "document"]


def pdf(stack: Stack, service: str, url: str, headers: dict[str, str]) -> bytes:
    response = httpx.get(f"{getattr(stack, service).url}{url}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response.content


def test_the_tongshan_matter_produces_every_document_and_each_agency_files_what_it_receives(stack: Stack) -> None:
    tongshan = County(stack, "tongshan")
    lead, case = filed_case(tongshan, "(2023)鄂1224执790号", "陈某某")
    matter = lead["id"]
    chen = suspect_id(case, "陈某某")
    investigator = tongshan.police()
    entry = {"kind": "bank_records", "summary": "判决生效后转出120万元", "collected_at": court_now(stack).isoformat()}
    ok(tongshan.post("police", f"/cases/{case['id']}/log", entry, investigator))
    detention = {"suspect_id": chen, "detained_at": court_now(stack).isoformat(), "place": "通山县看守所"}
    ok(tongshan.post("police", f"/cases/{case['id']}/detentions", detention, investigator))
    case = ok(tongshan.post("police", f"/cases/{case['id']}/arrest-requests", {"suspect_ids": [chen]}, investigator))
    (request,) = case["arrest_requests"]

    review = review_of(tongshan, request["request_id"])
    decision = {"suspect_id": chen, "decision": "approve", "reasons": "有证据证明有拒不执行判决的犯罪事实"}
    path = f"/arrest-reviews/{review['id']}/decisions"
    ok(tongshan.post("procuratorate", path, {"decisions": [decision]}, tongshan.procuratorate()))
    wait_until(
        lambda: chen in tongshan.get("police", f"/cases/{case['id']}", investigator)["arrest_requests"][0]["decisions"],
        15,
        message="the decision arriving at the police",
    )
    url = f"/cases/{case['id']}/arrest-requests/{request['request_id']}/executions"
    ok(tongshan.post("police", url, {"suspect_id": chen, "outcome": "arrested"}, investigator))
    advance_clocks(stack, 86400)
    transfer(tongshan, case["id"])

    prosecution = review_for_case(tongshan, case["id"])
    indictment = {
        "charges": "有能力执行而拒不执行，情节严重",
        "asset_proposal": {"text": "追缴转移的存款", "amount": "1200000.00"},
    }
    ok(
        tongshan.post(
            "procuratorate",
            f"/prosecution-reviews/{prosecution['id']}/indictment",
            indictment,
            tongshan.procuratorate(),
        )
    )
    judge = tongshan.court("judge")

    def trials() -> list[dict[str, Any]]:
        return [
            t
            for t in tongshan.get("court", "/trials", judge, limit=200)["items"]
            if t["review_id"] == prosecution["id"]
        ]

    wait_until(lambda: len(trials()) == 1, 15, message="the indictment at the court")
    trial_path = f"/trials/{trials()[0]['id']}"
    ok(tongshan.post("court", f"{trial_path}/acceptance", {"court_case_number": "(2026)鄂1224刑初7号"}, judge))
    ok(tongshan.post("court", f"{trial_path}/hearings", {"held_on": service_day(stack), "note": "公开开庭审理"}, judge))
    sentence = {"defendant_id": chen, "imprisonment_months": 18, "probation_months": 24}
    ok(tongshan.post("court", f"{trial_path}/judgment", {"sentences": [sentence], "recovered": "0"}, judge))

    investigator = tongshan.police()  # staff log in again after the clocks moved
    staff = {"court": tongshan.court(), "police": investigator, "procuratorate": tongshan.procuratorate()}

    # every act issued its document, at the agency that acted
    issued: dict[str, dict[str, dict[str, Any]]] = {}
    for agency, titles in ISSUED_BY.items():
        own = [d for d in documents(tongshan, agency, matter, staff[agency]) if d["origin"] == "issued"]
        assert [d["title"] for d in own] == titles, agency
        issued[agency] = {d["title"]: d for d in own}
    judgment = issued["court"]["刑事判决书"]
    assert judgment["number"] == "(2026)鄂1224刑初7号", "a judgment bears its case's number"
    assert issued["police"]["立案决定书"]["number"] == case["case_number"]
    assert issued["police"]["提请批准逮捕书"]["number"] == request["document_number"]
    everything = {d["sha256"]: d for by_agency in issued.values() for d in by_agency.values()}

    # the court's referral letter, held by the police and the procuratorate, verified by its digest
    letter = issued["court"]["移送函"]
    for agency in ("police", "procuratorate"):
        wait_until(
            lambda agency=agency: (
                letter["sha256"] in {d["sha256"] for d in documents(tongshan, agency, matter, staff[agency])}
            ),
            20,
            message=f"the referral letter filed at the {agency}",
        )
        (held,) = [d for d in documents(tongshan, agency, matter, staff[agency]) if d["sha256"] == letter["sha256"]]
        assert (held["origin"], held["number"], held["issuer"]) == ("received", letter["number"], "通山县人民法院")
        content = pdf(stack, agency, held["url"], staff[agency])
        assert hashlib.sha256(content).hexdigest() == letter["sha256"]
    referral_papers = tongshan.get("police", f"/referrals/{case['referral_id']}/documents", investigator)
    assert [d["title"] for d in referral_papers] == ["移送函", "受案回执"], "the letter and the bureau's receipt"

    # what each agency receives: the papers of the events it consumes, each verified; the court's file in order
    def received(agency: str) -> set[str]:
        return {d["title"] for d in documents(tongshan, agency, matter, staff[agency]) if d["origin"] == "received"}

    expected = {
        "court": {"受案回执", "立案决定书", "批准逮捕决定书", "起诉书"},
        "police": {"移送函", "批准逮捕决定书"},
        "procuratorate": {"移送函", "提请批准逮捕书", "起诉意见书"},
    }
    for agency, papers in expected.items():
        wait_until(lambda a=agency, p=papers: p <= received(a), 20, message=f"the papers received at the {agency}")
    # the court, which hears from everyone, holds every paper of the matter, in the order issued
    wait_until(
        lambda: set(everything) <= {d["sha256"] for d in documents(tongshan, "court", matter, staff["court"])},
        20,
        message="every document of the matter in the court's file",
    )
    court_file = documents(tongshan, "court", matter, staff["court"])
    assert len(court_file) == len(everything) == 9
    assert [d["at"] for d in court_file] == sorted(d["at"] for d in court_file), "the catalogue is in order"
    assert [d["seq"] for d in catalogue(tongshan, "court", matter, staff["court"])] == list(
        range(1, len(catalogue(tongshan, "court", matter, staff["court"])) + 1)
    )
    for entry in court_file:
        assert everything[entry["sha256"]]["number"] == entry["number"], "every document is one of the matter's"
    titles = [d["title"] for d in court_file]
    assert titles.index("移送函") < titles.index("受案回执") < titles.index("起诉书") < titles.index("刑事判决书")

    # a service token reads an announced document only; staff of another county read none
    chibi = County(stack, "chibi")
    stranger = httpx.get(f"{stack.court.url}{judgment['url']}", headers=chibi.court())
    assert stranger.status_code == 403
