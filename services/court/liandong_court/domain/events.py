"""Internal domain events of the court (past tense). Translated to integration contracts in adapters/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ReferralSubmitted:
    """案件移送: the court referred a lead to the police, with what the referral letter states."""

    referral_id: str
    lead_id: str
    letter_number: str
    court_code: str
    court_unit: str
    police_unit: str
    enforcement_case_number: str
    summary: str
    amount_owed: Decimal
    amount_paid: Decimal
    suspects: tuple[dict[str, Any], ...]
    evidence: tuple[dict[str, Any], ...]
    submitted_by: str
    occurred_at: datetime


@dataclass(frozen=True)
class ReferralWithdrawn:
    referral_id: str
    lead_id: str
    court_unit: str
    reason: str
    withdrawn_by: str
    occurred_at: datetime


@dataclass(frozen=True)
class PoliceReceiptRecorded:
    """The police's 受案登记回执 arrived for a referral."""

    referral_id: str
    lead_id: str
    occurred_at: datetime


@dataclass(frozen=True)
class NoticeServed:
    """《涉嫌拒执犯罪告知书》 served: the debtor's 5-day window starts."""

    lead_id: str
    unit: str
    occurred_at: datetime


@dataclass(frozen=True)
class LeadPerformed:
    """执结: the debtor paid in full or settled. `referral_id` is set when the lead is with the police."""

    lead_id: str
    referral_id: str | None
    enforcement_case_number: str
    court_unit: str
    kind: str
    amount_owed: Decimal
    amount_paid: Decimal
    paid_now: Decimal
    instalments: tuple[dict[str, Any], ...]
    occurred_at: datetime
