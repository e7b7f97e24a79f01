"""立案监督 end to end: a co-offender found during an arrest review, a court's request after a decline, a notice left
unanswered — three services as processes on a real broker, HTTP only, clocks moved."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack, advance_clocks, pass_window, serve_notice, token
from tests.e2e.test_arrest_review import County, filed_case, ok, refused, review_of, suspect_id
from tests.support.infra import wait_until
from tests.support.letters import NOT_YET_PROVED, PARTICULARS

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]


def notice_at_police(county: County, notice_id: str) -> dict[str, Any]:
    """The notice in the bureau's inbox, once it has arrived."""
    investigator = county.police()
    url = f"{county.stack.police.url}/supervision-notices/{notice_id}"
    wait_until(lambda: httpx.get(url, headers=investigator).status_code == 200, 15, message="the notice arriving")
    return dict(ok(httpx.get(url, headers=investigator)))


def on_procuratorate_timeline(county: County, lead_id: str, event_type: str) -> None:
    """Wait until the procuratorate has received this hand-off of the matter."""
    prosecutor = county.procuratorate()
    url = f"{county.stack.procuratorate.url}/matters/{lead_id}"

    def types() -> list[str]:
        response = httpx.get(url, headers=prosecutor)
        return [e["event_type"] for e in response.json()["timeline"]] if response.status_code == 200 else []

    wait_until(lambda: event_type in types(), 15, message=f"{event_type} reaching the procuratorate")


def supervision(county: County, supervision_id: str) -> dict[str, Any]:
    return dict(county.get("procuratorate", f"/supervision-cases/{supervision_id}", county.procuratorate()))


