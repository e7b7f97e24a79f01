"""The one place where police domain events become integration events."""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from liandong.contracts import (
    ArrestDecision,
    ArrestExecutedV1,
    ArrestReconsiderationRequestedV1,
    ArrestRequestedV1,
    ArrestSuspect,
    CaseFiledV1,
    CaseFilingDeclinedV1,
    CaseFilingExtendedV1,
    CaseOpenedV1,
    CaseSuspect,
    CaseTransferredV1,
    CaseWithdrawnV1,
    CustodyEnd,
    CustodyEndedV1,
    DetentionRecordedV1,
    EvidenceRef,
    ExecutionOutcome,
    ExplanationGivenV1,
    FilingNoticeCompliedV1,
    LogEntryRef,
    ReconsiderationStage,
    ReferralReceivedV1,
    Suspect,
    SuspectCustody,
    WithdrawalGround,
)
from liandong.contracts.base import Contract
from liandong.envelope import Envelope, ProducerRef
from liandong_police.domain import events
from liandong_police.domain.supervision import SupervisionNotice


def _wrap(payload: Contract, *, unit: str, aggregate_id: str, correlation_id: str, at: Any) -> Envelope:
    """The bureau's events, keyed by their aggregate (a referral, a case, a notice): each reaches consumers in order."""
    return Envelope.wrap(
        payload,
        producer=ProducerRef(agency="police", unit=unit),
        jurisdiction=unit,
        aggregate_id=aggregate_id,
        correlation_id=correlation_id,
        occurred_at=at,
    )


@singledispatch
def translate(event: Any) -> Iterable[Envelope]:
    """Domain events without an integration counterpart stay inside the bureau."""
    return ()


@translate.register
def _(event: events.ReferralRegistered) -> Iterable[Envelope]:
    yield _wrap(
        ReferralReceivedV1(
            referral_id=event.referral_id,
            police_unit=event.police_unit,
            receipt_number=event.receipt_number,
            received_at=event.occurred_at,
            registered_by=event.registered_by,
        ),
        unit=event.police_unit,
        aggregate_id=event.referral_id,
        correlation_id=event.lead_id,
        at=event.occurred_at,
    )


@translate.register
def _(event: events.CaseFiled) -> Iterable[Envelope]:
    yield _wrap(
        CaseFiledV1(
            referral_id=event.referral_id,
            case_id=event.case_id,
            case_number=event.case_number,
            police_unit=event.police_unit,
            suspects=[Suspect.model_validate(s) for s in event.suspects],
            filed_at=event.occurred_at,
            filed_by=event.filed_by,
        ),
        unit=event.police_unit,
        aggregate_id=event.referral_id,
        correlation_id=event.lead_id,
        at=event.occurred_at,
    )


@translate.register
def _(event: events.DeclineServed) -> Iterable[Envelope]:
    yield _wrap(
        CaseFilingDeclinedV1(
            referral_id=event.referral_id,
            police_unit=event.police_unit,
            reasons=event.reasons,
            decided_at=event.decided_at,
            served_at=event.occurred_at,
            decided_by=event.decided_by,
        ),
        unit=event.police_unit,
        aggregate_id=event.referral_id,
        correlation_id=event.lead_id,
        at=event.occurred_at,
    )


@translate.register
def _(event: events.FilingExtended) -> Iterable[Envelope]:
    yield _wrap(
        CaseFilingExtendedV1(
            referral_id=event.referral_id,
            police_unit=event.police_unit,
            window_days=event.window_days,
            due_at=event.due_at,
            approver=event.approver,
            reason=event.reason,
            extended_at=event.occurred_at,
        ),
        unit=event.police_unit,
        aggregate_id=event.referral_id,
        correlation_id=event.lead_id,
        at=event.occurred_at,
    )


def _case_event(payload: Contract, case: events.CaseFacts, at: Any) -> Envelope:
    return _wrap(payload, unit=case.police_unit, aggregate_id=case.case_id, correlation_id=case.correlation_id, at=at)


def _case_fields(case: events.CaseFacts) -> dict[str, Any]:
    return {
        "case_id": case.case_id,
        "case_number": case.case_number,
        "referral_id": case.referral_id,
        "police_unit": case.police_unit,
    }


@translate.register
def _(event: events.CaseOpened) -> Iterable[Envelope]:
    opened = CaseOpenedV1(
        **_case_fields(event.case),
        suspects=_case_suspects(event.suspects),
        opened_at=event.occurred_at,
        opened_by=event.by,
    )
    yield _case_event(opened, event.case, event.occurred_at)


@translate.register
def _(event: events.DetentionRecorded) -> Iterable[Envelope]:
    detention = DetentionRecordedV1(
        **_case_fields(event.case),
        detention_id=event.detention_id,
        suspect_id=event.suspect_id,
        name=event.name,
        detained_at=event.detained_at,
        place=event.place,
        request_due_at=event.request_due_at,
        recorded_by=event.by,
    )
    yield _case_event(detention, event.case, event.occurred_at)


