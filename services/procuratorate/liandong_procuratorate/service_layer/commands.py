"""Commands (imperative): what the procuratorate's staff ask the service to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
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


@dataclass(frozen=True)
class OpenSupervision:
    """A supervision case on the procuratorate's own initiative: from an arrest review or a prosecution review (its
    matter and referral), or a matter by its correlation id."""

    actor: Principal
    reasons: str
    review_id: str | None = None
    correlation_id: str | None = None
    prosecution_review_id: str | None = None


@dataclass(frozen=True)
class DemandExplanation:
    actor: Principal
    supervision_id: str
    reasons: str


@dataclass(frozen=True)
class AcceptExplanation:
    actor: Principal
    supervision_id: str
    note: str


@dataclass(frozen=True)
class IssueFilingNotice:
    """通知立案书: the referral's case, or a co-offender's — given in full, or a person recorded on an arrest review."""

    actor: Principal
    supervision_id: str
    reasons: str
    co_offender: dict[str, Any] | None = None
    person_id: str | None = None


@dataclass(frozen=True)
class IssueCorrection:
    actor: Principal
    supervision_id: str
    notice_id: str
    violation: str


@dataclass(frozen=True)
class SendReminder:
    actor: Principal
    supervision_id: str
    case_id: str
    text: str


@dataclass(frozen=True)
class RecordPetition:
    """The creditor's petition against a non-prosecution (CPL Art. 180)."""

    actor: Principal
    review_id: str
    petitioner: str
    text: str
    filed_at: datetime | None = None


@dataclass(frozen=True)
class DecideReconsideration:
    """复议 (stage `reconsideration`) or 复核 (`review`) of a refused arrest, decided."""

    actor: Principal
    review_id: str
    suspect_id: str
    stage: str
    changed: bool
    reasons: str


@dataclass(frozen=True)
class DecideProposal:
    """The chief prosecutor's decision on a proposal (a non-prosecution, a notice to file) of a record."""

    actor: Principal
    record_id: str
    approve: bool
    note: str | None = None


@dataclass(frozen=True)
class FastTrack:
    """认罪认罚，适用速裁程序: the review window becomes 10 days."""

    actor: Principal
    review_id: str
    guilty_plea: bool
    agreement_signed_on: date | None
    likely_sentence_months: int


@dataclass(frozen=True)
class ExtendProsecutionReview:
    """重大、复杂 (+15 days), or on the fast track a possible sentence over a year (to 15 days)."""

    actor: Principal
    review_id: str
    reason: str


@dataclass(frozen=True)
class ReturnForInvestigation:
    actor: Principal
    review_id: str
    outline: str


@dataclass(frozen=True)
class DeclineToProsecute:
    actor: Principal
    review_id: str
    ground: str
    reasons: str


@dataclass(frozen=True)
class Indict:
    actor: Principal
    review_id: str
    charges: str
    asset_proposal: dict[str, Any]
    defendant_ids: tuple[str, ...] | None = None
    others: tuple[dict[str, Any], ...] = ()  # the transferred suspects not indicted, each decided