def test_tongshan_the_wife_who_lent_her_account_is_filed_on_the_procuratorates_notice(stack: Stack) -> None:
    """The whole Tongshan story: 陈某某 referred, filed, his arrest requested; reviewing it the procuratorate finds that
    his wife 郑某某 provided the account the assets were moved through, notifies the police to file against her, and
    the police file at once; the supervision closes as complied, and the matter holds two police cases."""
    tongshan = County(stack, "tongshan")
    lead, case = filed_case(tongshan, "(2023)鄂1224执790号", "陈某某")
    investigator = tongshan.police()
    chen = suspect_id(case, "陈某某")
    case = ok(tongshan.post("police", f"/cases/{case['id']}/arrest-requests", {"suspect_ids": [chen]}, investigator))
    review = review_of(tongshan, case["arrest_requests"][0]["request_id"])

    prosecutor = tongshan.procuratorate()
    wife = {"name": "郑某某", "role": "提供本人银行账户供陈某某转移财产", "evidence": ["郑某某名下银行账户流水"]}
    review = ok(tongshan.post("procuratorate", f"/arrest-reviews/{review['id']}/persons", wife, prosecutor))
    (person,) = review["persons_involved"]
    opened = ok(
        tongshan.post(
            "procuratorate",
            "/supervision-cases",
            {"review_id": review["id"], "reasons": "审查逮捕中发现同案犯"},
            prosecutor,
        ),
        201,
    )
    assert opened["origin"] == "arrest_review"
    notice = {"reasons": "郑某某涉嫌共同犯罪，应当立案侦查", "person_id": person["person_id"]}
    path = f"/supervision-cases/{opened['id']}"
    proposed = ok(tongshan.post("procuratorate", f"{path}/filing-notice", notice, prosecutor))
    assert (proposed["notices"], proposed["proposal"]["act"]) == ([], "filing_notice"), "the chief prosecutor decides"
    refused(tongshan.post("procuratorate", f"{path}/filing-notice", notice, prosecutor), 409, "proposal_pending")
    refused(tongshan.post("procuratorate", f"{path}/approval", {"approve": True}, prosecutor), 403, "forbidden")
    supervised = ok(
        tongshan.post("procuratorate", f"{path}/approval", {"approve": True}, tongshan.procuratorate("chief"))
    )
    (issued,) = supervised["notices"]
    assert issued["co_offender"]["name"] == "郑某某"
    assert issued["document_number"].startswith("通山检刑通立〔")
    assert issued["approval"]["approved_by"] == "tongshan.chief"
    again = tongshan.post("procuratorate", f"{path}/filing-notice", notice, prosecutor)
    refused(again, 409, "notice_pending")

    arrived = notice_at_police(tongshan, issued["notice_id"])
    assert (arrived["kind"], arrived["status"]) == ("filing_notice", "open")
    (window,) = arrived["windows"]
    assert (window["kind"], window["state"], window["window"]) == ("police_file_after_notice", "running", 15)
    refused(
        tongshan.post("police", f"/supervision-notices/{issued['notice_id']}/filing", {}, investigator),
        403,
        "forbidden",
    )
    reused = {"case_number": case["case_number"]}  # 陈某某's number: a 立案 number names one case
    refused(
        tongshan.post("police", f"/supervision-notices/{issued['notice_id']}/filing", reused, tongshan.police("head")),
        409,
        "case_number_taken",
    )
    assert notice_at_police(tongshan, issued["notice_id"])["status"] == "open", "nothing was written"
    filed = ok(
        tongshan.post("police", f"/supervision-notices/{issued['notice_id']}/filing", {}, tongshan.police("head"))
    )
    assert filed["status"] == "answered"
    assert filed["windows"][0]["state"] == "met"
    (wife_case,) = [
        c for c in tongshan.get("police", "/cases", investigator, limit=200)["items"] if c["id"] == filed["case_id"]
    ]
    assert wife_case["correlation_id"] == lead["id"], "a new case in the same matter"
    assert wife_case["referral_id"] is None
    assert [s["name"] for s in wife_case["suspects"]] == ["郑某某"]

    wait_until(lambda: supervision(tongshan, opened["id"])["status"] == "closed", 15, message="the supervision closing")
    closed = supervision(tongshan, opened["id"])
    assert closed["outcome"] == "complied"
    assert closed["notices"][0]["answer"]["case_id"] == wife_case["id"]
    assert closed["notices"][0]["police_window"]["state"] == "met"
    again = tongshan.post(
        "procuratorate", "/supervision-cases", {"review_id": review["id"], "reasons": "再次"}, prosecutor
    )
    refused(again, 409, "already_open")

    officer = tongshan.court()

    def court_cases() -> list[dict[str, Any]]:
        return list(tongshan.get("court", f"/leads/{lead['id']}", officer)["police_cases"])

    wait_until(lambda: len(court_cases()) == 2, 15, message="both police cases reaching the court")
    assert sorted(s["name"] for c in court_cases() for s in c["suspects"]) == ["郑某某", "陈某某"]

    # the court shows the whole matter as one timeline, in causal order; each agency shows its part
    approve = {"decisions": [{"suspect_id": chen, "decision": "approve", "reasons": "符合逮捕条件"}]}
    ok(tongshan.post("procuratorate", f"/arrest-reviews/{review['id']}/decisions", approve, tongshan.procuratorate()))

    def court_timeline() -> list[str]:
        return [e["event_type"] for e in tongshan.get("court", f"/matters/{lead['id']}/timeline", officer)["events"]]

    wait_until(lambda: "procuratorate.arrest.decided" in court_timeline(), 15, message="the decision at the court")
    events = court_timeline()
    in_order = [
        "court.referral.submitted",
        "police.referral.received",
        "police.case.filed",
        "police.arrest.requested",
        "procuratorate.supervision.filing_notice_issued",
        "police.supervision.filing_notice_complied",
        "procuratorate.supervision.closed",
        "procuratorate.arrest.decided",
    ]
    assert [e for e in events if e in in_order] == in_order
    matter = tongshan.get("court", f"/matters/{lead['id']}/timeline", officer)
    assert "police.case.opened" not in events, "one line per act: each opening folded into its filing"
    folded = {e["event_type"]: e["folded"] for e in matter["events"] if e["folded"]}
    assert folded == {
        "police.case.filed": ["police.case.opened"],
        "police.supervision.filing_notice_complied": ["police.case.opened"],
    }, "both police cases"
    kinds = {(w["agency"], w["kind"]) for w in matter["windows"]}
    assert ("court", "police_filing_decision") in kinds, "the court's own mirror"
    assert ("police", "police_file_after_notice") in kinds
    assert ("procuratorate", "arrest_review_not_detained") in kinds
    police_part = tongshan.get("police", f"/matters/{lead['id']}/timeline", tongshan.police())
    assert {e["source"] for e in police_part["events"]} == {"own", "received"}
    refused(
        httpx.get(f"{stack.court.url}/matters/{lead['id']}/timeline", headers=token(stack.court, "tongcheng.officer")),
        403,
        "forbidden",
    )


