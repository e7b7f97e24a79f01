"""The court's staff console: leads, enforcement cases, referrals, trials and publicity, with their acts."""

from __future__ import annotations

from liandong.console.spec import Act, ConsoleSpec, Queue, Record, RecordKind, items, status_in
from liandong_court.entrypoints.api.deps import ADMIN, CRIMINAL_JUDGE, ENFORCEMENT_OFFICER, PUBLICITY_OFFICER

BEFORE_REFERRAL = ("open", "notice_served")


def _running(record: Record, kind: str) -> dict[str, object] | None:
    return next(
        (w for w in record.get("windows") or [] if w.get("kind") == kind and w.get("state") in ("running", "at_risk")),
        None,
    )


def assessment_ready(record: Record, _: str) -> str | None:
    if record.get("status") != "open":
        return "线索已不在研判阶段"
    return "已研判" if record.get("assessment") else None


def notice_ready(record: Record, _: str) -> str | None:
    if record.get("status") != "open":
        return "告知书已送达或线索已结"
    if record.get("assessment") != "suspected":
        return "须先经刑事审判法官研判为涉嫌犯罪"
    return None


def referral_ready(record: Record, role: str) -> str | None:
    if record.get("status") != "notice_served":
        return "须先送达《告知书》" if record.get("status") == "open" else "线索已移送或已结"
    window = _running(record, "debtor_performance")
    if window is not None and role != CRIMINAL_JUDGE:
        due = str(window["due_at"])[:16].replace("T", " ")
        return f"被执行人履行期限尚未届满（至 {due}）；刑事审判法官可写明理由提前移送"
    return None


def evidence_files(record: Record) -> list[tuple[str, str]]:
    return [
        (f"{e['filename']}（{e['evidence_class']}）", f"/evidence/{e['sha256']}") for e in record.get("evidence") or []
    ]


LEAD_ACTS = (
    Act(
        "evidence",
        "上传证据",
        "/leads/{lead_id}/evidence",
        ready=status_in(*BEFORE_REFERRAL, otherwise="线索已移送或已结"),
    ),
    Act("assessment", "研判", "/leads/{lead_id}/assessment", ready=assessment_ready),
    Act("notice", "送达《告知书》", "/leads/{lead_id}/notice", ready=notice_ready),
    Act(
        "notice-correction",
        "更正告知书送达时间",
        "/leads/{lead_id}/notice/correction",
        ready=status_in("notice_served", otherwise="告知书尚未送达"),
    ),
    Act("particulars", "补充案件要素", "/leads/{lead_id}/particulars"),
    Act("coercive-measures", "记录强制措施", "/leads/{lead_id}/coercive-measures"),
    Act("referral", "移送公安机关", "/leads/{lead_id}/referral", ready=referral_ready),
    Act("payments", "记录履行", "/leads/{lead_id}/payments"),
    Act("settlements", "记录执行和解", "/leads/{lead_id}/settlements"),
    Act(
        "settlement-default",
        "记录不履行和解协议",
        "/leads/{lead_id}/settlement-default",
        ready=status_in("settled", otherwise="没有执行和解"),
    ),
    Act("reopening", "重新启动", "/leads/{lead_id}/reopening"),
    Act("typical-case", "列为典型案例", "/leads/{lead_id}/typical-case"),
)

TRIAL_ACTS = (
    Act(
        "complaint",
        "登记自诉",
        "/trials/{trial_id}/complaint",
        ready=status_in("option_explained", otherwise="须先告知自诉权利"),
    ),
    Act(
        "acceptance",
        "立案受理",
        "/trials/{trial_id}/acceptance",
        ready=status_in("received", "complaint_registered", otherwise="不在待受理阶段"),
    ),
    Act("return", "退回检察院", "/trials/{trial_id}/return", ready=status_in("received", otherwise="受理前方可退回")),
    Act(
        "materials-request",
        "要求补充材料",
        "/trials/{trial_id}/materials-request",
        ready=status_in("received", otherwise="受理前方可要求补充材料"),
    ),
    Act("materials-received", "补充材料收到", "/trials/{trial_id}/materials-received"),
    Act("extension", "延长审理期限", "/trials/{trial_id}/extension"),
    Act(
        "rejection",
        "驳回自诉",
        "/trials/{trial_id}/rejection",
        ready=status_in("complaint_registered", otherwise="没有待审查的自诉"),
    ),
    Act(
        "hearings",
        "记录开庭",
        "/trials/{trial_id}/hearings",
        ready=status_in("accepted", otherwise="受理后、判决前开庭"),
    ),
    Act(
        "judgment",
        "宣判",
        "/trials/{trial_id}/judgment",
        ready=status_in("accepted", otherwise="受理后、判决前宣判"),
        options={"sentences.defendant_id": items("defendants", "defendant_id", "name")},
    ),
    Act(
        "judgment-service",
        "判决书送达",
        "/trials/{trial_id}/judgment-service",
        ready=status_in("judged", otherwise="尚未判决"),
    ),
    Act(
        "closure",
        "自诉撤诉或和解结案",
        "/trials/{trial_id}/closure",
        ready=status_in("accepted", otherwise="受理后、判决前方可"),
    ),
)

