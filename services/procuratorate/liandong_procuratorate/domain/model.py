"""The supervision timeline: what the procuratorate has seen of each matter (立案监督 needs to know it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class TimelineEntry:
    """One hand-off between agencies in a matter, as the procuratorate received it."""

    events: list[Any]

    @property
    def matter_id(self) -> str:
        """The matter (correlation id) this record belongs to: events of another matter may not touch it."""
        return self.correlation_id

    def __init__(
        self,
        *,
        event_id: str,
        correlation_id: str,
        event_type: str,
        producer_agency: str,
        producer_unit: str,
        jurisdiction: str,
        occurred_at: datetime,
        recorded_at: datetime,
        summary: str,
    ) -> None:
        self.event_id = event_id
        self.correlation_id = correlation_id
        self.event_type = event_type
        self.producer_agency = producer_agency
        self.producer_unit = producer_unit
        self.jurisdiction = jurisdiction
        self.occurred_at = occurred_at
        self.recorded_at = recorded_at
        self.summary = summary
        self.events = []


class PoliceCaseRecord:
    """A police case of a matter as its opening reported it: whom the police filed against (立案监督 asks who was
    left out)."""

    events: list[Any]

    @property
    def matter_id(self) -> str:
        """The matter (correlation id) this record belongs to: events of another matter may not touch it."""
        return self.correlation_id

    def __init__(
        self,
        *,
        case_id: str,
        correlation_id: str,
        police_unit: str,
        case_number: str,
        suspects: list[dict[str, Any]],
        opened_at: datetime,
    ) -> None:
        self.case_id = case_id
        self.correlation_id = correlation_id
        self.police_unit = police_unit
        self.case_number = case_number
        self.suspects = suspects
        self.opened_at = opened_at
        self.events = []
