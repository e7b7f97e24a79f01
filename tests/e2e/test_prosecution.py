"""How a matter ends, end to end: transfer, supplementary investigation, non-prosecution after payment, indictment and
judgment, the creditor's private prosecution, and a withdrawal — three services as processes on a real broker."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack, advance_clocks, court_now, serve_notice, service_day
from tests.e2e.test_arrest_review import County, filed_case, ok, refused, suspect_id
from tests.support.infra import wait_until
from tests.support.letters import NOT_YET_PROVED, PARTICULARS

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

COMPANY = "武汉某建筑工程有限公司"


def review_for_case(county: County, case_id: str) -> dict[str, Any]:
    """The procuratorate's prosecution review of a transferred case, once it has arrived."""
    prosecutor = county.procuratorate()

    def found() -> list[dict[str, Any]]:
        items = county.get("procuratorate", "/prosecution-reviews", prosecutor, limit=200)["items"]
        return [r for r in items if r["case_id"] == case_id]

    wait_until(lambda: len(found()) == 1, 15, message="the transferred case arriving at the procuratorate")
    return dict(county.get("procuratorate", f"/prosecution-reviews/{found()[0]['id']}", prosecutor))


def police_case(county: County, case_id: str) -> dict[str, Any]:
    return dict(county.get("police", f"/cases/{case_id}", county.police()))


def transfer(county: County, case_id: str) -> dict[str, Any]:
    return dict(ok(county.post("police", f"/cases/{case_id}/transfer", {}, county.police())))