CONSOLE = ConsoleSpec(
    title="人民法院",
    records=(
        RecordKind(
            "leads",
            "线索",
            "/leads/{lead_id}",
            "/leads",
            columns=(
                ("enforcement_case_number", "执行案号"),
                ("status", "状态"),
                ("suspects", "犯罪嫌疑人"),
                ("amount_owed", "执行标的"),
                ("unpaid", "未履行"),
                ("created_at", "创建时间"),
            ),
            heading=lambda r: str(r.get("enforcement_case_number", r.get("id"))),
            acts=LEAD_ACTS,
            creates=(Act("new", "新建线索", "/leads"),),
            files=evidence_files,
            subjects=("lead",),
            matter_of=lambda r: str(r["id"]),  # a lead is its matter: the matter's id is the lead's
        ),
        RecordKind(
            "enforcement-cases",
            "执行案件",
            "/enforcement-cases/{case_id}",
            "/enforcement-cases",
            columns=(
                ("case_number", "执行案号"),
                ("creditor", "申请执行人"),
                ("amount_owed", "执行标的"),
                ("unpaid", "未履行"),
                ("closure_type", "结案方式"),
            ),
            heading=lambda r: str(r.get("case_number", r.get("id"))),
            acts=(Act("lead", "生成线索", "/enforcement-cases/{case_id}/lead"),),
            creates=(
                Act("new", "录入执行案件", "/enforcement-cases"),
                Act("import", "批量导入（CSV）", "/enforcement-cases/import", upload="text/csv"),
            ),
        ),
        RecordKind(
            "referrals",
            "移送函",
            "/referrals/{referral_id}",
            "/referrals",
            columns=(
                ("letter_number", "移送函编号"),
                ("status", "状态"),
                ("police_unit", "公安机关"),
                ("submitted_at", "移送时间"),
            ),
            heading=lambda r: str(r.get("letter_number", r.get("id"))),
            acts=(
                Act(
                    "withdrawal",
                    "撤回移送",
                    "/referrals/{referral_id}/withdrawal",
                    ready=status_in("submitted", "received", otherwise="公安已作出决定"),
                ),
                Act(
                    "supervision-request",
                    "提请检察院立案监督",
                    "/referrals/{referral_id}/supervision-request",
                    ready=status_in("declined", otherwise="公安未决定不予立案"),
                ),
            ),
            subjects=("referral",),
            matter_of=lambda r: str(r["lead_id"]),
        ),
        RecordKind(
            "trials",
            "刑事审判",
            "/trials/{trial_id}",
            "/trials",
            columns=(("court_case_number", "案号"), ("kind", "类型"), ("status", "状态"), ("received_at", "收案时间")),
            heading=lambda r: str(r.get("court_case_number") or r.get("id")),
            acts=TRIAL_ACTS,
            creates=(Act("new", "登记自诉（告知自诉权利）", "/trials"),),
            subjects=("trial",),
            matter_of=lambda r: str(r["lead_id"]),
        ),
        RecordKind(
            "publicity",
            "曝光",
            None,
            "/publicity",
            columns=(("title", "标题"), ("channel", "渠道"), ("published_on", "发布日期"), ("link", "链接")),
            heading=lambda r: str(r.get("title", "")),
            creates=(Act("new", "记录曝光", "/publicity"),),
        ),
    ),
    queues=(
        Queue("待研判、待送达告知书的线索", "leads", {"status": "open"}, (CRIMINAL_JUDGE, ENFORCEMENT_OFFICER, ADMIN)),
        Queue(
            "告知书已送达、待移送的线索",
            "leads",
            {"status": "notice_served"},
            (CRIMINAL_JUDGE, ENFORCEMENT_OFFICER, ADMIN),
        ),
        Queue("公安不予立案的移送", "referrals", {"status": "declined"}, (CRIMINAL_JUDGE, ENFORCEMENT_OFFICER)),
        Queue("新收的刑事案件", "trials", {"status": "received"}, (CRIMINAL_JUDGE,)),
        Queue("审理中的刑事案件", "trials", {"status": "accepted"}, (CRIMINAL_JUDGE,)),
        Queue("可曝光的线索", "leads", {"status": "referred"}, (PUBLICITY_OFFICER,)),
    ),
    labels={
        "criminal_judge": "刑事审判法官",
        "enforcement_officer": "执行干警",
        "publicity_officer": "宣传干事",
        "admin": "管理员",
    },
)
