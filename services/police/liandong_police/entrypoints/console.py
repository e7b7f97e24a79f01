"""The bureau's staff console: referrals from the court, cases, and the procuratorate's supervision notices."""

from __future__ import annotations

from liandong.console.spec import Act, ConsoleSpec, Queue, Record, RecordKind, items, status_in
from liandong_police.service_layer.roles import BUREAU_HEAD, INVESTIGATOR, SUPERVISOR

INVESTIGATING = status_in("investigating", otherwise="案件不在侦查中")
suspects = items("suspects", "suspect_id", "name")
requests = items("arrest_requests", "request_id", "document_number")


def decision_ready(record: Record, _: str) -> str | None:
    status = record.get("status")
    if status == "awaiting_registration":
        return "须先登记受理"
    if status == "decision_proposed":
        return "拟办意见待局领导审批"
    return None if status == "registered" else "已作出立案决定"


def evidence_files(record: Record) -> list[tuple[str, str]]:
    return [
        (f"{e['filename']}（{e['status']}）", f"/referrals/{record['id']}/evidence/{e['sha256']}")
        for e in record.get("evidence_items") or []
        if e.get("status") == "fetched"
    ]


REFERRAL_ACTS = (
    Act(
        "registration",
        "登记受理",
        "/referrals/{referral_id}/registration",
        ready=status_in("awaiting_registration", otherwise="已登记"),
        no_body=True,
    ),
    Act("decision", "提出立案或不予立案意见", "/referrals/{referral_id}/decision", ready=decision_ready),
    Act(
        "approval",
        "审批立案意见",
        "/referrals/{referral_id}/decision/approval",
        ready=status_in("decision_proposed", otherwise="没有待审批的意见"),
    ),
    Act(
        "non-filing-notice",
        "送达不予立案通知书",
        "/referrals/{referral_id}/non-filing-notice",
        ready=status_in("declined", otherwise="没有不予立案决定"),
    ),
    Act(
        "extension",
        "延长立案审查期限",
        "/referrals/{referral_id}/extension",
        ready=status_in("awaiting_registration", "registered", "decision_proposed", otherwise="已作出决定"),
    ),
)

CASE_ACTS = (
    Act("suspects", "增列犯罪嫌疑人", "/cases/{case_id}/suspects", ready=INVESTIGATING),
    Act("log", "记录侦查活动", "/cases/{case_id}/log", ready=INVESTIGATING),
    Act("detentions", "刑事拘留", "/cases/{case_id}/detentions", ready=INVESTIGATING, options={"suspect_id": suspects}),
    Act(
        "detention-extension",
        "延长提请批准逮捕期限",
        "/cases/{case_id}/detentions/{detention_id}/extension",
        ready=INVESTIGATING,
        options={"detention_id": items("detentions", "detention_id", "name", "place")},
    ),
    Act(
        "arrest-request",
        "提请批准逮捕",
        "/cases/{case_id}/arrest-requests",
        ready=INVESTIGATING,
        options={"suspect_ids": suspects},
    ),
    Act(
        "execution",
        "执行逮捕决定",
        "/cases/{case_id}/arrest-requests/{request_id}/executions",
        shown=lambda r: bool(r.get("arrest_requests")),
        options={"request_id": requests, "suspect_id": suspects},
    ),
    Act(
        "receipt",
        "回执已送检察院",
        "/cases/{case_id}/arrest-requests/{request_id}/executions/{suspect_id}/receipt",
        shown=lambda r: bool(r.get("arrest_requests")),
        options={"request_id": requests, "suspect_id": suspects},
        no_body=True,
    ),
    Act(
        "reconsideration",
        "要求复议、提请复核",
        "/cases/{case_id}/arrest-requests/{request_id}/reconsideration",
        shown=lambda r: bool(r.get("arrest_requests")),
        options={"request_id": requests, "suspect_id": suspects},
    ),
    Act("custody-ends", "解除羁押", "/cases/{case_id}/custody-ends", options={"suspect_id": suspects}),
    Act(
        "custody-extensions",
        "延长侦查羁押期限",
        "/cases/{case_id}/custody-extensions",
        ready=INVESTIGATING,
        options={"suspect_id": suspects},
    ),
    Act(
        "transfer",
        "移送审查起诉",
        "/cases/{case_id}/transfer",
        ready=status_in("investigating", "returned", otherwise="案件不在侦查中"),
        options={"suspect_ids": suspects},
    ),
    Act(
        "withdrawal",
        "撤销案件",
        "/cases/{case_id}/withdrawal",
        ready=status_in("investigating", "returned", otherwise="不能撤销"),
    ),
    Act(
        "withdrawal-notice",
        "撤案通知已送达",
        "/cases/{case_id}/withdrawal-notice",
        ready=status_in("withdrawn", otherwise="案件未撤销"),
    ),
)

