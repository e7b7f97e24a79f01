"""What the procuratorate does with the events it receives: every hand-off goes on the matter's timeline."""

from __future__ import annotations

import uuid

from liandong.contracts import (
    ArrestExecutedV1,
    ArrestReconsiderationRequestedV1,
    ArrestRequestedV1,
    CaseOpenedV1,
    CaseTransferredV1,
    CaseWithdrawnV1,
    Contract,
    EnforcementPerformedV1,
    ExplanationGivenV1,
    FilingNoticeCompliedV1,
    JudgmentPronouncedV1,
    ReconsiderationStage,
    ReferralSubmittedV1,
    SupervisionRequestedV1,
    parse_payload,
)
from liandong.contracts.summaries import summary
from liandong.errors import DomainError
from liandong.messaging.handlers import Delivery, Outcome, PoisonMessage
from liandong.sla.kinds import Kind
from liandong.units import CITY_CODE
from liandong_procuratorate.domain.model import PoliceCaseRecord, TimelineEntry
from liandong_procuratorate.domain.prosecutions import ProsecutionReview
from liandong_procuratorate.domain.reviews import ArrestReview
from liandong_procuratorate.domain.supervision import Origin, SupervisionCase
from liandong_procuratorate.service_layer.handlers import RECONSIDERATION, REVIEW, review_subject
from liandong_procuratorate.service_layer.prosecution_handlers import PROSECUTION, review_kind
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork


def summarise(event: Delivery[Contract]) -> str:
    """The line a prosecutor reads on the matter's timeline."""
    return summary(event.payload) or event.envelope.event_type


PoliceAnswer = ExplanationGivenV1 | FilingNoticeCompliedV1


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


async def on_arrest_requested(event: Delivery[ArrestRequestedV1], uow: ProcuratorateUnitOfWork) -> Outcome:
    """提请批准逮捕书: on the timeline, and a review in the unit's inbox; each suspect's review window runs from its
    arrival, 7 days (custody, never past a holiday's end) if detained, 15 if not (CPL Art. 91; SPP Rules)."""
    request = event.payload
    if event.envelope.producer.unit != request.police_unit:
        raise PoisonMessage(f"a request of the bureau of {request.police_unit} sent by {event.envelope.producer.unit}")
    if await uow.reviews.for_request(request.request_id) is not None:
        return Outcome.STALE  # the same request under another event id
    await on_hand_off(event, uow)
    now = uow.clock.now()
    review = ArrestReview(
        id=str(uuid.uuid4()),
        request_id=request.request_id,
        case_id=request.case_id,
        case_number=request.case_number,
        referral_id=request.referral_id,
        correlation_id=event.envelope.correlation_id,
        police_unit=request.police_unit,
        unit=request.police_unit,  # the procuratorate of the bureau's county
        document_number=request.document_number,
        attempt=request.attempt,
        suspects=[{**s.model_dump(mode="json"), "decision": None} for s in request.suspects],
        evidence=[e.model_dump(mode="json") for e in request.evidence],
        investigation_log=[entry.model_dump(mode="json") for entry in request.investigation_log],
        requested_at=request.requested_at,
        requested_by=request.requested_by,
        received_at=now,
    )
    uow.reviews.add(review)
    for suspect in request.suspects:
        await uow.deadlines.start(
            kind=Kind.ARREST_REVIEW_DETAINED if suspect.detained else Kind.ARREST_REVIEW_NOT_DETAINED,
            subject_type=REVIEW,
            subject_id=review_subject(review.id, suspect.suspect_id),
            correlation_id=review.correlation_id,
            unit=review.unit,
            started_at=now,
        )
    return Outcome.APPLIED


async def on_reconsideration_requested(
    event: Delivery[ArrestReconsiderationRequestedV1], uow: ProcuratorateUnitOfWork
) -> Outcome:
    """要求复议: 7 days for the procuratorate that refused (SPP Rules Art. 290); 提请复核: 15 days for the city's, the
    next level up (Art. 291)."""
    asked = event.payload
    review = await uow.reviews.for_request(asked.request_id)
    if review is None:
        raise PoisonMessage(f"a reconsideration of unknown request {asked.request_id}")
    if {event.envelope.producer.unit, asked.police_unit} != {review.police_unit}:
        raise PoisonMessage(f"request {asked.request_id} came from the bureau of {review.police_unit}")
    try:
        fresh = review.reconsideration_asked(
            asked.suspect_id,
            stage=asked.stage.value,
            reasons=asked.reasons,
            at=asked.requested_at,
            by=asked.requested_by,
        )
    except DomainError as exc:
        raise PoisonMessage(exc.message) from exc
    if not fresh:
        return Outcome.STALE
    review_stage = asked.stage is ReconsiderationStage.REVIEW
    await uow.deadlines.start(
        kind=Kind.ARREST_REVIEW_AT_NEXT_LEVEL if review_stage else Kind.ARREST_RECONSIDERATION,
        subject_type=RECONSIDERATION,
        subject_id=review_subject(review.id, asked.suspect_id),
        correlation_id=review.correlation_id,
        unit=CITY_CODE if review_stage else review.unit,
        started_at=uow.clock.now(),
    )
    await on_hand_off(event, uow)
    return Outcome.APPLIED


