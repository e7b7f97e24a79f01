"""The one place where procuratorate domain events become integration events."""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch
from typing import Any, Protocol

from liandong.contracts import (
    ArrestDecidedV1,
    ArrestReconsideredV1,
    AssetProposal,
    CaseSuspect,
    CoOffender,
    CorrectionNoticeIssuedV1,
    ExplanationDemandedV1,
    FilingNoticeIssuedV1,
    IndictmentFiledV1,
    NonProsecutionGround,
    ProsecutionDeclinedV1,
    ProsecutionReturnedV1,
    ReconsiderationStage,
    ReminderSentV1,
    SupervisionClosedV1,
    SupervisionOutcome,
    SuspectDecision,
)
from liandong.contracts.base import Contract
from liandong.envelope import Envelope, ProducerRef
from liandong_procuratorate.domain import events
from liandong_procuratorate.domain.prosecutions import ProsecutionReview
from liandong_procuratorate.domain.supervision import CORRECTION, EXPLANATION, FILING


class Keyed(Protocol):
    """An aggregate of the procuratorate: its unit, its id (the events' key) and its matter."""

    id: str
    unit: str
    correlation_id: str


def _of(payload: Contract, aggregate: Keyed, at: Any) -> Envelope:
    """An event of one of the procuratorate's aggregates, keyed by it: its events arrive in order."""
    return Envelope.wrap(
        payload,
        producer=ProducerRef(agency="procuratorate", unit=aggregate.unit),
        jurisdiction=aggregate.unit,
        aggregate_id=aggregate.id,
        correlation_id=aggregate.correlation_id,
        occurred_at=at,
    )


@singledispatch
def translate(event: Any) -> Iterable[Envelope]:
    """Domain events without an integration counterpart stay inside the procuratorate."""
    return ()


@translate.register
def _(event: events.ArrestDecided) -> Iterable[Envelope]:
    review = event.review
    decided = ArrestDecidedV1(
        review_id=review.id,
        request_id=review.request_id,
        case_id=review.case_id,
        police_unit=review.police_unit,
        procuratorate_unit=review.unit,
        decisions=[
            SuspectDecision(
                suspect_id=d["suspect_id"],
                name=d["name"],
                decision=d["decision"],
                reasons=d["reasons"],
                outline=d.get("outline"),
            )
            for d in event.decided
        ],
        decided_at=event.occurred_at,
        decided_by=event.by,
    )
    yield _of(decided, review, event.occurred_at)


@translate.register
def _(event: events.ArrestReconsidered) -> Iterable[Envelope]:
    review, answer = event.review, event.answer
    reconsidered = ArrestReconsideredV1(
        review_id=review.id,
        request_id=review.request_id,
        case_id=review.case_id,
        police_unit=review.police_unit,
        procuratorate_unit=answer["unit"],
        suspect_id=event.suspect["suspect_id"],
        name=event.suspect["name"],
        stage=ReconsiderationStage(answer["stage"]),
        changed=answer["changed"],
        reasons=answer["decision_reasons"],
        decided_at=event.occurred_at,
        decided_by=answer["decided_by"],
    )
    envelope = _of(reconsidered, review, event.occurred_at)
    if answer["unit"] != review.unit:  # 复核: the city's procuratorate decides
        envelope = envelope.model_copy(update={"producer": ProducerRef(agency="procuratorate", unit=answer["unit"])})
    yield envelope


@translate.register
def _(event: events.NoticeIssued) -> Iterable[Envelope]:
    case, notice = event.case, event.notice
    common = {
        "supervision_id": case.id,
        "procuratorate_unit": case.unit,
        "police_unit": case.police_unit,
        "referral_id": case.referral_id,
        "notice_id": notice["notice_id"],
        "document_number": notice["document_number"],
        "issued_at": event.occurred_at,
        "issued_by": notice["issued_by"],
    }
    payload: Contract
    if notice["kind"] == EXPLANATION:
        payload = ExplanationDemandedV1(**common, reasons=notice["reasons"])
    elif notice["kind"] == FILING:
        co_offender = notice.get("co_offender")
        payload = FilingNoticeIssuedV1(
            **common,
            reasons=notice["reasons"],
            co_offender=CoOffender.model_validate(co_offender) if co_offender else None,
        )
    elif notice["kind"] == CORRECTION:
        payload = CorrectionNoticeIssuedV1(
            **common, concerns_notice_id=notice["concerns_notice_id"], violation=notice["violation"]
        )
    else:
        payload = ReminderSentV1(**common, case_id=notice["case_id"], text=notice["text"])
    yield _of(payload, case, event.occurred_at)


@translate.register
def _(event: events.SupervisionClosed) -> Iterable[Envelope]:
    case = event.case
    closed = SupervisionClosedV1(
        supervision_id=case.id,
        procuratorate_unit=case.unit,
        referral_id=case.referral_id,
        outcome=SupervisionOutcome(case.outcome or SupervisionOutcome.COMPLIED),
        note=case.close_note or str(case.outcome),
        closed_at=event.occurred_at,
        closed_by=case.closed_by or "system",
    )
    yield _of(closed, case, event.occurred_at)


def _review_act(review: ProsecutionReview, at: Any) -> dict[str, Any]:
    decision = review.decision or {}
    return {
        "review_id": review.id,
        "case_id": review.case_id,
        "case_number": review.case_number,
        "referral_id": review.referral_id,
        "police_unit": review.police_unit,
        "procuratorate_unit": review.unit,
        "decided_at": at,
        "decided_by": decision.get("by") or review.returns[-1]["by"],
    }


@translate.register
def _(event: events.ProsecutionReturned) -> Iterable[Envelope]:
    review, back = event.review, event.back
    returned = ProsecutionReturnedV1(
        **{**_review_act(review, event.occurred_at), "decided_by": back["by"]},
        return_number=back["return_number"],
        outline=back["outline"],
    )
    yield _of(returned, review, event.occurred_at)


@translate.register
def _(event: events.ProsecutionDeclined) -> Iterable[Envelope]:
    review = event.review
    decision = review.decision or {}
    declined = ProsecutionDeclinedV1(
        **_review_act(review, event.occurred_at),
        ground=NonProsecutionGround(decision["ground"]),
        reasons=decision["reasons"],
    )
    yield _of(declined, review, event.occurred_at)


@translate.register
def _(event: events.IndictmentFiled) -> Iterable[Envelope]:
    review = event.review
    decision = review.decision or {}
    indicted = IndictmentFiledV1(
        **_review_act(review, event.occurred_at),
        document_number=decision["document_number"],
        court_unit=review.unit,  # the court of the county
        defendants=[CaseSuspect.model_validate(d) for d in event.defendants],
        charges=decision["charges"],
        asset_proposal=AssetProposal.model_validate(decision["asset_proposal"]),
    )
    yield _of(indicted, review, event.occurred_at)