NOTICE_ACTS = (
    Act(
        "explanation",
        "说明不立案理由",
        "/supervision-notices/{notice_id}/explanation",
        ready=status_in("open", otherwise="已答复"),
        shown=lambda r: r.get("kind") == "explanation_demand",
    ),
    Act(
        "filing",
        "依通知立案",
        "/supervision-notices/{notice_id}/filing",
        ready=status_in("open", otherwise="已立案"),
        shown=lambda r: r.get("kind") == "filing_notice",
    ),
)

CONSOLE = ConsoleSpec(
    title="公安局",
    records=(
        RecordKind(
            "referrals",
            "移送线索",
            "/referrals/{referral_id}",
            "/referrals",
            columns=(
                ("letter_number", "移送函编号"),
                ("enforcement_case_number", "执行案号"),
                ("status", "状态"),
                ("suspects", "犯罪嫌疑人"),
                ("arrived_at", "收到时间"),
            ),
            heading=lambda r: str(r.get("letter_number") or r.get("id")),
            acts=REFERRAL_ACTS,
            files=evidence_files,
            subjects=("referral",),
            matter_of=lambda r: str(r["lead_id"]),  # the court's lead: the matter
        ),
        RecordKind(
            "cases",
            "案件",
            "/cases/{case_id}",
            "/cases",
            columns=(
                ("case_number", "案件编号"),
                ("status", "状态"),
                ("suspects", "犯罪嫌疑人"),
                ("opened_at", "立案时间"),
                ("log_entries", "侦查记录"),
            ),
            heading=lambda r: str(r.get("case_number") or r.get("id")),
            acts=CASE_ACTS,
            subjects=("case",),
        ),
        RecordKind(
            "supervision-notices",
            "检察监督",
            "/supervision-notices/{notice_id}",
            "/supervision-notices",
            columns=(
                ("document_number", "文书编号"),
                ("kind", "种类"),
                ("status", "状态"),
                ("received_at", "收到时间"),
            ),
            heading=lambda r: str(r.get("document_number") or r.get("id")),
            acts=NOTICE_ACTS,
            subjects=("supervision_notice",),
        ),
    ),
    queues=(
        Queue("待登记的移送", "referrals", {"status": "awaiting_registration"}, (INVESTIGATOR, SUPERVISOR)),
        Queue("待提出意见的移送", "referrals", {"status": "registered"}, (INVESTIGATOR, SUPERVISOR)),
        Queue("待审批的立案意见", "referrals", {"status": "decision_proposed"}, (BUREAU_HEAD,)),
        Queue("待答复的检察监督", "supervision-notices", {"status": "open"}, (INVESTIGATOR, SUPERVISOR, BUREAU_HEAD)),
        Queue("侦查中的案件", "cases", {}, (INVESTIGATOR, SUPERVISOR)),
    ),
    labels={"investigator": "侦查员", "supervisor": "法制部门", "bureau_head": "局领导", "admin": "管理员"},
)