async def on_arrest_executed(event: Delivery[ArrestExecutedV1], uow: ProcuratorateUnitOfWork) -> Outcome:
    """执行回执: on the timeline and on the review."""
    executed = event.payload
    review = await uow.reviews.for_request(executed.request_id)
    if review is None:
        raise PoisonMessage(f"an execution receipt for unknown request {executed.request_id}")
    if {event.envelope.producer.unit, executed.police_unit} != {review.police_unit}:
        raise PoisonMessage(f"request {executed.request_id} came from the bureau of {review.police_unit}")
    try:
        fresh = review.record_execution(
            executed.suspect_id,
            outcome=executed.outcome.value,
            executed_at=executed.executed_at,
            receipt_at=executed.receipt_sent_at,
            failure_reason=executed.failure_reason,
        )
    except DomainError as exc:
        raise PoisonMessage(exc.message) from exc
    if not fresh:
        return Outcome.STALE
    await on_hand_off(event, uow)
    return Outcome.APPLIED


async def on_case_opened(event: Delivery[CaseOpenedV1], uow: ProcuratorateUnitOfWork) -> Outcome:
    """A police case of a matter: on the timeline, and kept with its suspects (立案监督 asks who was left out)."""
    opened = event.payload
    if event.envelope.producer.unit != opened.police_unit:
        raise PoisonMessage(f"a case of the bureau of {opened.police_unit} sent by {event.envelope.producer.unit}")
    if await uow.police_cases.get(opened.case_id) is not None:
        return Outcome.STALE
    await on_hand_off(event, uow)
    uow.police_cases.add(
        PoliceCaseRecord(
            case_id=opened.case_id,
            correlation_id=event.envelope.correlation_id,
            police_unit=opened.police_unit,
            case_number=opened.case_number,
            suspects=[s.model_dump(mode="json") for s in opened.suspects],
            opened_at=opened.opened_at,
        )
    )
    return Outcome.APPLIED


async def on_supervision_requested(event: Delivery[SupervisionRequestedV1], uow: ProcuratorateUnitOfWork) -> Outcome:
    """提请立案监督 from the court of the county: a supervision case in the unit's inbox."""
    request, env = event.payload, event.envelope
    if {request.court_unit, request.police_unit} != {env.producer.unit}:
        raise PoisonMessage(f"a request of the court of {env.producer.unit} names other units")
    if await uow.supervision.for_source(request.request_id) is not None:
        return Outcome.STALE
    await on_hand_off(event, uow)
    uow.supervision.add(
        SupervisionCase(
            id=str(uuid.uuid4()),
            correlation_id=env.correlation_id,
            unit=request.court_unit,
            police_unit=request.police_unit,
            origin=Origin.COURT_REQUEST,
            referral_id=request.referral_id,
            source_id=request.request_id,
            court_request=request.model_dump(mode="json", exclude={"referral_id", "court_unit", "police_unit"}),
            opened_at=uow.clock.now(),
            opened_by=request.requested_by,
        )
    )
    return Outcome.APPLIED


async def _supervised(uow: ProcuratorateUnitOfWork, event: Delivery[PoliceAnswer]) -> SupervisionCase:
    answer = event.payload
    case = await uow.supervision.get(answer.supervision_id, for_update=True)
    if case is None:
        raise PoisonMessage(f"an answer to unknown supervision case {answer.supervision_id}")
    if {event.envelope.producer.unit, answer.police_unit} != {case.police_unit}:
        raise PoisonMessage(f"supervision case {case.id} is of the bureau of {case.police_unit}")
    return case


async def on_explanation_given(event: Delivery[ExplanationGivenV1], uow: ProcuratorateUnitOfWork) -> Outcome:
    """不立案理由说明书: the prosecutor decides whether the reasons stand."""
    given = event.payload
    case = await _supervised(uow, event)
    try:
        fresh = case.record_explanation(
            given.notice_id, explanation=given.explanation, given_at=given.given_at, given_by=given.given_by
        )
    except DomainError as exc:
        raise PoisonMessage(exc.message) from exc
    if fresh:
        await on_hand_off(event, uow)
    return Outcome.APPLIED if fresh else Outcome.STALE