@translate.register
def _(event: events.CustodyEnded) -> Iterable[Envelope]:
    ended = CustodyEndedV1(
        **_case_fields(event.case),
        suspect_id=event.suspect_id,
        name=event.name,
        detention_id=event.detention_id,
        previous=SuspectCustody(event.previous),
        outcome=CustodyEnd(event.outcome),
        reason=event.reason,
        ended_at=event.ended_at,
        decided_by=event.by,
    )
    yield _case_event(ended, event.case, event.occurred_at)


@translate.register
def _(event: events.ReconsiderationRequested) -> Iterable[Envelope]:
    asked = ArrestReconsiderationRequestedV1(
        **_case_fields(event.case),
        request_id=event.request_id,
        review_id=event.review_id,
        suspect_id=event.suspect_id,
        name=event.name,
        stage=ReconsiderationStage(event.stage),
        reasons=event.reasons,
        requested_at=event.occurred_at,
        requested_by=event.by,
    )
    yield _case_event(asked, event.case, event.occurred_at)


@translate.register
def _(event: events.ArrestRequested) -> Iterable[Envelope]:
    request = event.request
    requested = ArrestRequestedV1(
        **_case_fields(event.case),
        request_id=request["request_id"],
        document_number=request["document_number"],
        attempt=request["attempt"],
        suspects=[ArrestSuspect.model_validate(s) for s in request["suspects"]],
        evidence=[EvidenceRef.model_validate(e) for e in event.evidence],
        investigation_log=_log_refs(event.log),
        requested_at=event.occurred_at,
        requested_by=event.by,
    )
    yield _case_event(requested, event.case, event.occurred_at)


@translate.register
def _(event: events.ArrestExecuted) -> Iterable[Envelope]:
    executed = ArrestExecutedV1(
        **_case_fields(event.case),
        request_id=event.request_id,
        review_id=event.review_id,
        suspect_id=event.suspect_id,
        name=event.name,
        decision=ArrestDecision(event.decision),
        outcome=ExecutionOutcome(event.outcome),
        failure_reason=event.failure_reason,
        executed_at=event.executed_at,
        receipt_sent_at=event.occurred_at,
        executed_by=event.by,
    )
    yield _case_event(executed, event.case, event.occurred_at)


def _answer(payload: Contract, notice: SupervisionNotice, at: Any) -> Envelope:
    return _wrap(payload, unit=notice.police_unit, aggregate_id=notice.id, correlation_id=notice.correlation_id, at=at)


def _notice_fields(notice: SupervisionNotice) -> dict[str, Any]:
    return {
        "notice_id": notice.id,
        "supervision_id": notice.supervision_id,
        "police_unit": notice.police_unit,
        "referral_id": notice.referral_id,
    }


@translate.register
def _(event: events.ExplanationGiven) -> Iterable[Envelope]:
    given = ExplanationGivenV1(
        **_notice_fields(event.notice), explanation=event.explanation, given_at=event.occurred_at, given_by=event.by
    )
    yield _answer(given, event.notice, event.occurred_at)


@translate.register
def _(event: events.FilingNoticeComplied) -> Iterable[Envelope]:
    complied = FilingNoticeCompliedV1(
        **_notice_fields(event.notice),
        case_id=event.case_id,
        case_number=event.case_number,
        suspects=[Suspect.model_validate({k: s.get(k) for k in Suspect.model_fields}) for s in event.suspects],
        filed_at=event.occurred_at,
        filed_by=event.by,
    )
    yield _answer(complied, event.notice, event.occurred_at)


def _log_refs(log: tuple[dict[str, Any], ...]) -> list[LogEntryRef]:
    return [LogEntryRef.model_validate({k: entry[k] for k in LogEntryRef.model_fields}) for entry in log]


def _case_suspects(suspects: tuple[dict[str, Any], ...]) -> list[CaseSuspect]:
    return [CaseSuspect.model_validate(s) for s in suspects]


@translate.register
def _(event: events.CaseTransferred) -> Iterable[Envelope]:
    transferred = CaseTransferredV1(
        **_case_fields(event.case),
        document_number=event.transfer["document_number"],
        resubmission=event.transfer["resubmission"],
        suspects=_case_suspects(event.suspects),
        evidence=[EvidenceRef.model_validate(e) for e in event.evidence],
        investigation_log=_log_refs(event.log),
        transferred_at=event.occurred_at,
        transferred_by=event.by,
    )
    yield _case_event(transferred, event.case, event.occurred_at)


@translate.register
def _(event: events.CaseWithdrawn) -> Iterable[Envelope]:
    withdrawn = CaseWithdrawnV1(
        **_case_fields(event.case),
        ground=WithdrawalGround(event.ground) if event.ground else None,
        reasons=event.reasons,
        decided_at=event.decided_at,
        decided_by=event.decided_by,
        notified_at=event.occurred_at,
    )
    yield _case_event(withdrawn, event.case, event.occurred_at)
