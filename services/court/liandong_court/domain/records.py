"""What the enforcement officer records on a lead: payments, settlements (和解协议) and evidence files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from liandong_court.domain.events import DomainEvent
from liandong_court.domain.rules import CENT
from liandong_court.domain.values import EvidenceFile, Instalment


@dataclass(eq=False, kw_only=True)
class Payment:
    """A payment by the debtor recorded by the enforcement officer."""

    id: str
    lead_id: str
    amount: Decimal
    paid_on: date
    channel: str
    note: str | None
    over_reason: str | None
    recorded_at: datetime
    recorded_by: str
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.amount = self.amount.quantize(CENT)


@dataclass(eq=False, kw_only=True)
class Settlement:
    """和解协议 between creditor and debtor: paid now, and the instalment plan for the rest."""

    id: str
    lead_id: str
    signed_on: date
    paid_now: Decimal
    instalments: tuple[Instalment, ...]
    note: str | None
    recorded_at: datetime
    recorded_by: str
    defaulted_at: datetime | None = None
    default_reason: str | None = None
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.paid_now = self.paid_now.quantize(CENT)

    def defaulted(self, *, reason: str, at: datetime) -> None:
        self.defaulted_at, self.default_reason = at, reason


@dataclass(eq=False, kw_only=True)
class Evidence:
    """An evidence file attached to a lead; its content lives in the court, its digest travels in the referral."""

    id: str
    lead_id: str
    sha256: str
    evidence_class: str
    evidence_type: str
    filename: str
    content_type: str
    size_bytes: int
    description: str | None
    uploaded_at: datetime
    uploaded_by: str
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    def manifest(self) -> EvidenceFile:
        return EvidenceFile(
            sha256=self.sha256,
            evidence_class=self.evidence_class,
            evidence_type=self.evidence_type,
            filename=self.filename,
            size_bytes=self.size_bytes,
            content_type=self.content_type,
        )
