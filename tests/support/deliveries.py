"""Deliveries (an event as a consumer hands it to a handler) for handler tests without a broker."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from liandong.contracts import Contract
from liandong.envelope import Agency, Envelope, ProducerRef
from liandong.messaging.handlers import Delivery

P = TypeVar("P", bound=Contract)


def delivery(payload: P, *, agency: Agency, unit: str = "421222", correlation_id: str = "lead-1") -> Delivery[P]:
    envelope = Envelope.wrap(
        payload,
        producer=ProducerRef(agency=agency, unit=unit),
        jurisdiction=unit,
        aggregate_id=str(getattr(payload, "referral_id", None) or correlation_id),
        correlation_id=correlation_id,
        occurred_at=datetime(2025, 10, 10, 2, 0, tzinfo=UTC),
    )
    return Delivery(envelope, payload, payload.topic, 0, 0)
