"""The one place where procuratorate domain events become integration events."""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from liandong.contracts import ArrestDecidedV1, SuspectDecision
from liandong.envelope import Envelope, ProducerRef
from liandong_procuratorate.domain import events


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
    yield Envelope.wrap(
        decided,
        producer=ProducerRef(agency="procuratorate", unit=review.unit),
        jurisdiction=review.unit,
        aggregate_id=review.id,
        correlation_id=review.correlation_id,
        occurred_at=event.occurred_at,
    )
