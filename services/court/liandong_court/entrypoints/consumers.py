"""Handlers for the events the court consumes; each returns what its state guard decided.

The court follows its referrals: the receipt starts the court's mirror of the police filing window (so a silence
shows even when the police service is down), a filing or a decline meets it, an extension extends it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from liandong.contracts import CaseFiledV1, CaseFilingDeclinedV1, CaseFilingExtendedV1, ReferralReceivedV1
from liandong.messaging import topics
from liandong.messaging.consumer import Delivery, Handler, Outcome, PoisonMessage
from liandong.persistence.uow import SqlUnitOfWork
from liandong_court.domain.model import Referral, ReferralStatus
from liandong_court.service_layer.handlers import FILING_WINDOW
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork


async def _referral(uow: SqlUnitOfWork, referral_id: str) -> tuple[CourtUnitOfWork, Referral]:
    assert isinstance(uow, CourtUnitOfWork)
    referral = await uow.referrals.get(referral_id, for_update=True)
    if referral is None:
        raise PoisonMessage(f"an answer about unknown referral {referral_id}")
    return uow, referral


async def _lead_follows(uow: CourtUnitOfWork, referral: Referral, status: ReferralStatus) -> None:
    lead = await uow.leads.get(referral.lead_id, for_update=True)
    if lead is not None and lead.live_referral_id == referral.id:
        lead.police_answered(status)


async def on_referral_received(delivery: Delivery, uow: SqlUnitOfWork) -> Outcome:
    """受案登记回执: the referral is received; the court's mirror of the filing window starts at the receipt."""
    receipt = delivery.payload
    assert isinstance(receipt, ReferralReceivedV1)
    court, referral = await _referral(uow, receipt.referral_id)
    if not referral.record_receipt(
        receipt_number=receipt.receipt_number, received_at=receipt.received_at, received_by=receipt.registered_by
    ):
        return Outcome.STALE
    await _lead_follows(court, referral, ReferralStatus.RECEIVED)
    await uow.sla.start(
        uow,
        kind_name=FILING_WINDOW,
        subject_type="referral",
        subject_id=referral.id,
        correlation_id=referral.lead_id,
        unit=referral.court_unit,
        started_at=receipt.received_at,
    )
    return Outcome.APPLIED


async def _decided(
    uow: SqlUnitOfWork, referral_id: str, status: ReferralStatus, at: datetime, apply: Callable[[Referral], bool]
) -> Outcome:
    """A filing decision (filed or declined): the referral and the lead follow, the court's mirror is met."""
    court, referral = await _referral(uow, referral_id)
    if not apply(referral):
        return Outcome.STALE
    await _lead_follows(court, referral, status)
    await uow.sla.meet_subject(uow, kind_name=FILING_WINDOW, subject_type="referral", subject_id=referral.id, at=at)
    return Outcome.APPLIED


async def on_case_filed(delivery: Delivery, uow: SqlUnitOfWork) -> Outcome:
    """立案决定: the police filed a case on the referral."""
    filed = delivery.payload
    assert isinstance(filed, CaseFiledV1)
    return await _decided(
        uow,
        filed.referral_id,
        ReferralStatus.FILED,
        filed.filed_at,
        lambda r: r.record_filing(case_number=filed.case_number, filed_at=filed.filed_at),
    )


async def on_filing_declined(delivery: Delivery, uow: SqlUnitOfWork) -> Outcome:
    """不予立案通知书: the police declined, with reasons; the court may guide 自诉 or ask for 立案监督."""
    declined = delivery.payload
    assert isinstance(declined, CaseFilingDeclinedV1)
    return await _decided(
        uow,
        declined.referral_id,
        ReferralStatus.DECLINED,
        declined.decided_at,
        lambda r: r.record_decline(reasons=declined.reasons, declined_at=declined.decided_at),
    )


async def on_filing_extended(delivery: Delivery, uow: SqlUnitOfWork) -> Outcome:
    """The filing window extended to 30 days: the court's mirror moves with it."""
    extended = delivery.payload
    assert isinstance(extended, CaseFilingExtendedV1)
    _, referral = await _referral(uow, extended.referral_id)
    if not referral.record_extension(due_at=extended.due_at, reason=extended.reason):
        return Outcome.STALE
    for row in await uow.sla.open_for(uow, subject_type="referral", subject_id=referral.id, kind_name=FILING_WINDOW):
        if row.window < extended.window_days:
            await uow.sla.extend(
                uow, row.id, approver=extended.approver, reason=extended.reason, window=extended.window_days
            )
    return Outcome.APPLIED


HANDLERS: dict[str, Handler] = {
    ReferralReceivedV1.event_type: on_referral_received,
    CaseFiledV1.event_type: on_case_filed,
    CaseFilingDeclinedV1.event_type: on_filing_declined,
    CaseFilingExtendedV1.event_type: on_filing_extended,
}
SUBSCRIPTIONS = [topics.POLICE_REFERRALS, topics.POLICE_CASES]
