"""Investigation and arrest review end to end: police cases, detention, 提请批准逮捕, the procuratorate's review and
its execution — three services as processes on a real broker, HTTP only, clocks moved."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from liandong.sla.calendar import DEFAULT_CALENDAR
from tests.e2e.conftest import Stack, advance_clocks, advance_clocks_to, court_now, pass_window, serve_notice, token
from tests.support.infra import wait_until
from tests.support.letters import NOT_YET_PROVED, PARTICULARS

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

SHANGHAI = ZoneInfo("Asia/Shanghai")
COUNTIES = {"tongcheng": "421222", "tongshan": "421224"}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, f"{response.request.url}: {response.status_code} {response.text}"
    assert response.json()["error"]["code"] == code, response.text


class County:
    """One county's staff at the three agencies, logging in again whenever the clocks have moved."""

    def __init__(self, stack: Stack, name: str) -> None:
        self.stack, self.name = stack, name

    def court(self, role: str = "officer") -> dict[str, str]:
        return token(self.stack.court, f"{self.name}.{role}")

    def police(self, role: str = "investigator") -> dict[str, str]:
        return token(self.stack.police, f"{self.name}.{role}")

    def procuratorate(self, role: str = "prosecutor") -> dict[str, str]:
        return token(self.stack.procuratorate, f"{self.name}.{role}")

    def get(self, service: str, path: str, headers: dict[str, str], **params: Any) -> Any:
        base = getattr(self.stack, service).url
        return ok(httpx.get(f"{base}{path}", params=params, headers=headers))

    def post(self, service: str, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
        return httpx.post(f"{getattr(self.stack, service).url}{path}", json=body, headers=headers)


def filed_case(
    county: County, number: str, debtor: str, *, suspects: list[dict[str, Any]] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A lead of `debtor` (or of these suspects) referred by the county's court, registered and filed by its bureau:
    (lead, case)."""
    officer, judge = county.court(), county.court("judge")
    body = {
        "enforcement_case_number": number,
        "amount_owed": "1200000.00",
        "summary": "判决生效后将名下财产转移至他人账户，拒不履行",
        "suspects": suspects
        or [{"name": debtor, "kind": "person", "role": "debtor", "id_number": "42122419700101123X"}],
        **PARTICULARS,
    }
    lead = ok(county.post("court", "/leads", body, officer), 201)
    suspected = {"conclusion": "suspected", "reasons": "有能力执行而转移财产"}
    ok(county.post("court", f"/leads/{lead['id']}/assessment", suspected, judge))
    serve_notice(county.stack, lead["id"], officer)
    letter = {"override_reason": "已查明转移财产", "missing_evidence": NOT_YET_PROVED}
    referral = ok(county.post("court", f"/leads/{lead['id']}/referral", letter, judge), 201)
    investigator = county.police()
    wait_until(
        lambda: (
            httpx.get(f"{county.stack.police.url}/referrals/{referral['id']}", headers=investigator).status_code == 200
        ),
        10,
        message="the referral arriving at the police",
    )
    ok(county.post("police", f"/referrals/{referral['id']}/registration", None, investigator))
    ok(county.post("police", f"/referrals/{referral['id']}/decision", {"decision": "file"}, investigator))
    filed = ok(
        county.post(
            "police", f"/referrals/{referral['id']}/decision/approval", {"approve": True}, county.police("head")
        )
    )
    assert filed["status"] == "filed"
    (case,) = county.get("police", "/cases", investigator, referral_id=referral["id"])["items"]
    assert case["id"] == filed["case_id"]
    assert case["correlation_id"] == lead["id"]
    return dict(lead), dict(county.get("police", f"/cases/{case['id']}", investigator))


def suspect_id(case: dict[str, Any], name: str) -> str:
    return str(next(s["suspect_id"] for s in case["suspects"] if s["name"] == name))


def review_of(county: County, request_id: str) -> dict[str, Any]:
    """The procuratorate's review of a request, once it has arrived."""
    prosecutor = county.procuratorate()

    def arrived() -> list[dict[str, Any]]:
        items = county.get("procuratorate", "/arrest-reviews", prosecutor, limit=200)["items"]
        return [r for r in items if r["request_id"] == request_id]

    wait_until(lambda: len(arrived()) == 1, 15, message="the arrest request arriving at the procuratorate")
    return dict(county.get("procuratorate", f"/arrest-reviews/{arrived()[0]['id']}", prosecutor))


def windows(case_or_review: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for window in case_or_review["windows"]:
        by_kind.setdefault(window["kind"], []).append(window)
    return by_kind


def test_tongshan_detained_debtor_arrest_approved_within_seven_days_and_executed(stack: Stack) -> None:
    """The first half of the Tongshan story: 陈某某 referred, filed, investigated, detained, his arrest requested,
    approved and executed; every window on the way ends met, at the police, the procuratorate and the court."""
    tongshan = County(stack, "tongshan")
    lead, case = filed_case(tongshan, "(2023)鄂1224执789号", "陈某某")
    investigator = tongshan.police()
    chen = suspect_id(case, "陈某某")
    for kind, summary in (
        ("bank_records", "调取陈某某及其妻郑某某名下银行账户流水，发现判决生效后转出120万元"),
        ("property_register", "查询不动产登记：判决后将房产过户至其弟名下"),
        ("interview", "询问申请执行人洪某某"),
    ):
        entry = {"kind": kind, "summary": summary, "collected_at": court_now(stack).isoformat()}
        ok(tongshan.post("police", f"/cases/{case['id']}/log", entry, investigator))
    # the case's page has its log whole; a page of cases counts it
    shown = tongshan.get("police", f"/cases/{case['id']}", investigator)
    assert [e["kind"] for e in shown["log"]] == ["bank_records", "property_register", "interview"]
    (listed,) = [c for c in tongshan.get("police", "/cases", investigator)["items"] if c["id"] == case["id"]]
    assert "log" not in listed
    assert listed["log_entries"] == 3
    assert datetime.fromisoformat(listed["last_logged_at"]) == datetime.fromisoformat(shown["log"][-1]["recorded_at"])

    advance_clocks(stack, 2 * 86400)
    investigator = tongshan.police()
    detention = {"suspect_id": chen, "detained_at": court_now(stack).isoformat(), "place": "通山县看守所"}
    case = ok(tongshan.post("police", f"/cases/{case['id']}/detentions", detention, investigator))
    assert windows(case)["police_arrest_request"][0]["state"] == "running"
    assert windows(case)["police_arrest_request"][0]["custody"] is True

    advance_clocks(stack, 1 * 86400)
    investigator = tongshan.police()
    case = ok(tongshan.post("police", f"/cases/{case['id']}/arrest-requests", {"suspect_ids": [chen]}, investigator))
    (request,) = case["arrest_requests"]
    assert request["document_number"].startswith("通山公（刑）提捕字〔")
    assert request["suspects"][0]["detained"] is True
    assert {k: [w["state"] for w in ws] for k, ws in windows(case).items()} == {
        "police_investigation": ["met"],
        "police_arrest_request": ["met"],
    }

    review = review_of(tongshan, request["request_id"])
    assert review["attempt"] == 1
    assert [entry["kind"] for entry in review["investigation_log"]] == [
        "bank_records",
        "property_register",
        "interview",
    ]
    (review_window,) = review["windows"]
    assert (review_window["kind"], review_window["custody"], review_window["window"]) == (
        "arrest_review_detained",
        True,
        7,
    )

    advance_clocks(stack, 2 * 86400)
    prosecutor = tongshan.procuratorate()
    decision = {
        "suspect_id": chen,
        "decision": "approve",
        "reasons": "有证据证明有拒不执行判决的犯罪事实，可能判处徒刑以上刑罚",
    }
    review = ok(
        tongshan.post(
            "procuratorate", f"/arrest-reviews/{review['id']}/decisions", {"decisions": [decision]}, prosecutor
        )
    )
    assert review["status"] == "decided"
    assert review["windows"][0]["state"] == "met"

    investigator = tongshan.police()

    def decided_case() -> dict[str, Any]:
        return dict(tongshan.get("police", f"/cases/{case['id']}", investigator))

    wait_until(lambda: chen in decided_case()["arrest_requests"][0]["decisions"], 15, message="the decision arriving")
    assert "police_arrest_execution" not in windows(decided_case()), "an approval is executed at once: no day count"
    execution = {"suspect_id": chen, "outcome": "arrested"}
    url = f"/cases/{case['id']}/arrest-requests/{request['request_id']}/executions"
    case = ok(tongshan.post("police", url, execution, investigator))
    assert next(s for s in case["suspects"] if s["suspect_id"] == chen)["custody"] == "arrested"
    police_windows = windows(case)
    custody = police_windows.pop("police_investigation_custody")  # CPL Art. 156: two months from the arrest
    assert [(w["state"], w["window"], w["custody"]) for w in custody] == [("running", 2, True)]
    assert set(police_windows) == {"police_investigation", "police_arrest_request", "police_arrest_receipt"}
    assert all(w["state"] == "met" for ws in police_windows.values() for w in ws)

    # the procuratorate holds the receipt and the whole matter on its timeline
    prosecutor = tongshan.procuratorate()
    wait_until(
        lambda: (
            tongshan.get("procuratorate", f"/arrest-reviews/{review['id']}", prosecutor)["suspects"][0].get("execution")
            is not None
        ),
        15,
        message="the execution receipt reaching the procuratorate",
    )
    timeline = [
        e["event_type"] for e in tongshan.get("procuratorate", f"/matters/{lead['id']}", prosecutor)["timeline"]
    ]
    for event_type in (
        "police.case.opened",
        "police.detention.recorded",
        "police.arrest.requested",
        "procuratorate.arrest.decided",
        "police.arrest.executed",
    ):
        assert event_type in timeline

    # the court follows its matter: the case, its detention, the request, the decision, the execution
    officer = tongshan.court()

    def court_case() -> dict[str, Any]:
        cases = tongshan.get("court", f"/leads/{lead['id']}", officer)["police_cases"]
        return dict(cases[0]) if cases else {}

    wait_until(lambda: len(court_case().get("executions", [])) == 1, 15, message="the execution reaching the court")
    followed = court_case()
    assert followed["case_number"] == case["case_number"]
    assert [s["name"] for s in followed["suspects"]] == ["陈某某"]
    assert [d["place"] for d in followed["detentions"]] == ["通山县看守所"]
    assert [r["document_number"] for r in followed["arrest_requests"]] == [request["document_number"]]
    assert [d["decision"] for d in followed["decisions"]] == ["approve"]

    # and every window of the matter, mirrored at the court, ended met, with the days it took
    def peer_windows() -> list[dict[str, Any]]:
        items = tongshan.get("court", "/deadlines/peer-windows", officer, correlation_id=lead["id"], limit=200)["items"]
        return list(items)

    expected = {
        "police_filing_decision",
        "police_investigation",
        "police_arrest_request",
        "arrest_review_detained",
        "police_arrest_receipt",
    }
    wait_until(
        lambda: {w["kind"] for w in peer_windows() if w["state"] == "met"} == expected,
        15,
        message="every window met at the court",
    )
    by_kind = {w["kind"]: w for w in peer_windows()}
    assert by_kind["arrest_review_detained"]["agency"] == "procuratorate"
    assert by_kind["arrest_review_detained"]["days_used"] == pytest.approx(2, abs=0.05)
    assert by_kind["police_arrest_request"]["days_used"] == pytest.approx(1, abs=0.05)
    assert all(w["on_time"] for w in peer_windows() if w["state"] == "met")
    (investigation_custody,) = [w for w in peer_windows() if w["kind"] == "police_investigation_custody"]
    assert investigation_custody["state"] == "running", "the investigation custody runs on after the arrest (CPL 156)"


def next_saturday_10am(now: datetime) -> datetime:
    """The next Saturday that is a day of rest seven days on too (a 调休 Saturday is a working day)."""
    day = now.astimezone(SHANGHAI).date() + timedelta(days=1)
    while not (
        day.weekday() == 5
        and not DEFAULT_CALENDAR.is_working_day(day)
        and not DEFAULT_CALENDAR.is_working_day(day + timedelta(days=7))
    ):
        day += timedelta(days=1)
    return datetime.combine(day, time(10), tzinfo=SHANGHAI)


def first_working_day_from(day: date) -> date:
    while not DEFAULT_CALENDAR.classify(day)[0]:
        day += timedelta(days=1)
    return day


def test_a_detained_suspects_review_ends_on_the_holiday_and_a_free_suspects_rolls_past_it(stack: Stack) -> None:
    """Requested on a Saturday: 7 days end on a Saturday, 15 on a Sunday. The detained suspect's window is custody
    and ends on that day; the other's rolls to the first working day after."""
    tongcheng = County(stack, "tongcheng")
    _, case = filed_case(tongcheng, "(2024)鄂1222执301号", "黎某某")
    investigator = tongcheng.police()
    helper = {"name": "黎某乙", "kind": "person", "role": "helper"}
    case = ok(tongcheng.post("police", f"/cases/{case['id']}/suspects", helper, investigator))
    debtor, brother = suspect_id(case, "黎某某"), suspect_id(case, "黎某乙")

    advance_clocks_to(stack, next_saturday_10am(court_now(stack)))
    investigator = tongcheng.police()
    detention = {"suspect_id": debtor, "detained_at": court_now(stack).isoformat(), "place": "通城县看守所"}
    ok(tongcheng.post("police", f"/cases/{case['id']}/detentions", detention, investigator))
    body = {"suspect_ids": [debtor, brother]}
    case = ok(tongcheng.post("police", f"/cases/{case['id']}/arrest-requests", body, investigator))
    review = review_of(tongcheng, case["arrest_requests"][0]["request_id"])

    received = datetime.fromisoformat(review["received_at"]).astimezone(SHANGHAI).date()
    assert received.weekday() == 5
    by_kind = {w["kind"]: w for w in review["windows"]}
    detained, free = by_kind["arrest_review_detained"], by_kind["arrest_review_not_detained"]
    detained_last = datetime.fromisoformat(detained["due_at"]).astimezone(SHANGHAI) - timedelta(seconds=1)
    free_last = datetime.fromisoformat(free["due_at"]).astimezone(SHANGHAI) - timedelta(seconds=1)
    assert detained_last.date() == received + timedelta(days=7), "custody: ends on the holiday itself"
    assert not DEFAULT_CALENDAR.classify(detained_last.date())[0]
    assert detained["rolled_forward"] is False
    assert free_last.date() == first_working_day_from(received + timedelta(days=15)), "rolled past the holiday"
    assert free["rolled_forward"] is True


def test_a_refusal_with_its_outline_a_second_request_and_an_undecided_review_that_breaches(stack: Stack) -> None:
    tongcheng = County(stack, "tongcheng")
    lead, case = filed_case(tongcheng, "(2024)鄂1222执302号", "熊某")
    investigator = tongcheng.police()
    xiong = suspect_id(case, "熊某")
    case = ok(tongcheng.post("police", f"/cases/{case['id']}/arrest-requests", {"suspect_ids": [xiong]}, investigator))
    first = review_of(tongcheng, case["arrest_requests"][0]["request_id"])
    assert first["windows"][0]["kind"] == "arrest_review_not_detained"

    prosecutor = tongcheng.procuratorate()
    outline = "一、调取熊某名下车辆转让合同及付款凭证；二、询问受让人，查明是否支付对价"
    refusal = {"suspect_id": xiong, "decision": "refuse", "reasons": "现有证据不足以证明转移财产", "outline": outline}
    ok(
        tongcheng.post(
            "procuratorate", f"/arrest-reviews/{first['id']}/decisions", {"decisions": [refusal]}, prosecutor
        )
    )
    again = tongcheng.post(
        "procuratorate", f"/arrest-reviews/{first['id']}/decisions", {"decisions": [refusal]}, prosecutor
    )
    refused(again, 409, "already_decided")

    def decision() -> dict[str, Any]:
        request = tongcheng.get("police", f"/cases/{case['id']}", investigator)["arrest_requests"][0]
        return dict(request["decisions"].get(xiong) or {})

    wait_until(lambda: decision().get("decision") == "refuse", 15, message="the refusal reaching the police")
    assert decision()["outline"] == outline
    url = f"/cases/{case['id']}/arrest-requests/{first['request_id']}/executions"
    refused(
        tongcheng.post("police", url, {"suspect_id": xiong, "outcome": "arrested"}, investigator), 422, "arrest_refused"
    )

    supplement = {
        "kind": "seizure",
        "summary": "依提纲调取车辆转让合同，受让人未支付对价",
        "collected_at": court_now(stack).isoformat(),
    }
    ok(tongcheng.post("police", f"/cases/{case['id']}/log", supplement, investigator))
    case = ok(tongcheng.post("police", f"/cases/{case['id']}/arrest-requests", {"suspect_ids": [xiong]}, investigator))
    second = review_of(tongcheng, case["arrest_requests"][1]["request_id"])
    assert second["attempt"] == 2
    assert second["id"] != first["id"]
    assert [e["kind"] for e in second["investigation_log"]] == ["seizure"]
    assert second["windows"][0]["id"] != first["windows"][0]["id"]
    assert second["windows"][0]["state"] == "running"

    # a co-accused detained and never requested, and the second review left undecided: both breach
    helper = {"name": "熊某乙", "kind": "person", "role": "helper"}
    case = ok(tongcheng.post("police", f"/cases/{case['id']}/suspects", helper, investigator))
    detention = {
        "suspect_id": suspect_id(case, "熊某乙"),
        "detained_at": court_now(stack).isoformat(),
        "place": "通城县看守所",
    }
    case = ok(tongcheng.post("police", f"/cases/{case['id']}/detentions", detention, investigator))
    (detained,) = windows(case)["police_arrest_request"]
    pass_window(stack, max(detained, second["windows"][0], key=lambda w: datetime.fromisoformat(w["due_at"])))
    investigator, prosecutor, officer = tongcheng.police(), tongcheng.procuratorate(), tongcheng.court()

    wait_until(
        lambda: (
            windows(tongcheng.get("police", f"/cases/{case['id']}", investigator))["police_arrest_request"][0]["state"]
            == "breached"
        ),
        15,
        message="the detention window breaching at the police",
    )
    wait_until(
        lambda: (
            tongcheng.get("procuratorate", f"/arrest-reviews/{second['id']}", prosecutor)["windows"][0]["state"]
            == "breached"
        ),
        15,
        message="the second review breaching",
    )

    def received(service: str, headers: dict[str, str]) -> list[dict[str, Any]]:
        items = tongcheng.get(service, "/deadlines/received-breaches", headers, limit=200)["items"]
        return [b for b in items if b["correlation_id"] == lead["id"] and b["agency"] == "procuratorate"]

    wait_until(lambda: len(received("police", investigator)) == 1, 15, message="the breach reaching the police")
    wait_until(lambda: len(received("court", officer)) == 1, 15, message="the breach reaching the court")
    assert received("court", officer)[0]["kind"] == "arrest_review_not_detained"


def test_roles_units_and_bad_input_change_nothing(stack: Stack) -> None:
    tongcheng, tongshan = County(stack, "tongcheng"), County(stack, "tongshan")
    _, case = filed_case(tongcheng, "(2024)鄂1222执303号", "王某")
    investigator, supervisor = tongcheng.police(), tongcheng.police("supervisor")
    wang = suspect_id(case, "王某")
    unit = {"name": "咸宁某建材有限公司", "kind": "unit", "role": "debtor"}
    case = ok(tongcheng.post("police", f"/cases/{case['id']}/suspects", unit, investigator))
    company = suspect_id(case, "咸宁某建材有限公司")
    rep = {"name": "王某", "kind": "person", "role": "legal_representative", "represents": wang}
    refused(tongcheng.post("police", f"/cases/{case['id']}/suspects", rep, investigator), 422, "not_a_unit")

    path = f"/cases/{case['id']}"
    future = (court_now(stack) + timedelta(days=1)).isoformat()
    now = court_now(stack).isoformat()
    refused(
        tongcheng.post(
            "police", f"{path}/detentions", {"suspect_id": wang, "detained_at": future, "place": "看守所"}, investigator
        ),
        422,
        "time_in_future",
    )
    refused(
        tongcheng.post(
            "police", f"{path}/detentions", {"suspect_id": company, "detained_at": now, "place": "看守所"}, investigator
        ),
        422,
        "not_a_person",
    )
    refused(
        tongcheng.post("police", f"{path}/arrest-requests", {"suspect_ids": ["no-such-suspect"]}, investigator),
        422,
        "unknown_suspect",
    )
    refused(
        tongcheng.post("police", f"{path}/arrest-requests", {"suspect_ids": [company]}, investigator),
        422,
        "not_a_person",
    )
    refused(
        tongcheng.post("police", f"{path}/arrest-requests", {"suspect_ids": []}, investigator), 422, "validation_error"
    )
    refused(
        tongcheng.post("police", "/cases/no-such-case/arrest-requests", {"suspect_ids": [wang]}, investigator),
        404,
        "not_found",
    )
    unchanged = tongcheng.get("police", path, investigator)
    assert unchanged["detentions"] == []
    assert unchanged["arrest_requests"] == []

    # roles and units
    refused(
        tongcheng.post("police", f"{path}/arrest-requests", {"suspect_ids": [wang]}, tongcheng.police("head")),
        403,
        "forbidden",
    )
    refused(
        tongshan.post("police", f"{path}/arrest-requests", {"suspect_ids": [wang]}, tongshan.police()), 403, "forbidden"
    )
    case = ok(
        tongcheng.post(
            "police",
            f"{path}/detentions",
            {"suspect_id": wang, "detained_at": now, "place": "通城县看守所"},
            investigator,
        )
    )
    detention_id = case["detentions"][0]["detention_id"]
    extend = f"{path}/detentions/{detention_id}/extension"
    head = tongcheng.police("head")  # 县级以上公安机关负责人 (MPS Rules Art. 129)
    refused(tongcheng.post("police", extend, {"reason": "特殊情况", "extra_days": 2}, investigator), 403, "forbidden")
    refused(tongcheng.post("police", extend, {"reason": "特殊情况", "extra_days": 2}, supervisor), 403, "forbidden")
    refused(tongcheng.post("police", extend, {"reason": "特殊情况", "extra_days": 5}, head), 422, "validation_error")
    extended = ok(tongcheng.post("police", extend, {"reason": "异地调取证据", "extra_days": 4}, head))
    window = windows(extended)["police_arrest_request"][0]
    assert window["window"] + window["extra_days"] == 7
    refused(tongcheng.post("police", extend, {"reason": "再延", "extra_days": 1}, head), 422, "beyond_legal_maximum")
    to_thirty = ok(tongcheng.post("police", extend, {"reason": "结伙作案", "ground": "gang"}, head))
    window = windows(to_thirty)["police_arrest_request"][0]
    assert window["window"] + window["extra_days"] == 30
    refused(
        tongcheng.post("police", extend, {"reason": "再延", "ground": "roving"}, head),
        422,
        "beyond_legal_maximum",
    )

    case = ok(tongcheng.post("police", f"{path}/arrest-requests", {"suspect_ids": [wang]}, investigator))
    refused(
        tongcheng.post("police", f"{path}/arrest-requests", {"suspect_ids": [wang]}, investigator),
        409,
        "request_pending",
    )
    review = review_of(tongcheng, case["arrest_requests"][0]["request_id"])
    approve = {"decisions": [{"suspect_id": wang, "decision": "approve", "reasons": "符合逮捕条件"}]}
    decide = f"/arrest-reviews/{review['id']}/decisions"
    refused(
        tongcheng.post("procuratorate", decide, approve, token(stack.procuratorate, "city.supervisor")),
        403,
        "forbidden",
    )
    refused(tongshan.post("procuratorate", decide, approve, tongshan.procuratorate()), 403, "forbidden")
    refused(
        tongcheng.post(
            "procuratorate", f"/arrest-reviews/{review['id']}/extension", {"reason": "复杂"}, tongcheng.procuratorate()
        ),
        403,
        "forbidden",
    )
    refused(
        tongcheng.post(
            "procuratorate",
            f"/arrest-reviews/{review['id']}/extension",
            {"reason": "复杂"},
            tongshan.procuratorate("supervisor"),
        ),
        403,
        "forbidden",
    )
    # a detained suspect's review never extends
    refused(
        tongcheng.post(
            "procuratorate",
            f"/arrest-reviews/{review['id']}/extension",
            {"reason": "复杂"},
            token(stack.procuratorate, "city.supervisor"),
        ),
        409,
        "no_running_window",
    )
    person = {"name": "王某乙", "role": "提供银行账户用于转移财产", "evidence": ["银行流水第3页"]}
    recorded = ok(
        tongcheng.post("procuratorate", f"/arrest-reviews/{review['id']}/persons", person, tongcheng.procuratorate())
    )
    assert [p["name"] for p in recorded["persons_involved"]] == ["王某乙"]
    ok(tongcheng.post("procuratorate", decide, approve, tongcheng.procuratorate()))
    refused(tongcheng.post("procuratorate", decide, approve, tongcheng.procuratorate()), 409, "already_decided")
    refused(
        httpx.get(f"{stack.procuratorate.url}/arrest-reviews/no-such-review", headers=tongcheng.procuratorate()),
        404,
        "not_found",
    )


def test_cpl_92_a_refusal_reconsidered_upheld_then_changed_on_review_by_the_city(stack: Stack) -> None:
    """要求复议 to the county's procuratorate (7 days, its chief prosecutor decides: upheld), then 提请复核 to the
    city's (15 days: changed) — the approval reaches the police, who execute it."""
    chibi = County(stack, "chibi")
    _, case = filed_case(chibi, "(2024)鄂1281执303号", "钟某")
    zhong = suspect_id(case, "钟某")
    investigator, head = chibi.police(), chibi.police("head")
    case = ok(chibi.post("police", f"/cases/{case['id']}/arrest-requests", {"suspect_ids": [zhong]}, investigator))
    request_id = case["arrest_requests"][0]["request_id"]
    review = review_of(chibi, request_id)
    refusal = {"suspect_id": zhong, "decision": "refuse", "reasons": "证据不足"}
    ok(chibi.post("procuratorate", f"/arrest-reviews/{review['id']}/decisions", {"decisions": [refusal]},
                  chibi.procuratorate()))  # fmt: skip

    def decision() -> dict[str, Any]:
        request = chibi.get("police", f"/cases/{case['id']}", investigator)["arrest_requests"][0]
        return dict(request["decisions"].get(zhong) or {})

    wait_until(lambda: decision().get("decision") == "refuse", 15, message="the refusal at the police")
    ask = f"/cases/{case['id']}/arrest-requests/{request_id}/reconsideration"
    early_review = {"suspect_id": zhong, "stage": "review", "reasons": "认为不批准逮捕错误"}
    refused(chibi.post("police", ask, early_review, head), 409, "out_of_turn")
    reconsider = {"suspect_id": zhong, "stage": "reconsideration", "reasons": "认为不批准逮捕错误"}
    refused(chibi.post("police", ask, reconsider, investigator), 403, "forbidden")
    ok(chibi.post("police", ask, reconsider, head))

    path = f"/arrest-reviews/{review['id']}"

    def window(kind: str) -> dict[str, Any]:  # read at the city level: the 复核 window is the city's
        shown = chibi.get("procuratorate", path, token(stack.procuratorate, "city.supervisor"))
        return next((w for w in shown["windows"] if w["kind"] == kind), {})

    wait_until(lambda: window("arrest_reconsideration").get("state") == "running", 15, message="the 复议 window")
    upheld = {"suspect_id": zhong, "stage": "reconsideration", "changed": False, "reasons": "维持原决定"}
    refused(chibi.post("procuratorate", f"{path}/reconsideration", upheld, chibi.procuratorate()), 403, "forbidden")
    ok(chibi.post("procuratorate", f"{path}/reconsideration", upheld, chibi.procuratorate("chief")))
    assert window("arrest_reconsideration")["state"] == "met"

    def asked() -> list[dict[str, Any]]:
        request = chibi.get("police", f"/cases/{case['id']}", investigator)["arrest_requests"][0]
        return list(request.get("reconsiderations", {}).get(zhong, []))

    wait_until(lambda: asked() and asked()[-1].get("changed") is False, 15, message="the 复议 decision at the police")
    ok(chibi.post("police", ask, {**reconsider, "stage": "review"}, head))
    wait_until(lambda: window("arrest_review_at_next_level").get("state") == "running", 15, message="the 复核 window")
    assert window("arrest_review_at_next_level")["unit"] == "421200", "the city's procuratorate, the next level up"
    changed = {"suspect_id": zhong, "stage": "review", "changed": True, "reasons": "证据足以证明转移财产"}
    refused(
        chibi.post("procuratorate", f"{path}/reconsideration", changed, chibi.procuratorate("chief")), 403, "forbidden"
    )
    city_chief = token(stack.procuratorate, "city.chief")
    ok(chibi.post("procuratorate", f"{path}/reconsideration", changed, city_chief))

    wait_until(lambda: decision().get("decision") == "approve", 15, message="the changed decision at the police")
    execution = {"suspect_id": zhong, "outcome": "arrested"}
    executed = ok(chibi.post("police", f"/cases/{case['id']}/arrest-requests/{request_id}/executions", execution,
                             investigator))  # fmt: skip
    assert next(s for s in executed["suspects"] if s["suspect_id"] == zhong)["custody"] == "arrested"
