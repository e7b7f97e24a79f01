"""The one place where court domain events become integration events (envelopes with versioned contracts)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from liandong.contracts import ReferralSubmittedV1, Suspect
from liandong.envelope import Envelope, ProducerRef
from liandong_court.domain import events


@singledispatch
def translate(event: Any) -> Iterable[Envelope]:
    """Domain events without an integration counterpart stay inside the court."""
    return ()


@translate.register
def _(event: events.ReferralSubmitted) -> Iterable[Envelope]:
    payload = ReferralSubmittedV1(
        referral_id=event.referral_id,
        lead_id=event.lead_id,
        court_code=event.court_code,
        court_unit=event.court_unit,
        police_unit=event.police_unit,
        enforcement_case_number=event.enforcement_case_number,
        enforcement_summary=event.summary,
        amount_owed=event.amount_owed,
        amount_paid=event.amount_paid,
        suspects=[Suspect.model_validate(s) for s in event.suspects],
        evidence=[],
        submitted_at=event.occurred_at,
        submitted_by=event.submitted_by,
    )
    yield Envelope.wrap(
        payload,
        producer=ProducerRef(agency="court", unit=event.court_unit),
        jurisdiction=event.court_unit,
        aggregate_id=event.referral_id,
        correlation_id=event.lead_id,
        occurred_at=event.occurred_at,
    )
