"""One line of Chinese per event, as staff read it on a matter's timeline: every agency describes every event the same
way. An event without a line here is shown by its type."""

from __future__ import annotations

from functools import singledispatch

from liandong.contracts import (
    ArrestDecidedV1,
    ArrestExecutedV1,
    ArrestReconsiderationRequestedV1,
    ArrestReconsideredV1,
    ArrestRequestedV1,
    CaseFiledV1,
    CaseFilingDeclinedV1,
    CaseFilingExtendedV1,
    CaseOpenedV1,
    CaseTransferredV1,
    CaseWithdrawnV1,
    Contract,
    CorrectionNoticeIssuedV1,
    CustodyEndedV1,
    DetentionRecordedV1,
    EnforcementPerformedV1,
    EnforcementResumedV1,
    ExplanationDemandedV1,
    ExplanationGivenV1,
    FilingNoticeCompliedV1,
    FilingNoticeIssuedV1,
    IndictmentFiledV1,
    JudgmentPronouncedV1,
    ProsecutionDeclinedV1,
    ProsecutionReturnedV1,
    PublicProsecutionAcceptedV1,
    ReferralReceivedV1,
    ReferralSubmittedV1,
    ReferralWithdrawnV1,
    ReminderSentV1,
    Sentence,
    SupervisionClosedV1,
    SupervisionRequestedV1,
)
from liandong.contracts.deadlines import (
    DeadlineApproachingPayload,
    DeadlineBreachedPayload,
    DeadlineCancelledPayload,
    DeadlineChangedPayload,
    DeadlineMetPayload,
    DeadlineStartedPayload,
)

OUTCOMES = {
    "arrested": "逮捕已执行",
    "released": "已释放",
    "bail": "变更为取保候审",
    "residential_surveillance": "变更为监视居住",
    "not_executed": "未能执行",
}
GROUNDS = {
    "paid_and_minor": "提起公诉前履行全部义务，情节较轻",
    "insufficient_evidence": "证据不足",
    "no_crime": "不构成犯罪",
    "minor": "犯罪情节轻微，不需要判处刑罚",
}


def names(people: list[object]) -> str:
    return "、".join(str(getattr(p, "name", p)) for p in people)


@singledispatch
def summary(payload: Contract) -> str | None:
    return None


@summary.register
def _(p: ReferralSubmittedV1) -> str:
    return f"{p.court_code} 移送 {p.enforcement_case_number} 至 {p.police_unit} 公安机关（{p.letter_number}）"


@summary.register
def _(p: ReferralReceivedV1) -> str:
    return f"{p.police_unit} 公安机关受案登记 {p.receipt_number}"


@summary.register
def _(p: ReferralWithdrawnV1) -> str:
    return f"法院撤回移送：{p.reason}"


@summary.register
def _(p: CaseFiledV1) -> str:
    return f"{p.police_unit} 公安机关立案 {p.case_number}（犯罪嫌疑人：{names(list(p.suspects))}）"


@summary.register
def _(p: CaseFilingDeclinedV1) -> str:
    return f"{p.police_unit} 公安机关不予立案：{p.reasons}"


@summary.register
def _(p: CaseFilingExtendedV1) -> str:
    return f"立案审查期限延长至{p.window_days}日（批准人：{p.approver}）"


@summary.register
def _(p: EnforcementPerformedV1) -> str:
    kind = "全部履行" if p.kind.value == "paid_in_full" else "达成和解（中止执行）"
    return f"被执行人{kind}：本次支付 ¥{p.paid_now}，累计 ¥{p.amount_paid} / ¥{p.amount_owed}"


@summary.register
def _(p: EnforcementResumedV1) -> str:
    return f"和解协议未履行，恢复执行：{p.reason}（已付 ¥{p.amount_paid} / ¥{p.amount_owed}）"


@summary.register
def _(p: CaseOpenedV1) -> str:
    return f"{p.police_unit} 公安机关刑事案件 {p.case_number}（犯罪嫌疑人：{names(list(p.suspects))}）"


@summary.register
def _(p: DetentionRecordedV1) -> str:
    return f"刑事拘留 {p.name}（{p.place}），提请批准逮捕期限至 {p.request_due_at.isoformat()}"


CUSTODY_ENDS = {"released": "释放", "bail": "取保候审", "residential_surveillance": "监视居住"}


@summary.register
def _(p: CustodyEndedV1) -> str:
    return f"{p.name} 羁押解除：{CUSTODY_ENDS[p.outcome.value]}（{p.reason}）"


@summary.register
def _(p: ArrestRequestedV1) -> str:
    who = "、".join(f"{s.name}（{'已拘留' if s.detained else '未拘留'}）" for s in p.suspects)
    return f"提请批准逮捕 {p.document_number}（第{p.attempt}次）：{who}"


@summary.register
def _(p: ArrestDecidedV1) -> str:
    verdicts = "；".join(
        f"{d.name}：{'批准逮捕' if d.decision.value == 'approve' else '不批准逮捕'}" for d in p.decisions
    )
    return f"审查逮捕决定：{verdicts}"


