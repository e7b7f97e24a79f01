"""Commands (imperative): what the procuratorate's staff ask the service to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from liandong.security import Principal


@dataclass(frozen=True)
class DecideArrest:
    """批准逮捕 / 不批准逮捕 for one or more suspects of a review: {suspect_id, decision, reasons, outline}."""

    actor: Principal
    review_id: str
    decisions: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ExtendReview:
    """重大、复杂: the review of the suspects not detained goes to 20 days (SPP Rules)."""

    actor: Principal
    review_id: str
    reason: str


@dataclass(frozen=True)
class RecordPerson:
    """A further person who appears to be involved, found while reviewing."""

    actor: Principal
    review_id: str
    name: str
    role: str
    evidence: tuple[str, ...] = ()
    note: str | None = None
