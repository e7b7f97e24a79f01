"""What the court does with the events it receives; each handler returns what its state guard decided.

The court follows its referrals, and takes an answer only from the bureau it sent the referral to. It mirrors the
police filing window from the moment it sends the referral (so a silence shows even when the police service is
down); a filing, or the service of a 不予立案通知书, meets it; an extension extends it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from liandong.contracts import (
    ArrestDecidedV1,
    ArrestExecutedV1,
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
    ExplanationDemandedV1,
    ExplanationGivenV1,
    FilingNoticeCompliedV1,
    FilingNoticeIssuedV1,
    IndictmentFiledV1,
    ProsecutionDeclinedV1,
    ProsecutionReturnedV1,
    ReferralReceivedV1,
    ReminderSentV1,
    SupervisionClosedV1,
)
from liandong.messaging.handlers import Delivery, Outcome, PoisonMessage
from liandong.sla.kinds import Kind
from liandong_court.domain.police_cases import PoliceCase
from liandong_court.domain.referrals import Referral, ReferralStatus
from liandong_court.domain.trials import Trial
from liandong_court.service_layer.handlers import start_filing_mirror
from liandong_court.service_layer.trial_handlers import TRIAL
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
    if referral.status is not ReferralStatus.RECEIVED:
        return Outcome.APPLIED  # the decision came first: the receipt is kept, the rest has moved on
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


CaseProgress = CaseTransferredV1 | ProsecutionReturnedV1 | ProsecutionDeclinedV1 | CaseWithdrawnV1
CaseNews = (
    CaseOpenedV1
    | DetentionRecordedV1
    | CustodyEndedV1
    | ArrestRequestedV1
    | ArrestDecidedV1
    | ArrestExecutedV1
    | CaseProgress
)


async def _police_case(uow: CourtUnitOfWork, event: Delivery[CaseNews]) -> PoliceCase:
    """The court's record of a police case of one of its matters, begun by whichever report arrives first; only the
    police and procuratorate of the matter's county report on it."""
    news, env = event.payload, event.envelope
    lead = await uow.leads.get(env.correlation_id)
    if lead is None:
        raise PoisonMessage(f"news of case {news.case_id} in unknown matter {env.correlation_id}")
    if {env.producer.unit, news.police_unit} != {lead.unit}:
        raise PoisonMessage(
            f"matter {lead.id} is of county {lead.unit}, not {sorted({env.producer.unit, news.police_unit})}"
        )
    case = await uow.police_cases.get(news.case_id, for_update=True)
    if case is None:
        case = PoliceCase(case_id=news.case_id, lead_id=lead.id, police_unit=news.police_unit)
        uow.police_cases.add(case)
    elif case.lead_id != lead.id:
        raise PoisonMessage(f"case {news.case_id} belongs to matter {case.lead_id}, not {lead.id}")
    if not isinstance(news, ArrestDecidedV1):
        case.referral_id = case.referral_id or news.referral_id
        case.case_number = case.case_number or news.case_number
    case.updated_at = uow.clock.now()
    return case


def _act_of(event: Delivery[Contract], *, exclude: set[str]) -> dict[str, Any]:
    """Another agency's act as the court keeps it on its record: the event, who sent it and when, and its payload
    less what the record holds already."""
    env = event.envelope
    return {
        "event_id": str(env.event_id),
        "event_type": env.event_type,
        "agency": env.producer.agency,
        "at": env.occurred_at.isoformat(),
        **event.payload.model_dump(mode="json", exclude=exclude),
    }


def _applied(fresh: bool) -> Outcome:
    return Outcome.APPLIED if fresh else Outcome.STALE


async def on_case_opened(event: Delivery[CaseOpenedV1], uow: CourtUnitOfWork) -> Outcome:
    """The police's case on the referral, with its suspects (a unit's legal representative among them)."""
    opened = event.payload
    case = await _police_case(uow, event)
    suspects = [s.model_dump(mode="json") for s in opened.suspects]
    return _applied(case.record_opening(case_number=opened.case_number, suspects=suspects, at=opened.opened_at))


async def on_detention_recorded(event: Delivery[DetentionRecordedV1], uow: CourtUnitOfWork) -> Outcome:
    detention = event.payload
    case = await _police_case(uow, event)
    return _applied(case.record_detention(detention.model_dump(mode="json", exclude={"referral_id", "police_unit"})))


async def on_custody_ended(event: Delivery[CustodyEndedV1], uow: CourtUnitOfWork) -> Outcome:
    """A person held released, or on bail or under residential surveillance, without an arrest decision."""
    case = await _police_case(uow, event)
    end = _act_of(event, exclude={"referral_id", "case_id", "case_number", "police_unit"})
    return _applied(case.record_custody_end(end))


