"""The procuratorate's staff console: arrest reviews per suspect, supervision cases, prosecution reviews, matters."""

from __future__ import annotations

from liandong.console.spec import Act, ConsoleSpec, Queue, RecordKind, items, status_in
from liandong_procuratorate.service_layer.handlers import CHIEF_PROSECUTOR, PROSECUTOR, SUPERVISOR

OPEN = status_in("open", otherwise="监督案件已结")
REVIEWING = status_in("reviewing", otherwise="不在审查起诉中")
suspects = items("suspects", "suspect_id", "name")
defendants = items("defendants", "suspect_id", "name")
notices = items("notices", "notice_id", "document_number", "kind")

REVIEW_ACTS = (
    Act(
        "decisions",
        "作出批准或不批准逮捕决定",
        "/arrest-reviews/{review_id}/decisions",
        ready=status_in("pending", otherwise="已作出决定"),
        options={"decisions.suspect_id": suspects},
    ),
    Act(
        "extension",
        "延长审查期限",
        "/arrest-reviews/{review_id}/extension",
        ready=status_in("pending", otherwise="已作出决定"),
    ),
    Act(
        "reconsideration",
        "复议、复核决定",
        "/arrest-reviews/{review_id}/reconsideration",
        ready=status_in("decided", otherwise="尚未作出决定"),
        options={"suspect_id": suspects},
    ),
    Act("persons", "记录涉案人员", "/arrest-reviews/{review_id}/persons"),
    Act(
        "supervision",
        "立案监督（审查逮捕中发现）",
        "/supervision-cases",
        prefill={"review_id": lambda r: str(r["id"])},
    ),
)

SUPERVISION_ACTS = (
    Act(
        "explanation-demand", "要求说明不立案理由", "/supervision-cases/{supervision_id}/explanation-demand", ready=OPEN
    ),
    Act("acceptance", "认为不立案理由成立", "/supervision-cases/{supervision_id}/acceptance", ready=OPEN),
    Act(
        "filing-notice",
        "提出通知立案意见",
        "/supervision-cases/{supervision_id}/filing-notice",
        ready=OPEN,
    ),
    Act("approval", "检察长审批", "/supervision-cases/{supervision_id}/approval", ready=OPEN),
    Act(
        "correction-notice",
        "发出纠正违法通知",
        "/supervision-cases/{supervision_id}/correction-notice",
        ready=OPEN,
        options={"notice_id": notices},
    ),
    Act("reminders", "催办", "/supervision-cases/{supervision_id}/reminders", ready=OPEN),
)

PROSECUTION_ACTS = (
    Act("fast-track", "适用速裁程序", "/prosecution-reviews/{review_id}/fast-track", ready=REVIEWING),
    Act("extension", "延长审查起诉期限", "/prosecution-reviews/{review_id}/extension", ready=REVIEWING),
    Act("return", "退回补充侦查", "/prosecution-reviews/{review_id}/return", ready=REVIEWING),
    Act(
        "indictment",
        "提起公诉",
        "/prosecution-reviews/{review_id}/indictment",
        ready=REVIEWING,
        options={"defendant_ids": defendants, "others.suspect_id": defendants},
    ),
    Act("non-prosecution", "提出不起诉意见", "/prosecution-reviews/{review_id}/non-prosecution", ready=REVIEWING),
    Act("approval", "检察长审批", "/prosecution-reviews/{review_id}/approval", ready=REVIEWING),
    Act(
        "supervision",
        "立案监督（审查起诉中发现）",
        "/supervision-cases",
        prefill={"prosecution_review_id": lambda r: str(r["id"])},
    ),
    Act(
        "petition",
        "登记被害人申诉",
        "/prosecution-reviews/{review_id}/petition",
        ready=status_in("not_prosecuted", otherwise="没有不起诉决定"),
    ),
)

CONSOLE = ConsoleSpec(
    title="人民检察院",
    records=(
        RecordKind(
            "arrest-reviews",
            "审查逮捕",
            "/arrest-reviews/{review_id}",
            "/arrest-reviews",
            columns=(
                ("document_number", "提请批准逮捕书"),
                ("case_number", "案件编号"),
                ("status", "状态"),
                ("suspects", "犯罪嫌疑人"),
                ("received_at", "收到时间"),
            ),
            heading=lambda r: str(r.get("document_number") or r.get("id")),
            acts=REVIEW_ACTS,
            subjects=("arrest_review",),
        ),
        RecordKind(
            "supervision-cases",
            "立案监督",
            "/supervision-cases/{supervision_id}",
            "/supervision-cases",
            columns=(("origin", "来源"), ("status", "状态"), ("police_unit", "公安机关"), ("opened_at", "立案时间")),
            heading=lambda r: f"{r.get('police_unit', '')} · {r.get('opened_at', '')[:10]}",
            acts=SUPERVISION_ACTS,
            creates=(Act("new", "依职权立案监督", "/supervision-cases"),),
        ),
        RecordKind(
            "prosecution-reviews",
            "审查起诉",
            "/prosecution-reviews/{review_id}",
            "/prosecution-reviews",
            columns=(
                ("transfer_number", "起诉意见书"),
                ("case_number", "案件编号"),
                ("status", "状态"),
                ("received_at", "收到时间"),
            ),
            heading=lambda r: str(r.get("transfer_number") or r.get("id")),
            acts=PROSECUTION_ACTS,
            subjects=("prosecution_review",),
        ),
        RecordKind(
            "matters",
            "事项",
            "/matters/{correlation_id}",
            "/matters",
            columns=(
                ("correlation_id", "事项编号"),
                ("jurisdiction", "辖区"),
                ("first_at", "开始"),
                ("last_at", "最近"),
                ("entries", "记录数"),
            ),
            heading=lambda r: str(r.get("correlation_id")),
            key="correlation_id",
        ),
    ),
    queues=(
        Queue("待审查的逮捕提请", "arrest-reviews", {"status": "pending"}, (PROSECUTOR, SUPERVISOR, CHIEF_PROSECUTOR)),
        Queue("办理中的立案监督", "supervision-cases", {"status": "open"}, (PROSECUTOR, SUPERVISOR, CHIEF_PROSECUTOR)),
        Queue("审查起诉中", "prosecution-reviews", {"status": "reviewing"}, (PROSECUTOR, SUPERVISOR, CHIEF_PROSECUTOR)),
    ),
    labels={"prosecutor": "检察官", "supervisor": "部门负责人", "chief_prosecutor": "检察长", "admin": "管理员"},
)
