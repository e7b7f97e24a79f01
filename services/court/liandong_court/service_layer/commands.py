"""Commands (imperative): what court staff ask the service to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from liandong.security import Principal
from liandong_court.domain.cases import ClosureType
from liandong_court.domain.leads import Assessment, LeadSource, TipChannel
from liandong_court.domain.values import CoerciveMeasure, Instalment, Suspect


@dataclass(frozen=True)
class ImportCase:
    actor: Principal
    unit: str
    case_number: str
    creditor: str
    debtors: list[dict[str, Any]]
    amount_owed: Decimal
    amount_paid: Decimal
    closure_type: ClosureType
    closure_date: date | None
    focus_categories: list[str]


@dataclass(frozen=True)
class CreateLead:
    actor: Principal
    unit: str
    enforcement_case_number: str
    source: LeadSource
    suspects: list[Suspect]
    amount_owed: Decimal
    amount_paid: Decimal
    summary: str
    tip_channel: TipChannel | None = None
    tipster_name: str | None = None
    tipster_contact: str | None = None
    enforcement_basis: str | None = None
    creditor: str | None = None


@dataclass(frozen=True)
class CreateLeadFromCase:
    actor: Principal
    case_id: str
    summary: str
    extra_suspects: list[Suspect]
    enforcement_basis: str | None = None


@dataclass(frozen=True)
class AttachEvidence:
    actor: Principal
    lead_id: str
    evidence_class: str
    evidence_type: str
    filename: str
    content_type: str
    content: bytes
    description: str | None


@dataclass(frozen=True)
class AssessLead:
    actor: Principal
    lead_id: str
    conclusion: Assessment
    reasons: str


@dataclass(frozen=True)
class ServeNotice:
    actor: Principal
    lead_id: str
    served_at: datetime
    notice_number: str | None = None  # a notice written before: its own number; otherwise the court's next


@dataclass(frozen=True)
class RecordPayment:
    actor: Principal
    lead_id: str
    amount: Decimal
    paid_on: date
    channel: str
    note: str | None
    over_reason: str | None


@dataclass(frozen=True)
class RecordSettlement:
    actor: Principal
    lead_id: str
    signed_on: date
    paid_now: Decimal
    instalments: list[Instalment]
    note: str | None


@dataclass(frozen=True)
class CorrectNoticeService:
    """The 告知书's service time set right, with the reason (an audited act of its own)."""

    actor: Principal
    lead_id: str
    served_at: datetime
    reason: str


@dataclass(frozen=True)
class DefaultSettlement:
    """和解协议 not performed: enforcement resumes."""

    actor: Principal
    lead_id: str
    reason: str


@dataclass(frozen=True)
class ReopenLead:
    """重新研判: a lead assessed not suspected opened again on new evidence."""

    actor: Principal
    lead_id: str
    reason: str


@dataclass(frozen=True)
class ReferLead:
    actor: Principal
    lead_id: str
    override_reason: str | None = None
    missing_evidence: dict[str, str] | None = None  # evidence class → why it is not proved yet


@dataclass(frozen=True)
class RecordParticulars:
    """The 执行依据 and the creditor of a lead (what the referral letter states)."""

    actor: Principal
    lead_id: str
    enforcement_basis: str | None
    creditor: str | None


@dataclass(frozen=True)
class AddCoerciveMeasure:
    actor: Principal
    lead_id: str
    measure: CoerciveMeasure


@dataclass(frozen=True)
class WithdrawReferral:
    actor: Principal
    referral_id: str
    reason: str


@dataclass(frozen=True)
class RequestSupervision:
    """提请立案监督 of a declined referral, or one left undecided past the police's filing window."""

    actor: Principal
    referral_id: str
    reasons: str


@dataclass(frozen=True)
class AcceptTrial:
    """受理: a public prosecution (within 7 days of its arrival) or a private complaint (within 15 days)."""

    actor: Principal
    trial_id: str
    court_case_number: str
    defendants_held: bool = False  # a private prosecution's defendant held: two months, not six (CPL Art. 212)


@dataclass(frozen=True)
class ReturnProsecution:
    """退回人民检察院 of a public prosecution as received (SPC Interpretation Art. 219)."""

    actor: Principal
    trial_id: str
    ground: str
    reasons: str


@dataclass(frozen=True)
class RequestMaterials:
    """通知人民检察院补送材料 within 3 days."""

    actor: Principal
    trial_id: str
    missing: str


@dataclass(frozen=True)
class MaterialsReceived:
    actor: Principal
    trial_id: str
    received_at: datetime | None = None


@dataclass(frozen=True)
class ExtendTrial:
    """The trial period extended to `months` (3, then 6), with the approval named (CPL Art. 208)."""

    actor: Principal
    trial_id: str
    months: int
    approved_by: str
    reason: str


@dataclass(frozen=True)
class RecordJudgmentService:
    """The written judgment's receipt: the appeal period runs from the day after (CPL Art. 230)."""

    actor: Principal
    trial_id: str
    served_at: datetime


@dataclass(frozen=True)
class RecordHearing:
    actor: Principal
    trial_id: str
    held_on: date
    note: str


@dataclass(frozen=True)
class JudgeTrial:
    """判决: each defendant's sentence, and the amount recovered for the creditor."""

    actor: Principal
    trial_id: str
    sentences: tuple[dict[str, Any], ...]
    recovered: Decimal
    recovered_over_reason: str | None = None
    judged_at: datetime | None = None
    served_at: datetime | None = None


@dataclass(frozen=True)
class ExplainPrivateOption:
    """The court explained to the creditor that they may prosecute privately (自诉)."""

    actor: Principal
    referral_id: str
    creditor: str
    explained_on: date


@dataclass(frozen=True)
class RegisterComplaint:
    """刑事自诉状."""

    actor: Principal
    trial_id: str
    complainant: str
    text: str
    defendants: tuple[dict[str, Any], ...]
    filed_at: datetime | None = None


@dataclass(frozen=True)
class RejectComplaint:
    actor: Principal
    trial_id: str
    reasons: str


@dataclass(frozen=True)
class ClosePrivateProsecution:
    """撤诉, or the parties' settlement before judgment."""

    actor: Principal
    trial_id: str
    outcome: str
    reasons: str


@dataclass(frozen=True)
class RecordPublicity:
    actor: Principal
    unit: str
    channel: str
    published_on: date
    title: str
    link: str | None = None
    lead_id: str | None = None


@dataclass(frozen=True)
class MarkTypicalCase:
    actor: Principal
    lead_id: str
    summary: str