def test_a_decline_the_courts_request_reasons_then_a_notice_to_file_every_window_met(stack: Stack) -> None:
    tongcheng = County(stack, "tongcheng")
    officer, judge = tongcheng.court(), tongcheng.court("judge")
    body = {
        "enforcement_case_number": "(2024)鄂1222执401号",
        "amount_owed": "80000.00",
        "summary": "拒不履行",
        "suspects": [{"name": "黄某", "kind": "person", "role": "debtor"}],
        **PARTICULARS,
    }
    lead = ok(tongcheng.post("court", "/leads", body, officer), 201)
    ok(
        tongcheng.post(
            "court", f"/leads/{lead['id']}/assessment", {"conclusion": "suspected", "reasons": "有能力"}, judge
        )
    )
    serve_notice(stack, lead["id"], officer)
    letter = {"override_reason": "转移财产", "missing_evidence": NOT_YET_PROVED}
    referral = ok(tongcheng.post("court", f"/leads/{lead['id']}/referral", letter, judge), 201)
    premature = tongcheng.post(
        "court", f"/referrals/{referral['id']}/supervision-request", {"reasons": "未立案"}, officer
    )
    refused(premature, 409, "filing_window_running")

    investigator, head = tongcheng.police(), tongcheng.police("head")
    wait_until(
        lambda: httpx.get(f"{stack.police.url}/referrals/{referral['id']}", headers=investigator).status_code == 200,
        10,
        message="the referral arriving",
    )
    ok(tongcheng.post("police", f"/referrals/{referral['id']}/registration", None, investigator))
    decline = {"decision": "decline", "reasons": "现有证据不能证明有能力执行"}
    ok(tongcheng.post("police", f"/referrals/{referral['id']}/decision", decline, investigator))
    ok(tongcheng.post("police", f"/referrals/{referral['id']}/decision/approval", {"approve": True}, head))
    ok(tongcheng.post("police", f"/referrals/{referral['id']}/non-filing-notice", {}, investigator))

    def court_referral() -> dict[str, Any]:  # staff log in again as the clocks move
        return dict(tongcheng.get("court", f"/referrals/{referral['id']}", tongcheng.court()))

    wait_until(lambda: court_referral()["status"] == "declined", 15, message="the decline reaching the court")
    requested = ok(
        tongcheng.post(
            "court",
            f"/referrals/{referral['id']}/supervision-request",
            {"reasons": "被执行人转移房产证据确实"},
            officer,
        )
    )
    assert requested["supervision"]["request"]["ground"] == "declined"
    twice = tongcheng.post("court", f"/referrals/{referral['id']}/supervision-request", {"reasons": "再"}, officer)
    refused(twice, 409, "supervision_requested")

    prosecutor = tongcheng.procuratorate()

    def inbox() -> list[dict[str, Any]]:
        items = tongcheng.get("procuratorate", "/supervision-cases", prosecutor, limit=200)["items"]
        return [c for c in items if c["referral_id"] == referral["id"]]

    wait_until(lambda: len(inbox()) == 1, 15, message="the request reaching the procuratorate")
    (case,) = inbox()
    assert case["court_request"]["decline_reasons"] == "现有证据不能证明有能力执行"
    path = f"/supervision-cases/{case['id']}"
    refused(
        tongcheng.post("procuratorate", f"{path}/acceptance", {"note": "理由成立"}, prosecutor), 409, "no_explanation"
    )
    demanded = ok(
        tongcheng.post("procuratorate", f"{path}/explanation-demand", {"reasons": "请说明不立案理由"}, prosecutor)
    )
    demand = demanded["notices"][0]
    early = tongcheng.post("procuratorate", f"{path}/filing-notice", {"reasons": "应当立案"}, prosecutor)
    refused(early, 409, "explanation_first")  # CPL Art. 113: the police's 7 days to give their reasons still run

    arrived = notice_at_police(tongcheng, demand["notice_id"])
    assert arrived["windows"][0]["kind"] == "police_explain_non_filing"
    wrong = tongcheng.post("police", f"/supervision-notices/{demand['notice_id']}/filing", {}, head)
    refused(wrong, 422, "wrong_notice")
    refused(
        tongcheng.post("police", "/supervision-notices/never-sent/explanation", {"explanation": "x"}, investigator),
        404,
        "not_found",
    )
    advance_clocks(stack, 3 * 86400)
    investigator, head, prosecutor = tongcheng.police(), tongcheng.police("head"), tongcheng.procuratorate()
    ok(  # the head who approved the decline explains it
        tongcheng.post(
            "police",
            f"/supervision-notices/{demand['notice_id']}/explanation",
            {"explanation": "证据不足"},
            head,
        )
    )
    wait_until(
        lambda: supervision(tongcheng, case["id"])["notices"][0]["answer"] is not None,
        15,
        message="the reasons arriving",
    )
    notice = {"reasons": "不立案理由不能成立，应当立案"}
    ok(tongcheng.post("procuratorate", f"{path}/filing-notice", notice, prosecutor))
    chief = tongcheng.procuratorate("chief")  # 经检察长决定 (SPP Rules Art. 561)
    issued = ok(tongcheng.post("procuratorate", f"{path}/approval", {"approve": True}, chief))["notices"][1]
    arrived = notice_at_police(tongcheng, issued["notice_id"])
    assert arrived["co_offender"] is None
    advance_clocks(stack, 5 * 86400)
    head = tongcheng.police("head")
    ok(tongcheng.post("police", f"/supervision-notices/{issued['notice_id']}/filing", {}, head))

    wait_until(lambda: court_referral()["status"] == "filed", 15, message="the filing reaching the court")
    wait_until(
        lambda: (court_referral()["supervision"] or {}).get("status") == "complied",
        15,
        message="the outcome at the court",
    )
    wait_until(lambda: len(court_referral()["supervision"]["history"]) == 5, 15, message="every act at the court")
    followed = court_referral()["supervision"]
    assert followed["status"] == "complied"
    assert sorted(h["event_type"] for h in followed["history"]) == sorted(
        [
            "procuratorate.supervision.explanation_demanded",
            "police.supervision.explanation_given",
            "procuratorate.supervision.filing_notice_issued",
            "police.supervision.filing_notice_complied",
            "procuratorate.supervision.closed",
        ]
    )
    closed = supervision(tongcheng, case["id"])
    assert (closed["status"], closed["outcome"]) == ("closed", "complied")
    windows = [n["police_window"] for n in closed["notices"]]
    assert [(w["kind"], w["state"]) for w in windows] == [
        ("police_explain_non_filing", "met"),
        ("police_file_after_notice", "met"),
    ]
    assert windows[0]["days_used"] == pytest.approx(3, abs=0.05)
    assert windows[1]["days_used"] == pytest.approx(5, abs=0.05)


