"""Commands (imperative): what police staff ask the service to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from liandong.security import Principal


@dataclass(frozen=True)
class RegisterReferral:
    actor: Principal
    referral_id: str


@dataclass(frozen=True)
class ProposeDecision:
    """呈请立案 (file: the bureau's number or one given by the service, the suspects) or 呈请不予立案 (reasons)."""

    actor: Principal
    referral_id: str
    decision: Literal["file", "decline"]
    case_number: str | None = None
    suspect_names: list[str] | None = None
    reasons: str | None = None


@dataclass(frozen=True)
class ApproveDecision:
    """The head approves the proposal, or sends it back with a note."""

    actor: Principal
    referral_id: str
    approve: bool
    note: str | None = None


@dataclass(frozen=True)
class ServeDecline:
    actor: Principal
    referral_id: str
    served_at: datetime | None


@dataclass(frozen=True)
class ExtendFilingWindow:
    actor: Principal
    referral_id: str
    reason: str


@dataclass(frozen=True)
class AddSuspect:
    actor: Principal
    case_id: str
    name: str
    kind: Literal["person", "unit"]
    role: str
    id_number: str | None = None
    represents: str | None = None


@dataclass(frozen=True)
class RecordInvestigation:
    """A line of the investigation log: what was collected, when (by the investigator recording it)."""

    actor: Principal
    case_id: str
    kind: str
    summary: str
    collected_at: datetime
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Detain:
    """刑事拘留 of a person suspect."""

    actor: Principal
    case_id: str
    suspect_id: str
    detained_at: datetime
    place: str


@dataclass(frozen=True)
class ExtendDetentionWindow:
    """The window to request arrest approval, extended by 1 to 4 days (特殊情况) or to 30 days for a roving, repeated
    or gang offender (流窜作案、多次作案、结伙作案)."""

    actor: Principal
    case_id: str
    detention_id: str
    reason: str
    extra_days: int | None = None
    ground: Literal["roving", "repeated", "gang"] | None = None


@dataclass(frozen=True)
class RequestArrest:
    """提请批准逮捕书 for one or more persons of the case."""

    actor: Principal
    case_id: str
    suspect_ids: tuple[str, ...]


@dataclass(frozen=True)
class ExecuteDecision:
    """The procuratorate's decision executed for one suspect; the execution receipt goes back."""

    actor: Principal
    case_id: str
    request_id: str
    suspect_id: str
    outcome: str
    executed_at: datetime | None = None
    failure_reason: str | None = None
    receipt_now: bool = True


@dataclass(frozen=True)
class ExtendCustody:
    """An arrested suspect's investigation custody extended as the procuratorate approved (CPL 156, 158, 159)."""

    actor: Principal
    case_id: str
    suspect_id: str
    article: str
    approved_by: str
    reason: str


@dataclass(frozen=True)
class RequestReconsideration:
    """要求复议 (stage `reconsideration`) or 提请复核 (`review`) of a refused arrest."""

    actor: Principal
    case_id: str
    request_id: str
    suspect_id: str
    stage: str
    reasons: str


@dataclass(frozen=True)
class SendExecutionReceipt:
    """The execution receipt of an execution recorded earlier, to the procuratorate."""

    actor: Principal
    case_id: str
    request_id: str
    suspect_id: str


@dataclass(frozen=True)
class EndCustody:
    """A detained person released, or on bail or under residential surveillance, without an arrest request."""

    actor: Principal
    case_id: str
    suspect_id: str
    outcome: str
    reason: str
    ended_at: datetime | None = None


@dataclass(frozen=True)
class GiveExplanation:
    """不立案理由说明书, answering the procuratorate's demand."""

    actor: Principal
    notice_id: str
    explanation: str


@dataclass(frozen=True)
class FileAsNotified:
    """立案 on the procuratorate's 通知立案书: the referral's case, or the co-offender's (a new case in the matter)."""

    actor: Principal
    notice_id: str
    case_number: str | None = None


@dataclass(frozen=True)
class TransferCase:
    """起诉意见书: the case to the procuratorate (all its suspects unless named)."""

    actor: Principal
    case_id: str
    suspect_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class WithdrawCase:
    """撤销案件 on a ground of MPS Rules Art. 186, approved by a head of the bureau."""

    actor: Principal
    case_id: str
    ground: str
    reasons: str


@dataclass(frozen=True)
class NotifyWithdrawal:
    actor: Principal
    case_id: str
    notified_at: datetime | None = None
