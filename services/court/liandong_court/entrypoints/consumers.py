"""Handlers for the events the court consumes; each returns what its state guard decided."""

from __future__ import annotations

from liandong.contracts import ReferralReceivedV1
from liandong.messaging import topics
from liandong.messaging.consumer import Delivery, Handler, Outcome, PoisonMessage
from liandong.persistence.uow import SqlUnitOfWork
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork


async def on_referral_received(delivery: Delivery, uow: SqlUnitOfWork) -> Outcome:
    """受案登记回执 from the police: mark the referral received with the police's time and receipt number."""
    assert isinstance(uow, CourtUnitOfWork)
    receipt = delivery.payload
    assert isinstance(receipt, ReferralReceivedV1)
    referral = await uow.referrals.get(receipt.referral_id, for_update=True)
    if referral is None:
        raise PoisonMessage(f"receipt for unknown referral {receipt.referral_id}")
    if not referral.record_receipt(
        receipt_number=receipt.receipt_number, received_at=receipt.received_at, received_by=receipt.registered_by
    ):
        return Outcome.STALE
    lead = await uow.leads.get(referral.lead_id, for_update=True)
    if lead is not None:
        lead.police_received()
    return Outcome.APPLIED


HANDLERS: dict[str, Handler] = {
    ReferralReceivedV1.event_type: on_referral_received,
}
SUBSCRIPTIONS = [topics.POLICE_REFERRALS]
