"""Internal domain events of the police (past tense). Translated to integration contracts in adapters/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


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