def test_jiayu_the_company_is_fined_and_its_legal_representative_imprisoned(stack: Stack) -> None:
    """武汉某建筑工程有限公司 and its legal representative 祁某某: referred, filed, transferred, indicted, accepted and
    judged — the company fined ¥100,000, 祁某某 sentenced to 2 years 6 months; every agency holds the outcome."""
    jiayu = County(stack, "jiayu")
    suspects = [
        {"name": COMPANY, "kind": "unit", "role": "debtor"},
        {"name": "祁某某", "kind": "person", "role": "legal_representative", "id_number": "42122119700101123X"},
    ]
    lead, case = filed_case(jiayu, "(2022)鄂1221执1234号", COMPANY, suspects=suspects)
    company, qi = suspect_id(case, COMPANY), suspect_id(case, "祁某某")
    assert next(s for s in case["suspects"] if s["suspect_id"] == qi)["represents"] == company
    case = transfer(jiayu, case["id"])
    assert case["status"] == "transferred"
    assert case["transfers"][0]["document_number"].startswith("嘉鱼公（刑）诉字〔")

    review = review_for_case(jiayu, case["id"])
    assert [w["kind"] for w in review["windows"]] == ["prosecution_review"]
    prosecutor = jiayu.procuratorate()
    proposal = {"text": "追缴被告单位转移的工程款，发还申请执行人", "amount": "380000.00"}
    indictment = {"charges": "拒不执行判决、裁定罪：有能力执行而拒不执行，情节严重", "asset_proposal": proposal}
    stranger = {**indictment, "defendant_ids": ["no-such-suspect"]}
    refused(
        jiayu.post("procuratorate", f"/prosecution-reviews/{review['id']}/indictment", stranger, prosecutor),
        422,
        "defendants",
    )
    indicted = ok(
        jiayu.post("procuratorate", f"/prosecution-reviews/{review['id']}/indictment", indictment, prosecutor)
    )
    assert indicted["status"] == "indicted"
    assert indicted["windows"][0]["state"] == "met"

    judge = jiayu.court("judge")

    def trials() -> list[dict[str, Any]]:
        return list(jiayu.get("court", "/trials", judge, limit=200)["items"])

    wait_until(lambda: any(t["review_id"] == review["id"] for t in trials()), 15, message="the indictment at the court")
    (trial,) = [t for t in trials() if t["review_id"] == review["id"]]
    trial = jiayu.get("court", f"/trials/{trial['id']}", judge)
    assert trial["windows"][0]["kind"] == "public_prosecution_acceptance"
    assert {d["name"] for d in trial["defendants"]} == {COMPANY, "祁某某"}
    path = f"/trials/{trial['id']}"
    early = {"sentences": [{"defendant_id": company, "fine": "100000"}], "recovered": "0"}
    refused(jiayu.post("court", f"{path}/judgment", early, judge), 409, "trial_received")
    refused(jiayu.post("court", f"{path}/acceptance", {"court_case_number": "x"}, jiayu.court()), 403, "forbidden")
    ok(jiayu.post("court", f"{path}/acceptance", {"court_case_number": "(2025)鄂1221刑初45号"}, judge))
    ok(jiayu.post("court", f"{path}/hearings", {"held_on": service_day(stack), "note": "公开开庭审理"}, judge))

    for wrong, code in (
        ({"sentences": [{"defendant_id": "no-such", "fine": "100000"}], "recovered": "0"}, "not_a_defendant"),
        ({"sentences": [{"defendant_id": qi, "imprisonment_months": 90}], "recovered": "0"}, "invalid_sentence"),
        ({"sentences": [{"defendant_id": company, "imprisonment_months": 30}], "recovered": "0"}, "invalid_sentence"),
        ({"sentences": [{"defendant_id": qi, "imprisonment_months": -3}], "recovered": "0"}, "validation_error"),
    ):
        refused(jiayu.post("court", f"{path}/judgment", wrong, judge), 422, code)
    sentences = [
        {"defendant_id": company, "fine": "100000"},
        {"defendant_id": qi, "imprisonment_months": 30},
    ]
    beyond = {"sentences": sentences, "recovered": "1300000.00"}  # more than the 1,200,000 owed, no reason given
    refused(jiayu.post("court", f"{path}/judgment", beyond, judge), 422, "recovery_exceeds_owed")
    judged = ok(jiayu.post("court", f"{path}/judgment", {"sentences": sentences, "recovered": "380000.00"}, judge))
    assert judged["status"] == "judged"
    assert judged["judgment"]["owed_at_judgment"] == "1200000.00", "both figures shown"
    assert {w["kind"]: w["state"] for w in judged["windows"]} == {
        "public_prosecution_acceptance": "met",
        "trial_period": "met",  # CPL Art. 208: two months from the acceptance, met by the judgment
    }
    assert judged["judgment"]["appeal_ends_at"] is None, "the appeal period runs from the written judgment's receipt"
    served = ok(jiayu.post("court", f"{path}/judgment-service", {"served_at": court_now(stack).isoformat()}, judge))
    assert served["judgment"]["appeal_ends_at"] > served["judgment"]["served_at"]

    officer = jiayu.court()
    followed = jiayu.get("court", f"/leads/{lead['id']}", officer)
    assert followed["recovered"] == "380000.00", "the recovered amount counts in the enforcement lead"
    assert followed["trials"][0]["judgment"]["sentences"][1]["imprisonment_months"] == 30
    wait_until(lambda: police_case(jiayu, case["id"])["status"] == "judged", 15, message="the judgment at the police")
    held = police_case(jiayu, case["id"])["judgment"]["sentences"]
    assert {(s["name"], s.get("fine"), s.get("imprisonment_months")) for s in held} == {
        (COMPANY, "100000.00", None),
        ("祁某某", None, 30),
    }
    wait_until(
        lambda: (
            jiayu.get("procuratorate", f"/prosecution-reviews/{review['id']}", jiayu.procuratorate())["status"]
            == "judged"
        ),
        15,
        message="the judgment at the procuratorate",
    )


