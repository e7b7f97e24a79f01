"""Handlers for the events the police consume; each returns what its state guard decided."""

from __future__ import annotations

from liandong.contracts import ReferralSubmittedV1
from liandong.messaging import topics
from liandong.messaging.consumer import Delivery, Handler, Outcome
from liandong.persistence.uow import SqlUnitOfWork
from liandong_police.domain.model import Referral
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork


async def on_referral_submitted(delivery: Delivery, uow: SqlUnitOfWork) -> Outcome:
    """案件移送函 from the court: the referral lands in the inbox of the bureau of the court's county."""
    assert isinstance(uow, PoliceUnitOfWork)
    letter = delivery.payload
    assert isinstance(letter, ReferralSubmittedV1)
    if await uow.referrals.get(letter.referral_id) is not None:
        return Outcome.STALE  # the same referral under another event id: already in the inbox
    uow.referrals.add(
        Referral(
            id=letter.referral_id,
            lead_id=letter.lead_id,
            court_code=letter.court_code,
            court_unit=letter.court_unit,
            police_unit=letter.police_unit,
            enforcement_case_number=letter.enforcement_case_number,
            enforcement_summary=letter.enforcement_summary,
            amount_owed=letter.amount_owed,
            amount_paid=letter.amount_paid,
            suspects=[s.model_dump(mode="json") for s in letter.suspects],
            evidence=[e.model_dump(mode="json") for e in letter.evidence],
            submitted_at=letter.submitted_at,
            arrived_at=uow.clock.now(),
        )
    )
    return Outcome.APPLIED


HANDLERS: dict[str, Handler] = {
    ReferralSubmittedV1.event_type: on_referral_submitted,
}
SUBSCRIPTIONS = [topics.COURT_REFERRALS]