def test_a_notice_to_file_left_unanswered_breaches_and_the_correction_reaches_the_police(stack: Stack) -> None:
    tongcheng = County(stack, "tongcheng")
    lead, case = filed_case(tongcheng, "(2024)鄂1222执402号", "罗某")
    on_procuratorate_timeline(tongcheng, lead["id"], "police.case.opened")
    prosecutor = tongcheng.procuratorate()
    opened = ok(
        tongcheng.post(
            "procuratorate", "/supervision-cases", {"correlation_id": lead["id"], "reasons": "依职权监督"}, prosecutor
        ),
        201,
    )
    path = f"/supervision-cases/{opened['id']}"
    no_evidence = {"reasons": "同案犯", "co_offender": {"name": "罗某乙", "part_in_scheme": "代持房产", "evidence": []}}
    refused(tongcheng.post("procuratorate", f"{path}/filing-notice", no_evidence, prosecutor), 422, "validation_error")
    filed_person = {
        "reasons": "同案犯",
        "co_offender": {"name": "罗某", "part_in_scheme": "被执行人", "evidence": ["流水"]},
    }
    refused(tongcheng.post("procuratorate", f"{path}/filing-notice", filed_person, prosecutor), 409, "already_filed")
    assert supervision(tongcheng, opened["id"])["notices"] == [], "nothing was issued"
    helper = {
        "reasons": "同案犯",
        "co_offender": {"name": "罗某乙", "part_in_scheme": "代持房产", "evidence": ["房产登记"]},
    }
    ok(tongcheng.post("procuratorate", f"{path}/filing-notice", helper, prosecutor))
    chief = tongcheng.procuratorate("chief")
    issued = ok(tongcheng.post("procuratorate", f"{path}/approval", {"approve": True}, chief))["notices"][0]
    at_police = notice_at_police(tongcheng, issued["notice_id"])
    early = {"notice_id": issued["notice_id"], "violation": "逾期未立案"}
    refused(tongcheng.post("procuratorate", f"{path}/correction-notice", early, prosecutor), 409, "window_running")

    pass_window(stack, at_police["windows"][0])
    investigator, prosecutor = tongcheng.police(), tongcheng.procuratorate()
    wait_until(
        lambda: (supervision(tongcheng, opened["id"])["notices"][0]["police_window"] or {}).get("state") == "breached",
        15,
        message="the police's breach reaching the procuratorate",
    )
    corrected = ok(tongcheng.post("procuratorate", f"{path}/correction-notice", early, prosecutor))
    correction = corrected["notices"][1]
    assert correction["kind"] == "correction_notice"
    arrived = notice_at_police(tongcheng, correction["notice_id"])
    assert (arrived["kind"], arrived["status"], arrived["concerns_notice_id"]) == (
        "correction_notice",
        "received",
        issued["notice_id"],
    )
    still_open = tongcheng.get("police", f"/supervision-notices/{issued['notice_id']}", investigator)
    assert still_open["status"] == "open", "a notice stays open until the bureau files"
    assert still_open["windows"][0]["state"] == "breached"
    reminder = {"case_id": case["id"], "text": "请加快侦查"}
    refused(tongcheng.post("procuratorate", f"{path}/reminders", reminder, prosecutor), 422, "unknown_case")
    refused(
        tongcheng.post(
            "procuratorate", f"{path}/correction-notice", early, token(stack.procuratorate, "city.supervisor")
        ),
        403,
        "forbidden",
    )