async def on_arrest_requested(event: Delivery[ArrestRequestedV1], uow: CourtUnitOfWork) -> Outcome:
    request = event.payload
    case = await _police_case(uow, event)
    shown = request.model_dump(mode="json", include={"request_id", "document_number", "attempt", "suspects"})
    return _applied(case.record_request({**shown, "requested_at": request.requested_at.isoformat()}))


async def on_arrest_decided(event: Delivery[ArrestDecidedV1], uow: CourtUnitOfWork) -> Outcome:
    decided = event.payload
    case = await _police_case(uow, event)
    at = decided.decided_at.isoformat()
    decisions = [
        {
            **d.model_dump(mode="json"),
            "request_id": decided.request_id,
            "review_id": decided.review_id,
            "decided_at": at,
        }
        for d in decided.decisions
    ]
    return _applied(case.record_decisions(decisions))


async def on_arrest_executed(event: Delivery[ArrestExecutedV1], uow: CourtUnitOfWork) -> Outcome:
    executed = event.payload
    case = await _police_case(uow, event)
    return _applied(case.record_execution(executed.model_dump(mode="json", exclude={"referral_id", "police_unit"})))


SupervisionNews = (
    ExplanationDemandedV1
    | ExplanationGivenV1
    | FilingNoticeIssuedV1
    | FilingNoticeCompliedV1
    | CorrectionNoticeIssuedV1
    | ReminderSentV1
    | SupervisionClosedV1
)
SUPERVISION_STATUS: dict[type[Contract], str | None] = {
    ExplanationDemandedV1: "explanation_demanded",
    ExplanationGivenV1: "explanation_given",
    FilingNoticeIssuedV1: "filing_notice_issued",
    FilingNoticeCompliedV1: "complied",
    CorrectionNoticeIssuedV1: None,  # an escalation: where the case stands does not change
    ReminderSentV1: None,
}


async def on_supervision_news(event: Delivery[SupervisionNews], uow: CourtUnitOfWork) -> Outcome:
    """立案监督 of one of the court's referrals, as the procuratorate and the police act on it: the court sees where its
    request stands and how it ends. Acts about no referral of the court (a co-offender found by the procuratorate on
    its own) concern the matter, which the court follows through its police cases."""
    news, env = event.payload, event.envelope
    if news.referral_id is None:  # about persons the police had not filed: the matter's, on its timeline
        lead = await uow.leads.get(env.correlation_id)
        if lead is None or lead.unit != env.producer.unit:
            raise PoisonMessage(f"supervision news of unit {env.producer.unit} in matter {env.correlation_id}")
        return Outcome.APPLIED
    referral = await uow.referrals.get(news.referral_id, for_update=True)
    if referral is None:
        raise PoisonMessage(f"supervision news about unknown referral {news.referral_id}")
    if env.producer.unit != referral.police_unit:
        raise PoisonMessage(f"referral {referral.id} is of county {referral.police_unit}, not {env.producer.unit}")
    if isinstance(news, SupervisionClosedV1):
        status = news.outcome.value
    else:
        status = SUPERVISION_STATUS[type(news)] or (referral.supervision or {}).get("status") or "requested"
    return _applied(referral.record_supervision(_act_of(event, exclude={"referral_id"}), status=status))


async def on_case_progress(event: Delivery[CaseProgress], uow: CourtUnitOfWork) -> Outcome:
    """A police case's way to its end — transferred for prosecution, returned for supplementary investigation, not
    prosecuted, withdrawn — kept on the court's record of the case."""
    case = await _police_case(uow, event)
    heavy = {"suspects", "evidence", "investigation_log", "referral_id", "case_id", "case_number", "police_unit"}
    return _applied(case.record_milestone(_act_of(event, exclude=heavy)))


async def on_indictment(event: Delivery[IndictmentFiledV1], uow: CourtUnitOfWork) -> Outcome:
    """起诉书: a public prosecution before the court of the county; the 7-day window to accept it runs from its
    arrival."""
    indicted, env = event.payload, event.envelope
    lead = await uow.leads.get(env.correlation_id)
    if lead is None:
        raise PoisonMessage(f"an indictment in unknown matter {env.correlation_id}")
    if {env.producer.unit, indicted.court_unit, indicted.procuratorate_unit} != {lead.unit}:
        raise PoisonMessage(f"matter {lead.id} is of county {lead.unit}; an indictment from {env.producer.unit}")
    if await uow.trials.for_review(indicted.review_id) is not None:
        return Outcome.STALE
    now = uow.clock.now()
    trial = Trial.public(
        lead_id=lead.id,
        court_unit=lead.unit,
        referral_id=indicted.referral_id,
        indictment=indicted.model_dump(mode="json"),
        at=now,
    )
    uow.trials.add(trial)
    await uow.deadlines.start(
        kind=Kind.PUBLIC_PROSECUTION_ACCEPTANCE,
        subject_type=TRIAL,
        subject_id=trial.id,
        correlation_id=lead.id,
        unit=lead.unit,
        started_at=now,
    )
    return Outcome.APPLIED
