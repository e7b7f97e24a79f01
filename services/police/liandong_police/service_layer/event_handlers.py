"""What the police do with the events they receive; each handler returns what its state guard decided."""

from __future__ import annotations

from liandong.contracts import EnforcementPerformedV1, ReferralSubmittedV1, ReferralWithdrawnV1
from liandong.messaging.handlers import Delivery, Outcome
from liandong_police.domain.model import Referral
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork


async def on_referral_submitted(event: Delivery[ReferralSubmittedV1], uow: PoliceUnitOfWork) -> Outcome:
    """案件移送函 from the court: the referral lands in the inbox of the bureau of the court's county, and its
    evidence is queued for fetching from the court."""
    letter = event.payload
    if await uow.referrals.get(letter.referral_id) is not None:
        return Outcome.STALE  # the same referral under another event id: already in the inbox
    now = uow.clock.now()
    manifest = [e.model_dump(mode="json") for e in letter.evidence]
    uow.referrals.add(
        Referral(
            id=letter.referral_id,
            lead_id=letter.lead_id,
            letter_number=letter.letter_number,
            court_code=letter.court_code,
            court_unit=letter.court_unit,
            police_unit=letter.police_unit,
            enforcement_case_number=letter.enforcement_case_number,
            enforcement_summary=letter.enforcement_summary,
            amount_owed=letter.amount_owed,
            amount_paid=letter.amount_paid,
            suspects=[s.model_dump(mode="json") for s in letter.suspects],
            evidence=manifest,
            submitted_at=letter.submitted_at,
            arrived_at=now,
        )
    )
    await uow.evidence.expect(letter.referral_id, manifest, now)
    return Outcome.APPLIED


async def on_referral_withdrawn(event: Delivery[ReferralWithdrawnV1], uow: PoliceUnitOfWork) -> Outcome:
    """The court took the referral back before a decision: it leaves the inbox and its windows are cancelled."""
    withdrawal = event.payload
    referral = await uow.referrals.get(withdrawal.referral_id, for_update=True)
    if referral is None:
        return Outcome.PARKED  # withdrawn before it arrived: nothing to take back
    if not referral.withdrawn_by_court(reason=withdrawal.reason, at=withdrawal.withdrawn_at):
        return Outcome.STALE  # the police had already decided
    for window in await uow.deadlines.running(subject_type="referral", subject_id=referral.id):
        await uow.deadlines.cancel(window.id, reason=f"referral withdrawn by the court: {withdrawal.reason}")
    return Outcome.APPLIED


async def on_enforcement_performed(event: Delivery[EnforcementPerformedV1], uow: PoliceUnitOfWork) -> Outcome:
    """The debtor paid or settled: the investigators see it on the referral."""
    performed = event.payload
    if performed.referral_id is None:
        return Outcome.STALE
    referral = await uow.referrals.get(performed.referral_id, for_update=True)
    if referral is None:
        return Outcome.PARKED
    referral.record_performance(performed.model_dump(mode="json"))
    return Outcome.APPLIED
