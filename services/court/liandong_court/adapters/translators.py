"""The one place where court domain events become integration events (envelopes with versioned contracts)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from functools import singledispatch
from typing import Any

from liandong.contracts import (
    CoerciveMeasureRef,
    EnforcementPerformedV1,
    EnforcementResumedV1,
    EvidenceClass,
    EvidenceRef,
    Instalment,
    JudgmentPronouncedV1,
    PerformanceKind,
    PublicProsecutionAcceptedV1,
    ReferralSubmittedV2,
    ReferralWithdrawnV1,
    Sentence,
    SupervisionGround,
    SupervisionRequestedV1,
    Suspect,
    TrialKind,
)
from liandong.envelope import Envelope, ProducerRef
from liandong_court.domain import events
from liandong_court.domain.trials import Trial


def _wrap(payload: Any, *, unit: str, aggregate_id: str, correlation_id: str, at: Any) -> Envelope:
    """The court's events, keyed by their aggregate (a referral, a lead, a trial): each reaches consumers in order."""
    return Envelope.wrap(
        payload,
        producer=ProducerRef(agency="court", unit=unit),
        jurisdiction=unit,
        aggregate_id=aggregate_id,
        correlation_id=correlation_id,
        occurred_at=at,
    )


@singledispatch
def translate(event: Any) -> Iterable[Envelope]:
    """Domain events without an integration counterpart stay inside the court."""
    return ()


@translate.register
def _(event: events.ReferralSubmitted) -> Iterable[Envelope]:
    payload = ReferralSubmittedV2(
        referral_id=event.referral_id,
        lead_id=event.lead_id,
        letter_number=event.letter_number,
        court_code=event.court_code,
        court_unit=event.court_unit,
        police_unit=event.police_unit,
        enforcement_case_number=event.enforcement_case_number,
        enforcement_summary=event.summary,
        amount_owed=event.amount_owed,
        amount_paid=event.amount_paid,
        suspects=[Suspect.model_validate(s.to_json()) for s in event.suspects],
        evidence=[EvidenceRef.model_validate(asdict(e)) for e in event.evidence],
        submitted_at=event.occurred_at,
        submitted_by=event.submitted_by,
        enforcement_basis=event.enforcement_basis,
        creditor=event.creditor,
        notice_number=event.notice_number,
        notice_served_at=event.notice_served_at,
        coercive_measures=[CoerciveMeasureRef(**m.to_json()) for m in event.coercive_measures],
        missing_evidence={EvidenceClass(k): v for k, v in event.missing_evidence.items()},
        override_reason=event.override_reason,
    )
    yield _wrap(
        payload,
        unit=event.court_unit,
        aggregate_id=event.referral_id,
        correlation_id=event.lead_id,
        at=event.occurred_at,
    )


@translate.register
def _(event: events.ReferralWithdrawn) -> Iterable[Envelope]:
    yield _wrap(
        ReferralWithdrawnV1(
            referral_id=event.referral_id,
            reason=event.reason,
            withdrawn_at=event.occurred_at,
            withdrawn_by=event.withdrawn_by,
        ),
        unit=event.court_unit,
        aggregate_id=event.referral_id,
        correlation_id=event.lead_id,
        at=event.occurred_at,
    )


@translate.register
def _(event: events.LeadPerformed) -> Iterable[Envelope]:
    if event.referral_id is None:
        return  # the lead never reached the other agencies: the news stays in the court
    yield _wrap(
        EnforcementPerformedV1(
            lead_id=event.lead_id,
            referral_id=event.referral_id,
            enforcement_case_number=event.enforcement_case_number,
            court_unit=event.court_unit,
            kind=PerformanceKind(event.kind),
            amount_owed=event.amount_owed,
            amount_paid=event.amount_paid,
            paid_now=event.paid_now,
            instalments=[Instalment(due_on=i.due_on, amount=i.amount) for i in event.instalments],
            performed_at=event.occurred_at,
        ),
        unit=event.court_unit,
        aggregate_id=event.lead_id,
        correlation_id=event.lead_id,
        at=event.occurred_at,
    )


@translate.register
def _(event: events.EnforcementResumed) -> Iterable[Envelope]:
    if event.referral_id is None:
        return  # the lead never reached the other agencies
    yield _wrap(
        EnforcementResumedV1(
            lead_id=event.lead_id,
            referral_id=event.referral_id,
            enforcement_case_number=event.enforcement_case_number,
            court_unit=event.court_unit,
            reason=event.reason,
            amount_owed=event.amount_owed,
            amount_paid=event.amount_paid,
            resumed_at=event.occurred_at,
        ),
        unit=event.court_unit,
        aggregate_id=event.lead_id,
        correlation_id=event.lead_id,
        at=event.occurred_at,
    )


@translate.register
def _(event: events.SupervisionRequested) -> Iterable[Envelope]:
    yield _wrap(
        SupervisionRequestedV1(
            request_id=event.request_id,
            referral_id=event.referral_id,
            letter_number=event.letter_number,
            court_unit=event.court_unit,
            police_unit=event.police_unit,
            enforcement_case_number=event.enforcement_case_number,
            ground=SupervisionGround(event.ground),
            decline_reasons=event.decline_reasons,
            reasons=event.reasons,
            suspects=[Suspect.model_validate(s.to_json()) for s in event.suspects],
            evidence=[EvidenceRef.model_validate(asdict(e)) for e in event.evidence],
            requested_at=event.occurred_at,
            requested_by=event.requested_by,
        ),
        unit=event.court_unit,
        aggregate_id=event.referral_id,
        correlation_id=event.lead_id,
        at=event.occurred_at,
    )


def _trial(trial: Trial) -> dict[str, Any]:
    return {
        "trial_id": trial.id,
        "kind": TrialKind(trial.kind.value),
        "court_unit": trial.court_unit,
        "court_case_number": trial.court_case_number,
        "case_id": trial.case_id,
        "review_id": trial.review_id,
    }


def _of_trial(payload: Any, trial: Trial, at: Any) -> Envelope:
    return _wrap(
        payload,
        unit=trial.court_unit,
        aggregate_id=trial.id,
        correlation_id=trial.lead_id,
        at=at,
    )


@translate.register
def _(event: events.TrialAccepted) -> Iterable[Envelope]:
    trial = event.trial
    accepted = PublicProsecutionAcceptedV1(
        **_trial(trial), accepted_at=event.occurred_at, accepted_by=trial.accepted_by or "court"
    )
    yield _of_trial(accepted, trial, event.occurred_at)


@translate.register
def _(event: events.TrialJudged) -> Iterable[Envelope]:
    trial = event.trial
    judgment = trial.judgment or {}
    judged = JudgmentPronouncedV1(
        **_trial(trial),
        sentences=[Sentence.model_validate(s) for s in judgment["sentences"]],
        recovered=Decimal(judgment["recovered"]),
        judged_at=event.occurred_at,
        served_at=datetime.fromisoformat(judgment["served_at"]) if judgment.get("served_at") else None,
        appeal_ends_at=datetime.fromisoformat(judgment["appeal_ends_at"]) if judgment.get("appeal_ends_at") else None,
        judged_by=judgment["by"],
    )
    yield _of_trial(judged, trial, event.occurred_at)