def test_two_returns_restart_the_review_and_a_third_is_refused(stack: Stack) -> None:
    tongcheng = County(stack, "tongcheng")
    _, case = filed_case(tongcheng, "(2024)鄂1222执501号", "程某")
    transfer(tongcheng, case["id"])
    review = review_for_case(tongcheng, case["id"])
    first_window = review["windows"][0]
    prosecutor = tongcheng.procuratorate()
    path = f"/prosecution-reviews/{review['id']}"

    for number in (1, 2):
        back = ok(
            tongcheng.post("procuratorate", f"{path}/return", {"outline": f"第{number}次补充侦查提纲"}, prosecutor)
        )
        assert back["status"] == "returned"
        assert back["windows"][0]["state"] == "met"
        refused(
            tongcheng.post(
                "procuratorate", f"{path}/indictment", {"charges": "x", "asset_proposal": {"text": "无"}}, prosecutor
            ),
            409,
            "review_returned",
        )
        wait_until(
            lambda: police_case(tongcheng, case["id"])["status"] == "returned", 15, message="the return at the police"
        )
        at_police = police_case(tongcheng, case["id"])
        assert at_police["returns"][-1]["outline"] == f"第{number}次补充侦查提纲"
        supplementary = [w for w in at_police["windows"] if w["kind"] == "police_supplementary_investigation"]
        assert supplementary[-1]["state"] == "running"
        advance_clocks(stack, 10 * 86400)
        prosecutor = tongcheng.procuratorate()
        resubmitted = transfer(tongcheng, case["id"])
        assert resubmitted["transfers"][-1]["resubmission"] == number
        assert [w["state"] for w in resubmitted["windows"] if w["kind"] == "police_supplementary_investigation"][
            -1
        ] == "met"

        def restarted() -> dict[str, Any]:
            return dict(tongcheng.get("procuratorate", path, tongcheng.procuratorate())["windows"][0])

        wait_until(lambda n=number: restarted()["restarts"] == n, 15, message="the review window restarting")
        window = restarted()
        assert window["id"] == first_window["id"], "the same review's window, restarted"
        assert window["state"] == "running"
        assert window["period_started_at"] > first_window["period_started_at"]

    third = tongcheng.post("procuratorate", f"{path}/return", {"outline": "第3次"}, tongcheng.procuratorate())
    refused(third, 409, "return_limit")
    assert tongcheng.get("procuratorate", path, tongcheng.procuratorate())["status"] == "reviewing"

    # reviewing the prosecution, the procuratorate may open 立案监督 of the matter on its own initiative
    opening = {"prosecution_review_id": review["id"], "reasons": "审查起诉中发现漏罪漏犯"}
    opened = ok(tongcheng.post("procuratorate", "/supervision-cases", opening, tongcheng.procuratorate()), 201)
    # about persons not yet filed: the referral, filed already, is not the supervision's
    assert (opened["origin"], opened["referral_id"]) == ("prosecution_review", None)
    demand = {"reasons": "说明不立案理由"}
    refused(
        tongcheng.post("procuratorate", f"/supervision-cases/{opened['id']}/explanation-demand", demand,
                       tongcheng.procuratorate()),
        422,
        "no_referral",
    )  # fmt: skip
    refused(
        tongcheng.post("procuratorate", "/supervision-cases", opening, tongcheng.procuratorate()), 409, "already_open"
    )


def test_full_payment_after_transfer_and_the_procuratorate_declines_to_prosecute(stack: Stack) -> None:
    tongcheng = County(stack, "tongcheng")
    lead, case = filed_case(tongcheng, "(2024)鄂1222执502号", "付某")
    transfer(tongcheng, case["id"])
    review = review_for_case(tongcheng, case["id"])
    path = f"/prosecution-reviews/{review['id']}"
    paid = {"ground": "paid_and_minor", "reasons": "提起公诉前已全部履行，情节较轻"}
    refused(
        tongcheng.post("procuratorate", f"{path}/non-prosecution", paid, tongcheng.procuratorate()),
        409,
        "no_performance",
    )

    officer = tongcheng.court()
    payment = {"amount": "1200000.00", "paid_on": service_day(stack), "channel": "court_account"}
    performed = ok(tongcheng.post("court", f"/leads/{lead['id']}/payments", payment, officer))
    assert performed["status"] == "performed"
    wait_until(
        lambda: tongcheng.get("procuratorate", path, tongcheng.procuratorate())["performance"] is not None,
        15,
        message="the performance reaching the procuratorate",
    )
    proposed = ok(tongcheng.post("procuratorate", f"{path}/non-prosecution", paid, tongcheng.procuratorate()))
    assert (proposed["status"], proposed["proposal"]["ground"]) == ("reviewing", "paid_and_minor")
    chief = tongcheng.procuratorate("chief")  # 经检察长决定 (SPP Rules Art. 370)
    declined = ok(tongcheng.post("procuratorate", f"{path}/approval", {"approve": True}, chief))
    assert (declined["status"], declined["decision"]["ground"]) == ("not_prosecuted", "paid_and_minor")
    assert declined["decision"]["approved_by"] == "tongcheng.chief"
    wait_until(
        lambda: police_case(tongcheng, case["id"])["status"] == "not_prosecuted",
        15,
        message="the decision at the police",
    )

    def court_case() -> dict[str, Any]:
        return dict(tongcheng.get("court", f"/leads/{lead['id']}", tongcheng.court())["police_cases"][0])

    wait_until(
        lambda: any(m["event_type"] == "procuratorate.prosecution.declined" for m in court_case()["milestones"] or []),
        15,
        message="the outcome at the court",
    )
    followed = tongcheng.get("court", f"/leads/{lead['id']}", tongcheng.court())
    assert followed["recovered"] == "1200000.00"
    milestone = next(m for m in court_case()["milestones"] if m["event_type"] == "procuratorate.prosecution.declined")
    assert milestone["ground"] == "paid_and_minor"


