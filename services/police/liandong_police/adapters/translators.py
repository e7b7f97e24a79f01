"""The one place where police domain events become integration events."""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from liandong.contracts import ReferralReceivedV1
from liandong.envelope import Envelope, ProducerRef
from liandong_police.domain import events


@singledispatch
def translate(event: Any) -> Iterable[Envelope]:
    """Domain events without an integration counterpart stay inside the bureau."""
    return ()


@translate.register
def _(event: events.ReferralRegistered) -> Iterable[Envelope]:
    yield Envelope.wrap(
        ReferralReceivedV1(
            referral_id=event.referral_id,
            police_unit=event.police_unit,
            receipt_number=event.receipt_number,
            received_at=event.occurred_at,
            registered_by=event.registered_by,
        ),
        producer=ProducerRef(agency="police", unit=event.police_unit),
        jurisdiction=event.police_unit,
        aggregate_id=event.referral_id,
        correlation_id=event.lead_id,
        occurred_at=event.occurred_at,
    )