@summary.register
def _(p: ArrestExecutedV1) -> str:
    why = f"（{p.failure_reason}）" if p.failure_reason else ""
    return f"执行回执：{p.name} {OUTCOMES[p.outcome.value]}{why}"


STAGES = {"reconsideration": "复议", "review": "复核"}


@summary.register
def _(p: ArrestReconsiderationRequestedV1) -> str:
    return f"公安机关要求{STAGES[p.stage.value]}不批准逮捕决定：{p.name}（{p.reasons}）"


@summary.register
def _(p: ArrestReconsideredV1) -> str:
    outcome = "变更为批准逮捕" if p.changed else "维持不批准逮捕"
    return f"{STAGES[p.stage.value]}决定（{p.procuratorate_unit}）：{p.name} {outcome}"


@summary.register
def _(p: SupervisionRequestedV1) -> str:
    ground = "不予立案" if p.ground.value == "declined" else "逾期未作决定"
    return f"法院提请立案监督（{ground}）：{p.reasons}"


@summary.register
def _(p: ExplanationDemandedV1) -> str:
    return f"要求说明不立案理由通知书 {p.document_number}"


@summary.register
def _(p: ExplanationGivenV1) -> str:
    return f"公安机关说明不立案理由：{p.explanation}"


@summary.register
def _(p: FilingNoticeIssuedV1) -> str:
    whom = f"（同案犯：{p.co_offender.name}，{p.co_offender.part_in_scheme}）" if p.co_offender else ""
    return f"通知立案书 {p.document_number}{whom}"


@summary.register
def _(p: FilingNoticeCompliedV1) -> str:
    return f"公安机关依通知立案 {p.case_number}（犯罪嫌疑人：{names(list(p.suspects))}）"


@summary.register
def _(p: CorrectionNoticeIssuedV1) -> str:
    return f"纠正违法通知书 {p.document_number}：{p.violation}"


@summary.register
def _(p: ReminderSentV1) -> str:
    return f"立案监督案件催办函 {p.document_number}：{p.text}"


@summary.register
def _(p: SupervisionClosedV1) -> str:
    outcome = "不立案理由成立" if p.outcome.value == "explanation_accepted" else "公安机关已依通知立案"
    return f"立案监督结案：{outcome}"


@summary.register
def _(p: CaseTransferredV1) -> str:
    again = f"（补充侦查后第{p.resubmission}次重新移送）" if p.resubmission else ""
    return f"移送审查起诉 {p.document_number}{again}：{names(list(p.suspects))}"


@summary.register
def _(p: CaseWithdrawnV1) -> str:
    return f"公安机关撤销案件 {p.case_number}：{p.reasons}"


@summary.register
def _(p: ProsecutionReturnedV1) -> str:
    return f"退回补充侦查（第{p.return_number}次）：{p.outline}"


@summary.register
def _(p: ProsecutionDeclinedV1) -> str:
    return f"不起诉决定（{GROUNDS[p.ground.value]}）：{p.reasons}"


@summary.register
def _(p: IndictmentFiledV1) -> str:
    return f"提起公诉 {p.document_number}：{names(list(p.defendants))}"


@summary.register
def _(p: PublicProsecutionAcceptedV1) -> str:
    return f"法院受理公诉案件 {p.court_case_number or ''}".rstrip()


def sentence(s: Sentence) -> str:
    parts = []
    if s.imprisonment_months:
        parts.append(f"有期徒刑{s.imprisonment_months // 12}年{s.imprisonment_months % 12}个月")
    if s.criminal_detention_months:
        parts.append(f"拘役{s.criminal_detention_months}个月")
    if s.probation_months:
        parts.append(f"缓刑{s.probation_months}个月")
    if s.fine:
        parts.append(f"罚金¥{s.fine}")
    if s.exempt:
        parts.append("免予刑事处罚")
    if s.acquitted:
        parts.append("无罪")
    return f"{s.name}：{'，'.join(parts)}"


@summary.register
def _(p: JudgmentPronouncedV1) -> str:
    kind = "公诉" if p.kind.value == "public" else "自诉"
    return f"判决（{kind}）：{'；'.join(sentence(s) for s in p.sentences)}；追缴 ¥{p.recovered}"


@summary.register
def _(p: DeadlineStartedPayload) -> str:
    return f"期限开始：{p.title}（至 {p.due_at.isoformat()}）"


@summary.register
def _(p: DeadlineChangedPayload) -> str:
    return f"期限{'延长' if p.change == 'extended' else '重新计算'}：{p.title}（至 {p.due_at.isoformat()}）"


@summary.register
def _(p: DeadlineApproachingPayload) -> str:
    return f"期限将至：{p.title}（剩余 {p.hours_left:.0f} 小时）"


@summary.register
def _(p: DeadlineBreachedPayload) -> str:
    return f"期限届满未办结：{p.title}"


@summary.register
def _(p: DeadlineMetPayload) -> str:
    return f"期限内办结：{p.title}（用时 {p.days_used} 日）" if p.on_time else f"逾期办结：{p.title}"


@summary.register
def _(p: DeadlineCancelledPayload) -> str:
    return f"期限取消：{p.title}（{p.reason}）"
