"""Commands (imperative): what police staff ask the service to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from liandong.security import Principal


@dataclass(frozen=True)
class RegisterReferral:
    actor: Principal
    referral_id: str


@dataclass(frozen=True)
class FileCase:
    actor: Principal
    referral_id: str
    case_number: str | None
    suspect_names: list[str] | None


@dataclass(frozen=True)
class DeclineFiling:
    actor: Principal
    referral_id: str
    reasons: str


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