def test_after_a_decline_the_creditor_prosecutes_privately_and_wins(stack: Stack) -> None:
    tongcheng = County(stack, "tongcheng")
    officer, judge = tongcheng.court(), tongcheng.court("judge")
    body = {
        "enforcement_case_number": "(2024)鄂1222执503号",
        "amount_owed": "90000.00",
        "summary": "拒不履行",
        "suspects": [{"name": "洪某乙", "kind": "person", "role": "debtor"}],
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
    explain = {"referral_id": referral["id"], "creditor": "洪某某", "explained_on": service_day(stack)}
    refused(tongcheng.post("court", "/trials", explain, officer), 409, "filing_window_running")

    investigator = tongcheng.police()
    wait_until(
        lambda: httpx.get(f"{stack.police.url}/referrals/{referral['id']}", headers=investigator).status_code == 200,
        10,
        message="the referral arriving",
    )
    ok(tongcheng.post("police", f"/referrals/{referral['id']}/registration", None, investigator))
    decline = {"decision": "decline", "reasons": "证据不足"}
    ok(tongcheng.post("police", f"/referrals/{referral['id']}/decision", decline, investigator))
    ok(
        tongcheng.post(
            "police", f"/referrals/{referral['id']}/decision/approval", {"approve": True}, tongcheng.police("head")
        )
    )
    ok(tongcheng.post("police", f"/referrals/{referral['id']}/non-filing-notice", {}, investigator))
    wait_until(
        lambda: tongcheng.get("court", f"/referrals/{referral['id']}", officer)["status"] == "declined",
        15,
        message="the decline at the court",
    )

    trial = ok(tongcheng.post("court", "/trials", explain, officer), 201)
    assert (trial["kind"], trial["status"]) == ("private", "option_explained")
    complaint = {
        "complainant": "洪某某",
        "text": "被告人洪某乙有能力执行而拒不执行，请求依法追究其刑事责任",
        "defendants": [{"name": "洪某乙"}],
    }
    trial = ok(tongcheng.post("court", f"/trials/{trial['id']}/complaint", complaint, officer))
    assert trial["windows"][0]["kind"] == "private_prosecution_acceptance"
    mediated = {"outcome": "mediated", "reasons": "调解"}
    refused(tongcheng.post("court", f"/trials/{trial['id']}/closure", mediated, judge), 422, "validation_error")
    trial = ok(
        tongcheng.post(
            "court", f"/trials/{trial['id']}/acceptance", {"court_case_number": "(2025)鄂1222刑初7号"}, judge
        )
    )
    assert trial["windows"][0]["state"] == "met"
    defendant = trial["defendants"][0]["defendant_id"]
    sentence = {"defendant_id": defendant, "criminal_detention_months": 5, "probation_months": 8}
    judged = ok(
        tongcheng.post(
            "court", f"/trials/{trial['id']}/judgment", {"sentences": [sentence], "recovered": "90000.00"}, judge
        )
    )
    assert judged["status"] == "judged"
    assert tongcheng.get("court", f"/leads/{lead['id']}", officer)["status"] == "performed"

    def timeline() -> list[str]:
        response = httpx.get(f"{stack.procuratorate.url}/matters/{lead['id']}", headers=tongcheng.procuratorate())
        return [e["event_type"] for e in response.json()["timeline"]] if response.status_code == 200 else []

    wait_until(lambda: "court.trial.judged" in timeline(), 15, message="the private judgment at the procuratorate")

    # a private prosecution is for a matter the police did not file
    _, filed = filed_case(tongcheng, "(2024)鄂1222执504号", "华某")
    wait_until(
        lambda: tongcheng.get("court", f"/referrals/{filed['referral_id']}", officer)["status"] == "filed",
        15,
        message="the filing at the court",
    )
    refused(
        tongcheng.post(
            "court",
            "/trials",
            {"referral_id": filed["referral_id"], "creditor": "洪某某", "explained_on": service_day(stack)},
            officer,
        ),
        409,
        "referral_filed",
    )


def test_the_police_withdraw_a_case_and_tell_the_court_within_its_window(stack: Stack) -> None:
    tongcheng = County(stack, "tongcheng")
    lead, case = filed_case(tongcheng, "(2024)鄂1222执505号", "吴某")
    path = f"/cases/{case['id']}"
    refused(
        tongcheng.post("police", f"{path}/withdrawal", {"reasons": "已履行"}, tongcheng.police("head")),
        422,
        "validation_error",
    )  # MPS Rules Art. 186: a ground, not free text alone
    reasons = {"ground": "trivial", "reasons": "被执行人已全部履行，情节显著轻微"}
    refused(tongcheng.post("police", f"{path}/withdrawal", reasons, tongcheng.police()), 403, "forbidden")
    withdrawn = ok(tongcheng.post("police", f"{path}/withdrawal", reasons, tongcheng.police("head")))
    assert withdrawn["status"] == "withdrawn"
    notice = next(w for w in withdrawn["windows"] if w["kind"] == "police_withdrawal_notice")
    assert notice["state"] == "running"
    assert next(w for w in withdrawn["windows"] if w["kind"] == "police_investigation")["state"] == "cancelled"
    refused(tongcheng.post("police", f"{path}/transfer", {}, tongcheng.police()), 409, "not_here")
    advance_clocks(stack, 2 * 86400)
    told = ok(tongcheng.post("police", f"{path}/withdrawal-notice", {}, tongcheng.police()))
    assert next(w for w in told["windows"] if w["kind"] == "police_withdrawal_notice")["state"] == "met"

    def court_milestones() -> list[dict[str, Any]]:
        cases = tongcheng.get("court", f"/leads/{lead['id']}", tongcheng.court())["police_cases"]
        return list(cases[0]["milestones"] or []) if cases else []

    wait_until(
        lambda: any(m["event_type"] == "police.case.withdrawn" for m in court_milestones()),
        15,
        message="the court told",
    )
    assert (
        next(m for m in court_milestones() if m["event_type"] == "police.case.withdrawn")["reasons"]
        == reasons["reasons"]
    )

    def court_window() -> dict[str, Any]:
        items = tongcheng.get(
            "court", "/deadlines/peer-windows", tongcheng.court(), correlation_id=lead["id"], limit=200
        )["items"]
        return next((w for w in items if w["kind"] == "police_withdrawal_notice"), {})

    wait_until(lambda: court_window().get("state") == "met", 15, message="the window met, as the court sees it")
    assert court_window()["days_used"] == pytest.approx(2, abs=0.05)

    # the police let the filed case go: the creditor may prosecute privately (CPL Art. 210(3))
    option = {"referral_id": case["referral_id"], "creditor": "申请执行人", "explained_on": service_day(stack)}
    explained = ok(tongcheng.post("court", "/trials", option, tongcheng.court()), 201)
    assert (explained["kind"], explained["status"]) == ("private", "option_explained")
