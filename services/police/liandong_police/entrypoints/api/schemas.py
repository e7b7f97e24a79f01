"""Request and response bodies of the police API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from liandong.api.bounds import LegalTime
from liandong.api.deadlines import Windowed
from liandong.api.deps import ShanghaiTime, StrictModel
from liandong.contracts import SuspectRole, WithdrawalGround
from liandong.pii import mask_suspects
from liandong_police.domain.cases import CaseStatus, LogKind
from liandong_police.domain.model import Referral, ReferralStatus


class EvidenceItemPublic(BaseModel):
    sha256: str
    evidence_class: str
    evidence_type: str
    filename: str
    content_type: str
    size_bytes: int
    status: str
    attempts: int
    last_error: str | None
    fetched_at: ShanghaiTime | None


class ReferralPublic(BaseModel):
    id: str
    lead_id: str
    letter_number: str | None
    court_code: str
    court_unit: str
    police_unit: str
    enforcement_case_number: str
    enforcement_summary: str
    amount_owed: Decimal
    amount_paid: Decimal
    suspects: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    submitted_at: ShanghaiTime
    arrived_at: ShanghaiTime
    status: ReferralStatus
    registered_at: ShanghaiTime | None
    registered_by: str | None
    receipt_number: str | None
    case_id: str | None
    case_number: str | None
    filed_at: ShanghaiTime | None
    filed_by: str | None
    filed_suspects: list[dict[str, Any]] | None
    decline_reasons: str | None
    declined_at: ShanghaiTime | None
    decline_served_at: ShanghaiTime | None
    extended_window_days: int | None
    extension_approver: str | None
    extension_reason: str | None
    withdrawn_at: ShanghaiTime | None
    withdraw_reason: str | None
    particulars: dict[str, Any] | None = None
    proposal: dict[str, Any] | None = None
    proposed_by: str | None = None
    proposed_at: ShanghaiTime | None = None
    proposal_returned_note: str | None = None
    performance: dict[str, Any] | None
    evidence_items: list[EvidenceItemPublic] = []

    @classmethod
    def of(cls, referral: Referral, *, masked: bool = False, items: list[Any] | None = None) -> ReferralPublic:
        values = {name: getattr(referral, name) for name in cls.model_fields if name != "evidence_items"}
        if masked:
            values["suspects"] = mask_suspects(referral.suspects)
        evidence = [
            EvidenceItemPublic(**{k: getattr(i, k) for k in EvidenceItemPublic.model_fields}) for i in items or []
        ]
        return cls(**values, evidence_items=evidence)


class DecisionIn(StrictModel):
    decision: Literal["file", "decline"]
    case_number: str | None = Field(default=None, max_length=64, description="the bureau's 立案 number (file)")
    suspects: list[str] | None = Field(default=None, description="names from the referral; all when omitted (file)")
    reasons: str | None = Field(default=None, max_length=5000, description="不予立案 reasons (decline)")

    @model_validator(mode="after")
    def _fits_the_decision(self) -> DecisionIn:
        if self.decision == "decline" and not (self.reasons and self.reasons.strip()):
            raise ValueError("a decline gives its reasons")
        if self.decision == "file" and self.reasons:
            raise ValueError("reasons belong to a decline")
        return self


class ServeIn(StrictModel):
    served_at: LegalTime | None = Field(default=None, description="defaults to now")


class ExtensionIn(StrictModel):
    reason: str = Field(min_length=1, max_length=2000, description="why the case is major or complex")


class CaseFields(Windowed):
    """What a case shows in a list and on its own page."""

    id: str
    referral_id: str | None
    correlation_id: str
    police_unit: str
    case_number: str
    status: CaseStatus
    opened_at: ShanghaiTime
    opened_by: str
    suspects: list[dict[str, Any]]
    detentions: list[dict[str, Any]]
    arrest_requests: list[dict[str, Any]]
    transfers: list[dict[str, Any]] | None = Field(default=None, description="起诉意见书, each time")
    returns: list[dict[str, Any]] | None = Field(default=None, description="退回补充侦查, with the outline")
    prosecution: dict[str, Any] | None = Field(default=None, description="indicted, or not prosecuted (ground)")
    judgment: dict[str, Any] | None = None
    withdrawal: dict[str, Any] | None = Field(default=None, description="撤销案件 and its notice to the court")


class CasePublic(CaseFields):
    """A criminal case with its suspects, investigation log, detentions, arrest requests (with the decisions, a
    refusal's 补充侦查提纲, and the executions), and its windows: investigation, each detention's window to request
    arrest approval, each execution receipt's."""

    log: list[dict[str, Any]]


class CaseSummary(CaseFields):
    """A case as a list shows it: its investigation log counted, not copied (the case's own page has it whole: a log
    grows with the investigation, a page of cases should not)."""

    log_entries: int = Field(description="entries in the investigation log")
    last_logged_at: ShanghaiTime | None = Field(description="when the log's latest entry was recorded")

    @classmethod
    def of_case(cls, case: Any, log: tuple[int, datetime | None], **shown: Any) -> CaseSummary:
        """`log`: the case's entry count and when its latest entry was recorded."""
        entries, latest = log
        return cls.of(case, log_entries=entries, last_logged_at=latest, **shown)


class SuspectIn(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["person", "unit"]
    role: SuspectRole
    id_number: str | None = Field(default=None, max_length=32)
    represents: str | None = Field(
        default=None, max_length=64, description="the unit suspect a representative acts for"
    )


class LogEntryIn(StrictModel):
    kind: LogKind
    summary: str = Field(min_length=1, max_length=5000, description="what was collected, e.g. 调取银行流水 3 份")
    collected_at: LegalTime
    evidence: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=100, description="references to the collected material"
    )


class DetentionIn(StrictModel):
    suspect_id: str = Field(min_length=1, max_length=64)
    detained_at: LegalTime
    place: str = Field(min_length=1, max_length=200, description="e.g. 通山县看守所")


class DetentionExtensionIn(StrictModel):
    reason: str = Field(min_length=1, max_length=2000)
    extra_days: int | None = Field(default=None, ge=1, le=4, description="特殊情况: 1 to 4 more days")
    ground: Literal["roving", "repeated", "gang"] | None = Field(
        default=None, description="流窜作案、多次作案、结伙作案: to 30 days"
    )

    @model_validator(mode="after")
    def _one_kind_of_extension(self) -> DetentionExtensionIn:
        if (self.extra_days is None) == (self.ground is None):
            raise ValueError("give either extra_days (1 to 4) or ground (to 30 days)")
        return self


class ArrestRequestIn(StrictModel):
    suspect_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=50)


