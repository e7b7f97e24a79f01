"""What the court does with the events it receives; each handler returns what its state guard decided.

The court follows its referrals, and takes an answer only from the bureau it sent the referral to. It mirrors the
police filing window from the moment it sends the referral (so a silence shows even when the police service is
down); a filing, or the service of a 不予立案通知书, meets it; an extension extends it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from liandong.contracts import CaseFiledV1, CaseFilingDeclinedV1, CaseFilingExtendedV1, ReferralReceivedV1
from liandong.messaging.handlers import Delivery, Outcome, PoisonMessage
from liandong.sla.kinds import Kind
from liandong_court.domain.referrals import Referral, ReferralStatus
from liandong_court.service_layer.handlers import start_filing_mirror
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork

PoliceAnswer = ReferralReceivedV1 | CaseFiledV1 | CaseFilingDeclinedV1 | CaseFilingExtendedV1


async def _referral(uow: CourtUnitOfWork, event: Delivery[PoliceAnswer]) -> Referral:
    """The referral a police answer is about, if the court sent it to the bureau that answers."""
    answer = event.payload
    referral = await uow.referrals.get(answer.referral_id, for_update=True)
    if referral is None:
        raise PoisonMessage(f"an answer about unknown referral {answer.referral_id}")
    bureaus = {answer.police_unit, event.envelope.producer.unit}
    if bureaus != {referral.police_unit}:
        raise PoisonMessage(
            f"referral {referral.id} went to the bureau of {referral.police_unit}; an answer from {sorted(bureaus)} "
            "is not applied"
        )
    return referral


async def _lead_follows(uow: CourtUnitOfWork, referral: Referral, status: ReferralStatus) -> None:
    lead = await uow.leads.get(referral.lead_id, for_update=True)
    if lead is not None and lead.live_referral_id == referral.id:
        lead.police_answered(status)


async def on_referral_received(event: Delivery[ReferralReceivedV1], uow: CourtUnitOfWork) -> Outcome:
    """受案登记回执: the referral is received (the court's mirror of the filing window has run since it was sent)."""
    receipt = event.payload
    referral = await _referral(uow, event)
    if not referral.record_receipt(
        receipt_number=receipt.receipt_number, received_at=receipt.received_at, received_by=receipt.registered_by
    ):
        return Outcome.STALE
    await _lead_follows(uow, referral, ReferralStatus.RECEIVED)
    if not await uow.deadlines.running(
        subject_type="referral", subject_id=referral.id, kind=Kind.POLICE_FILING_DECISION
    ):  # a referral sent before the mirror started at sending
        await start_filing_mirror(uow, referral)
    return Outcome.APPLIED


async def _decided(
    uow: CourtUnitOfWork,
    event: Delivery[PoliceAnswer],
    status: ReferralStatus,
    at: datetime,
    apply: Callable[[Referral], bool],
) -> Outcome:
    """A filing decision (filed or declined): the referral and the lead follow, the court's mirror is met."""
    referral = await _referral(uow, event)
    if not apply(referral):
        return Outcome.STALE
    await _lead_follows(uow, referral, status)
    await uow.deadlines.meet(kind=Kind.POLICE_FILING_DECISION, subject_type="referral", subject_id=referral.id, at=at)
    return Outcome.APPLIED


async def on_case_filed(event: Delivery[CaseFiledV1], uow: CourtUnitOfWork) -> Outcome:
    """立案决定: the police filed a case on the referral."""
    filed = event.payload
    return await _decided(
        uow,
        event,
        ReferralStatus.FILED,
        filed.filed_at,
        lambda r: r.record_filing(case_number=filed.case_number, filed_at=filed.filed_at),
    )


async def on_filing_declined(event: Delivery[CaseFilingDeclinedV1], uow: CourtUnitOfWork) -> Outcome:
    """不予立案通知书: the police declined, with reasons; the court may guide 自诉 or ask for 立案监督."""
    declined = event.payload
    return await _decided(
        uow,
        event,
        ReferralStatus.DECLINED,
        declined.served_at,  # met when the notice is served, as the police's own notice window is
        lambda r: r.record_decline(reasons=declined.reasons, declined_at=declined.decided_at),
    )


async def on_filing_extended(event: Delivery[CaseFilingExtendedV1], uow: CourtUnitOfWork) -> Outcome:
    """The filing window extended to 30 days: the court's mirror moves with it."""
    extended = event.payload
    referral = await _referral(uow, event)
    if not referral.record_extension(due_at=extended.due_at, reason=extended.reason):
        return Outcome.STALE
    mirrors = await uow.deadlines.running(
        subject_type="referral", subject_id=referral.id, kind=Kind.POLICE_FILING_DECISION
    )
    for mirror in mirrors:
        if mirror.window < extended.window_days:
            await uow.deadlines.extend(
                mirror.id, approver=extended.approver, reason=extended.reason, window=extended.window_days
            )
    return Outcome.APPLIED
