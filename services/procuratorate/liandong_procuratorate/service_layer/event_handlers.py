"""What the procuratorate does with the events it receives: every hand-off goes on the matter's timeline."""

from __future__ import annotations

from liandong.contracts import (
    CaseFiledV1,
    CaseFilingDeclinedV1,
    CaseFilingExtendedV1,
    Contract,
    EnforcementPerformedV1,
    EnforcementResumedV1,
    ReferralReceivedV1,
    ReferralSubmittedV1,
    ReferralWithdrawnV1,
)
from liandong.messaging.handlers import Delivery, Outcome, PoisonMessage
from liandong_procuratorate.domain.model import TimelineEntry
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork


def summarise(event: Delivery[Contract]) -> str:
    """The line a prosecutor reads on the matter's timeline."""
    payload = event.payload
    if isinstance(payload, ReferralSubmittedV1):
        return f"{payload.court_code} 移送 {payload.enforcement_case_number} 至 {payload.police_unit} 公安机关"
    if isinstance(payload, ReferralReceivedV1):
        return f"{payload.police_unit} 公安机关受案登记 {payload.receipt_number}"
    if isinstance(payload, ReferralWithdrawnV1):
        return f"法院撤回移送：{payload.reason}"
    if isinstance(payload, CaseFiledV1):
        names = "、".join(s.name for s in payload.suspects)
        return f"{payload.police_unit} 公安机关立案 {payload.case_number}（犯罪嫌疑人：{names}）"
    if isinstance(payload, CaseFilingDeclinedV1):
        return f"{payload.police_unit} 公安机关不予立案：{payload.reasons}"
    if isinstance(payload, CaseFilingExtendedV1):
        return f"立案审查期限延长至{payload.window_days}日（批准人：{payload.approver}）"
    if isinstance(payload, EnforcementResumedV1):
        return f"和解协议未履行，恢复执行：{payload.reason}（已付 ¥{payload.amount_paid} / ¥{payload.amount_owed}）"
    if isinstance(payload, EnforcementPerformedV1):
        kind = "全部履行" if payload.kind.value == "paid_in_full" else "达成和解（中止执行）"
        return f"被执行人{kind}：本次支付 ¥{payload.paid_now}，累计 ¥{payload.amount_paid} / ¥{payload.amount_owed}"
    return event.envelope.event_type


async def on_hand_off(event: Delivery[Contract], uow: ProcuratorateUnitOfWork) -> Outcome:
    """Every hand-off between the court and the police goes on its matter's timeline, if it is of its county."""
    env = event.envelope
    payload = event.payload
    if isinstance(payload, ReferralSubmittedV1):
        if {payload.court_unit, payload.police_unit, env.jurisdiction} != {env.producer.unit}:
            raise PoisonMessage(f"a referral of the court of {env.producer.unit} names other units")
    else:
        units = await uow.timeline.matter_units(env.correlation_id)
        if units and env.producer.unit not in units:
            raise PoisonMessage(f"matter {env.correlation_id} is of {sorted(units)}, not of {env.producer.unit}")
    uow.timeline.add(
        TimelineEntry(
            event_id=str(env.event_id),
            correlation_id=env.correlation_id,
            event_type=env.event_type,
            producer_agency=env.producer.agency,
            producer_unit=env.producer.unit,
            jurisdiction=env.jurisdiction,
            occurred_at=env.occurred_at,
            recorded_at=uow.clock.now(),
            summary=summarise(event),
        )
    )
    return Outcome.APPLIED
