"""Request and response bodies of the court API (XCreate / XPublic)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from liandong.api.bounds import LegalDate, LegalTime
from liandong.api.deps import PublicModel, ShanghaiTime, StrictModel
from liandong.contracts.common import CountyCode, EvidenceClass, EvidenceType, Money, PartyKind, SuspectRole
from liandong.contracts.enforcement import Instalment
from liandong.pii import mask_id_number, mask_phone
from liandong_court.domain.cases import ClosureType, EnforcementCase, FocusCategory
from liandong_court.domain.leads import Assessment, Lead, LeadSource, LeadStatus, TipChannel
from liandong_court.domain.police_cases import PoliceCase
from liandong_court.domain.records import Evidence, Payment, Settlement
from liandong_court.domain.referrals import Referral, ReferralStatus

ID_NUMBER = r"^[0-9A-Za-z]{6,32}$"


class SuspectIn(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    kind: PartyKind
    role: SuspectRole
    id_number: str | None = Field(default=None, pattern=ID_NUMBER)


class DebtorIn(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    kind: PartyKind
    id_number: str | None = Field(default=None, pattern=ID_NUMBER, description="natural persons")
    legal_representative: str | None = Field(default=None, max_length=200, description="units")
    legal_representative_id_number: str | None = Field(default=None, pattern=ID_NUMBER)


class CaseCreate(StrictModel):
    unit: CountyCode | None = Field(default=None, description="defaults to your own unit")
    case_number: str = Field(min_length=1, max_length=64, examples=["(2024)鄂1222执123号"])
    creditor: str = Field(min_length=1, max_length=200)
    debtors: list[DebtorIn] = Field(min_length=1, max_length=50)
    amount_owed: Money
    amount_paid: Money = Decimal("0")
    closure_type: ClosureType
    closure_date: LegalDate | None = None
    focus_categories: list[FocusCategory] = Field(default_factory=list)


class CasePublic(BaseModel):
    id: str
    unit: str
    court_code: str
    case_number: str
    creditor: str
    debtors: list[dict[str, Any]]
    amount_owed: Decimal
    amount_paid: Decimal
    unpaid: Decimal
    closure_type: ClosureType
    closure_date: date | None
    focus_categories: list[str]
    imported_at: ShanghaiTime
    imported_by: str

    @classmethod
    def of(cls, case: EnforcementCase, *, masked: bool = False) -> CasePublic:
        debtors = [
            {**d, "id_number": mask_id_number(d.get("id_number")) if masked else d.get("id_number")}
            for d in case.debtors
        ]
        values = {name: getattr(case, name) for name in cls.model_fields if name not in ("debtors", "unpaid")}
        return cls(**values, debtors=debtors, unpaid=case.unpaid)


class ImportRow(BaseModel):
    row: int
    case_number: str | None
    status: str  # created | rejected
    case_id: str | None = None
    errors: list[dict[str, Any]] = []


class ImportReport(BaseModel):
    created: int
    rejected: int
    rows: list[ImportRow]


class LeadCreate(StrictModel):
    unit: CountyCode | None = Field(default=None, description="county code; defaults to your own unit")
    enforcement_case_number: str = Field(min_length=1, max_length=64, examples=["(2024)鄂1222执123号"])
    source: LeadSource = LeadSource.CASE_SCREENING
    suspects: list[SuspectIn] = Field(min_length=1, max_length=50)
    amount_owed: Money
    amount_paid: Money = Decimal("0")
    summary: str = Field(min_length=1, max_length=20_000, description="执行情况说明")
    tip_channel: TipChannel | None = None
    tipster_name: str | None = Field(default=None, max_length=200)
    tipster_contact: str | None = Field(default=None, max_length=200, description="kept private")
    enforcement_basis: str | None = Field(default=None, max_length=500, description="执行依据")
    creditor: str | None = Field(default=None, max_length=200, description="申请执行人")


class LeadFromCase(StrictModel):
    summary: str = Field(min_length=1, max_length=20_000, description="执行情况说明")
    extra_suspects: list[SuspectIn] = Field(default_factory=list, max_length=50, description="e.g. helpers")
    enforcement_basis: str | None = Field(default=None, max_length=500, description="执行依据")


class AssessmentIn(StrictModel):
    conclusion: Assessment
    reasons: str = Field(min_length=1, max_length=20_000)


class NoticeCorrectionIn(StrictModel):
    served_at: LegalTime = Field(description="the true service time, with a time zone")
    reason: str = Field(min_length=1, max_length=5000, description="why the recorded time was wrong")


class DefaultIn(StrictModel):
    reason: str = Field(min_length=1, max_length=5000, description="how the debtor failed the settlement")


class ReopeningIn(StrictModel):
    reason: str = Field(min_length=1, max_length=5000, description="the new evidence that reopens the lead")


class NoticeIn(StrictModel):
    served_at: LegalTime = Field(description="with a time zone")
    notice_number: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="a notice written before Liandong issued it: its number; otherwise the court numbers it, "
        "e.g. (2026)鄂1222执告3号",
    )


class PaymentIn(StrictModel):
    amount: Money = Field(gt=0)
    paid_on: LegalDate
    channel: str = Field(min_length=1, max_length=32, examples=["bank_transfer", "wechat", "cash", "court_account"])
    note: str | None = Field(default=None, max_length=2000)
    over_reason: str | None = Field(default=None, max_length=2000, description="required when paying more than owed")


class SettlementIn(StrictModel):
    signed_on: LegalDate
    paid_now: Money
    instalments: list[Instalment] = Field(default_factory=list, max_length=120)
    note: str | None = Field(default=None, max_length=2000)


class ReferralIn(StrictModel):
    override_reason: str | None = Field(
        default=None, max_length=5000, description="a criminal judge's written reason to refer before the conditions"
    )
    missing_evidence: dict[EvidenceClass, str] = Field(
        default_factory=dict, description="for each of the five evidence classes not proved yet, the reason"
    )


class ParticularsIn(StrictModel):
    enforcement_basis: str | None = Field(
        default=None, max_length=500, description="执行依据, e.g. (2023)鄂1222民初456号民事判决书"
    )
    creditor: str | None = Field(default=None, max_length=200, description="申请执行人")


class CoerciveMeasureIn(StrictModel):
    kind: Literal["fine", "detention", "consumption_restriction", "dishonest_list", "other"]
    decided_on: LegalDate
    note: str = Field(default="", max_length=2000)


class CoerciveMeasurePublic(PublicModel):
    kind: str
    decided_on: date
    note: str


class WithdrawalIn(StrictModel):
    reason: str = Field(min_length=1, max_length=5000)


class SuspectPublic(BaseModel):
    name: str
    kind: str
    role: str
    id_number: str | None


class ReferralPublic(PublicModel):
    id: str
    lead_id: str
    letter_number: str
    court_unit: str
    police_unit: str
    status: ReferralStatus
    submitted_at: ShanghaiTime
    submitted_by: str
    override_reason: str | None
    missing_evidence: dict[str, str] | None = None
    received_at: ShanghaiTime | None
    receipt_number: str | None
    received_by: str | None
    police_case_number: str | None
    filed_at: ShanghaiTime | None
    decline_reasons: str | None
    declined_at: ShanghaiTime | None
    filing_due_at: ShanghaiTime | None
    extension_reason: str | None
    withdrawn_at: ShanghaiTime | None
    withdraw_reason: str | None
    supervision: dict[str, Any] | None = Field(
        default=None, description="立案监督: the court's request, where it stands, and every act on the way"
    )


class SupervisionRequestIn(StrictModel):
    reasons: str = Field(min_length=1, max_length=5000, description="why the police should have filed")


class PoliceCasePublic(PublicModel):
    """A police case of the matter as the police and the procuratorate reported it: suspects, detentions, arrest
    requests, decisions (per request and suspect) and executions."""

    case_id: str
    police_unit: str
    referral_id: str | None
    case_number: str | None
    opened_at: ShanghaiTime | None
    suspects: list[dict[str, Any]]
    detentions: list[dict[str, Any]]
    arrest_requests: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    executions: list[dict[str, Any]]
    milestones: list[dict[str, Any]] | None = Field(
        default=None, description="transfers, returns, the decision on prosecution, the withdrawal"
    )


class EvidencePublic(PublicModel):
    id: str
    sha256: str
    evidence_class: EvidenceClass
    evidence_type: EvidenceType
    filename: str
    content_type: str
    size_bytes: int
    description: str | None
    uploaded_at: ShanghaiTime
    uploaded_by: str


class PaymentPublic(PublicModel):
    id: str
    amount: Decimal
    paid_on: date
    channel: str
    note: str | None
    over_reason: str | None
    recorded_at: ShanghaiTime
    recorded_by: str


class InstalmentPublic(PublicModel):
    due_on: date
    amount: Decimal


class SettlementPublic(PublicModel):
    id: str
    signed_on: date
    paid_now: Decimal
    instalments: list[InstalmentPublic]
    note: str | None
    recorded_at: ShanghaiTime
    recorded_by: str
    defaulted_at: ShanghaiTime | None = None
    default_reason: str | None = None


class LeadPublic(BaseModel):
    id: str
    unit: str
    court_code: str
    enforcement_case_number: str
    enforcement_case_id: str | None
    source: LeadSource
    tip_channel: TipChannel | None
    tipster: str | None = Field(description="the tipster's name and masked contact; the contact is kept private")
    status: LeadStatus
    suspects: list[SuspectPublic]
    amount_owed: Decimal
    amount_paid: Decimal
    unpaid: Decimal
    summary: str
    assessment: Assessment | None
    assessment_reasons: str | None
    assessed_by: str | None
    assessed_at: ShanghaiTime | None
    notice_number: str | None
    notice_served_at: ShanghaiTime | None
    notice_due_at: ShanghaiTime | None
    performed_at: ShanghaiTime | None
    performance_kind: str | None
    live_referral_id: str | None
    enforcement_basis: str | None = None
    creditor: str | None = None
    coercive_measures: list[CoerciveMeasurePublic] = []
    settled_at: ShanghaiTime | None = None
    recovered: Decimal = Field(default=Decimal(0), description="paid since the lead was opened")
    reopened_at: ShanghaiTime | None = None
    reopened_by: str | None = None
    reopen_reason: str | None = None
    created_at: ShanghaiTime
    created_by: str
    referrals: list[ReferralPublic] = []
    evidence: list[EvidencePublic] = []
    payments: list[PaymentPublic] = []
    settlements: list[SettlementPublic] = []
    police_cases: list[PoliceCasePublic] = []
    trials: list[dict[str, Any]] = Field(default=[], description="public and private prosecutions of the matter")

    @classmethod
    def of(
        cls,
        lead: Lead,
        *,
        masked: bool = False,
        referrals: list[Referral] | None = None,
        evidence: list[Evidence] | None = None,
        payments: list[Payment] | None = None,
        settlements: list[Settlement] | None = None,
        police_cases: list[PoliceCase] | None = None,
        trials: list[dict[str, Any]] | None = None,
    ) -> LeadPublic:
        suspects = [
            {**s.to_json(), "id_number": mask_id_number(s.id_number) if masked else s.id_number} for s in lead.suspects
        ]
        tipster = None
        if lead.source is LeadSource.PUBLIC_TIP:
            tipster = " ".join(p for p in (lead.tipster_name, mask_phone(lead.tipster_contact)) if p) or None
        skip = {
            "suspects",
            "unpaid",
            "recovered",
            "coercive_measures",
            "tipster",
            "referrals",
            "evidence",
            "payments",
            "settlements",
            "police_cases",
            "trials",
        }
        values = {name: getattr(lead, name) for name in cls.model_fields if name not in skip}
        return cls(
            **values,
            suspects=[SuspectPublic(**s) for s in suspects],
            unpaid=lead.unpaid,
            recovered=lead.recovered,
            coercive_measures=[CoerciveMeasurePublic.of(m) for m in lead.coercive_measures or ()],
            tipster=tipster,
            referrals=[ReferralPublic.of(r) for r in referrals or []],
            evidence=[EvidencePublic.of(e) for e in evidence or []],
            payments=[PaymentPublic.of(p) for p in payments or []],
            settlements=[SettlementPublic.of(s) for s in settlements or []],
            police_cases=[PoliceCasePublic.of(c) for c in police_cases or []],
            trials=trials or [],
        )
