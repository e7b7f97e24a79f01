"""Internal domain events of the police (past tense). Translated to integration contracts in adapters/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from liandong_police.domain.supervision import SupervisionNotice


@dataclass(frozen=True)
class ReferralRegistered:
    """受案登记: the bureau registered a court referral and issues its receipt."""

    referral_id: str
    lead_id: str
    police_unit: str
    receipt_number: str
    registered_by: str
    occurred_at: datetime


@dataclass(frozen=True)
class CaseFiled:
    """立案决定."""

    referral_id: str
    lead_id: str
    case_id: str
    case_number: str
    police_unit: str
    suspects: tuple[dict[str, Any], ...]
    filed_by: str
    occurred_at: datetime


@dataclass(frozen=True)
class DeclineServed:
    """不予立案通知书 served on the court."""

    referral_id: str
    lead_id: str
    police_unit: str
    reasons: str
    decided_at: datetime
    decided_by: str
    occurred_at: datetime


@dataclass(frozen=True)
class FilingExtended:
    referral_id: str
    lead_id: str
    police_unit: str
    window_days: int
    due_at: datetime
    approver: str
    reason: str
    occurred_at: datetime


@dataclass(frozen=True)
class CaseFacts:
    """What every event of a case says about it."""

    case_id: str
    case_number: str
    referral_id: str | None
    correlation_id: str
    police_unit: str


@dataclass(frozen=True)
class CaseOpened:
    case: CaseFacts
    suspects: tuple[dict[str, Any], ...]
    by: str
    occurred_at: datetime


@dataclass(frozen=True)
class DetentionRecorded:
    case: CaseFacts
    detention_id: str
    suspect_id: str
    name: str
    detained_at: datetime
    place: str
    request_due_at: datetime
    by: str
    occurred_at: datetime


@dataclass(frozen=True)
class CustodyEnded:
    case: CaseFacts
    suspect_id: str
    name: str
    detention_id: str | None
    previous: str
    outcome: str
    reason: str
    ended_at: datetime
    by: str
    occurred_at: datetime


@dataclass(frozen=True)
class ReconsiderationRequested:
    case: CaseFacts
    request_id: str
    review_id: str
    suspect_id: str
    name: str
    stage: str
    reasons: str
    by: str
    occurred_at: datetime


@dataclass(frozen=True)
class ArrestRequested:
    case: CaseFacts
    request: dict[str, Any]
    evidence: tuple[dict[str, Any], ...]
    log: tuple[dict[str, Any], ...]
    by: str
    occurred_at: datetime


@dataclass(frozen=True)
class ArrestExecuted:
    case: CaseFacts
    request_id: str
    review_id: str
    suspect_id: str
    name: str
    decision: str
    outcome: str
    executed_at: datetime
    failure_reason: str | None
    by: str
    occurred_at: datetime


@dataclass(frozen=True)
class ExplanationGiven:
    notice: SupervisionNotice
    explanation: str
    by: str
    occurred_at: datetime


@dataclass(frozen=True)
class FilingNoticeComplied:
    notice: SupervisionNotice
    case_id: str
    case_number: str
    suspects: tuple[dict[str, Any], ...]
    by: str
    occurred_at: datetime


@dataclass(frozen=True)
class CaseTransferred:
    case: CaseFacts
    transfer: dict[str, Any]
    suspects: tuple[dict[str, Any], ...]
    evidence: tuple[dict[str, Any], ...]
    log: tuple[dict[str, Any], ...]
    by: str
    occurred_at: datetime


@dataclass(frozen=True)
class CaseWithdrawn:
    case: CaseFacts
    ground: str | None
    reasons: str
    decided_at: datetime
    decided_by: str
    occurred_at: datetime
