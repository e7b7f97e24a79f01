"""Internal domain events of the court (past tense). Translated to integration contracts in adapters/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from liandong_court.domain.values import CoerciveMeasure, EvidenceFile, Instalment, Suspect

if TYPE_CHECKING:
    from liandong_court.domain.trials import Trial


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Something that happened in the court; `occurred_at` is when, in UTC."""

    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class ReferralSubmitted(DomainEvent):
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
    suspects: tuple[Suspect, ...]
    evidence: tuple[EvidenceFile, ...]
    submitted_by: str
    enforcement_basis: str
    creditor: str
    notice_number: str | None
    notice_served_at: datetime | None
    coercive_measures: tuple[CoerciveMeasure, ...]
    missing_evidence: dict[str, str]  # evidence class → why it is not yet proved
    override_reason: str | None


@dataclass(frozen=True, kw_only=True)
class ReferralWithdrawn(DomainEvent):
    """The court took a referral back before the police decided."""

    referral_id: str
    lead_id: str
    court_unit: str
    reason: str
    withdrawn_by: str


@dataclass(frozen=True, kw_only=True)
class LeadPerformed(DomainEvent):
    """执结: the debtor paid in full or settled. `referral_id` is set when the lead is with the police."""

    lead_id: str
    referral_id: str | None
    enforcement_case_number: str
    court_unit: str
    kind: str
    amount_owed: Decimal
    amount_paid: Decimal
    paid_now: Decimal
    instalments: tuple[Instalment, ...]


@dataclass(frozen=True, kw_only=True)
class EnforcementResumed(DomainEvent):
    """The debtor defaulted on a 和解协议: enforcement resumes. `referral_id` is set when the lead is with the
    police."""

    lead_id: str
    referral_id: str | None
    enforcement_case_number: str
    court_unit: str
    reason: str
    amount_owed: Decimal
    amount_paid: Decimal


@dataclass(frozen=True, kw_only=True)
class SupervisionRequested(DomainEvent):
    """提请立案监督: the court asks the procuratorate to supervise the police's (non-)filing of a referral."""

    request_id: str
    referral_id: str
    lead_id: str
    letter_number: str
    court_unit: str
    police_unit: str
    enforcement_case_number: str
    ground: str
    decline_reasons: str | None
    reasons: str
    suspects: tuple[Suspect, ...]
    evidence: tuple[EvidenceFile, ...]
    requested_by: str


@dataclass(frozen=True, kw_only=True)
class TrialAccepted(DomainEvent):
    """受理 of a public prosecution."""

    trial: Trial


@dataclass(frozen=True, kw_only=True)
class TrialJudged(DomainEvent):
    """判决, public or private."""

    trial: Trial
