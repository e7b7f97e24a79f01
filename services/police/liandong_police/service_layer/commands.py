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