class ExecutionIn(StrictModel):
    suspect_id: str = Field(min_length=1, max_length=64)
    outcome: Literal["arrested", "not_executed", "released", "bail", "residential_surveillance"]
    executed_at: LegalTime | None = Field(default=None, description="defaults to now")
    failure_reason: str | None = Field(
        default=None, max_length=5000, description="why an approved arrest was not executed (not found, absconded)"
    )
    receipt: bool = Field(default=True, description="the execution receipt goes to the procuratorate now")


class CustodyEndIn(StrictModel):
    suspect_id: str = Field(min_length=1, max_length=64)
    outcome: Literal["released", "bail", "residential_surveillance"]
    reason: str = Field(min_length=1, max_length=5000, description="e.g. 不需要逮捕；需要逮捕而证据还不足")
    ended_at: LegalTime | None = Field(default=None, description="defaults to now")


class ReconsiderationIn(StrictModel):
    suspect_id: str = Field(min_length=1, max_length=64)
    stage: Literal["reconsideration", "review"] = Field(description="要求复议, then 提请复核 at the next level up")
    reasons: str = Field(min_length=1, max_length=5000)


class CustodyExtensionIn(StrictModel):
    suspect_id: str = Field(min_length=1, max_length=64)
    article: Literal["156", "158", "159"] = Field(description="CPL Art. 156 (to 3 months), 158 (to 5), 159 (to 7)")
    approved_by: str = Field(
        min_length=1, max_length=200, description="the procuratorate that approved it, and its document"
    )
    reason: str = Field(min_length=1, max_length=5000)


class TransferIn(StrictModel):
    suspect_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=50, description="the suspects to prosecute; all when omitted"
    )


class WithdrawalIn(StrictModel):
    ground: WithdrawalGround = Field(description="MPS Rules Art. 186: the ground of the withdrawal")
    reasons: str = Field(min_length=1, max_length=5000, description="the facts, e.g. 被执行人已全部履行")


class WithdrawalNoticeIn(StrictModel):
    notified_at: LegalTime | None = Field(default=None, description="defaults to now")
