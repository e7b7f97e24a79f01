"""Commands (imperative): what police staff ask the service to do."""

from __future__ import annotations

from dataclasses import dataclass

from liandong.security import Principal


@dataclass(frozen=True)
class RegisterReferral:
    actor: Principal
    referral_id: str
