"""The one place where police domain events become integration events."""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from liandong.contracts import (
    CaseFiledV1,
    CaseFilingDeclinedV1,
    CaseFilingExtendedV1,
    ReferralReceivedV1,
    Suspect,
)
from liandong.contracts.base import Contract
from liandong.envelope import Envelope, ProducerRef
from liandong_police.domain import events


def _wrap(payload: Contract, *, unit: str, referral_id: str, lead_id: str, at: Any) -> Envelope:
    return Envelope.wrap(
        payload,
        producer=ProducerRef(agency="police", unit=unit),
        jurisdiction=unit,
        aggregate_id=referral_id,
        correlation_id=lead_id,
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
        referral_id=event.referral_id,
        lead_id=event.lead_id,
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
        referral_id=event.referral_id,
        lead_id=event.lead_id,
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
        referral_id=event.referral_id,
        lead_id=event.lead_id,
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
        referral_id=event.referral_id,
        lead_id=event.lead_id,
        at=event.occurred_at,
    )