async def on_filing_complied(event: Delivery[FilingNoticeCompliedV1], uow: ProcuratorateUnitOfWork) -> Outcome:
    """The police filed as notified: the notice is complied with, and the case closes when all are."""
    filed = event.payload
    case = await _supervised(uow, event)
    record = {
        "case_id": filed.case_id,
        "case_number": filed.case_number,
        "suspects": [s.model_dump(mode="json") for s in filed.suspects],
        "filed_at": filed.filed_at.isoformat(),
        "filed_by": filed.filed_by,
    }
    try:
        fresh = case.record_compliance(filed.notice_id, filed=record, at=uow.clock.now())
    except DomainError as exc:
        raise PoisonMessage(exc.message) from exc
    if fresh:
        await on_hand_off(event, uow)
    return Outcome.APPLIED if fresh else Outcome.STALE


async def on_case_withdrawn(event: Delivery[CaseWithdrawnV1], uow: ProcuratorateUnitOfWork) -> Outcome:
    """撤销案件: on the matter's timeline; a case withdrawn while returned for supplementary investigation ends its
    prosecution review (the review's window was met by the return, and nothing restarts it)."""
    withdrawn, env = event.payload, event.envelope
    outcome = await on_hand_off(event, uow)
    review = await uow.prosecutions.for_case(withdrawn.case_id)
    if review is not None and review.police_unit == env.producer.unit:
        review.case_withdrawn(
            {
                "ground": withdrawn.ground.value if withdrawn.ground else None,
                "reasons": withdrawn.reasons,
                "at": withdrawn.decided_at.isoformat(),
                "by": withdrawn.decided_by,
            }
        )
    return outcome


async def on_case_transferred(event: Delivery[CaseTransferredV1], uow: ProcuratorateUnitOfWork) -> Outcome:
    """起诉意见书: a prosecution review in the unit's inbox, its window from the arrival; a case coming back after a
    supplementary investigation restarts the same review's window (CPL Art. 175: 重新计算审查起诉期限)."""
    transferred, env = event.payload, event.envelope
    if env.producer.unit != transferred.police_unit:
        raise PoisonMessage(f"a case of the bureau of {transferred.police_unit} sent by {env.producer.unit}")
    now = uow.clock.now()
    review = await uow.prosecutions.for_case(transferred.case_id)
    if review is not None:
        if transferred.resubmission == 0:
            return Outcome.STALE  # the first transfer, again
        try:
            fresh = review.resubmitted(
                transfer_number=transferred.document_number, resubmission=transferred.resubmission, at=now
            )
        except DomainError as exc:
            raise PoisonMessage(exc.message) from exc
        if not fresh:
            return Outcome.STALE
        assert review.window_id is not None
        review.custody_now([s.model_dump(mode="json") for s in transferred.suspects])
        await uow.deadlines.restart(
            review.window_id,
            at=now,
            reason=f"补充侦查完毕重新移送（{transferred.document_number}）",
            custody=review.in_custody,
        )
        await on_hand_off(event, uow)
        return Outcome.APPLIED
    review = ProsecutionReview(
        id=str(uuid.uuid4()),
        case_id=transferred.case_id,
        case_number=transferred.case_number,
        referral_id=transferred.referral_id,
        correlation_id=env.correlation_id,
        police_unit=transferred.police_unit,
        unit=transferred.police_unit,
        defendants=[s.model_dump(mode="json") for s in transferred.suspects],
        evidence=[e.model_dump(mode="json") for e in transferred.evidence],
        investigation_log=[entry.model_dump(mode="json") for entry in transferred.investigation_log],
        transfer_number=transferred.document_number,
        received_at=now,
    )
    uow.prosecutions.add(review)
    for paid in await uow.received(env.correlation_id, EnforcementPerformedV1.event_type):
        review.record_performance(parse_payload(paid).model_dump(mode="json"))  # paid before the case arrived
    review.window_id = await uow.deadlines.start(
        kind=review_kind(review),
        subject_type=PROSECUTION,
        subject_id=review.id,
        correlation_id=review.correlation_id,
        unit=review.unit,
        started_at=now,
        custody=review.in_custody,  # a defendant held: a custody period (CPL Art. 105)
    )
    await on_hand_off(event, uow)
    return Outcome.APPLIED


async def on_judgment(event: Delivery[JudgmentPronouncedV1], uow: ProcuratorateUnitOfWork) -> Outcome:
    """The judgment, on the timeline and on the review of the case it judged."""
    judged = event.payload
    if judged.review_id is not None:
        review = await uow.prosecutions.get(judged.review_id, for_update=True)
        if review is not None and not review.record_judgment(judged.model_dump(mode="json")):
            return Outcome.STALE
    await on_hand_off(event, uow)
    return Outcome.APPLIED


async def on_performance(event: Delivery[EnforcementPerformedV1], uow: ProcuratorateUnitOfWork) -> Outcome:
    """The debtor paid or settled: on the timeline, and on the matter's prosecution reviews (a ground not to
    prosecute, 法释〔2024〕13号 第十一条)."""
    await on_hand_off(event, uow)
    for review in await uow.prosecutions.of_matter(event.envelope.correlation_id):
        review.record_performance(event.payload.model_dump(mode="json"))
    return Outcome.APPLIED
