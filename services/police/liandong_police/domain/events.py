"""Internal domain events of the police (past tense). Translated to integration contracts in adapters/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ReferralRegistered:
    """受案登记: the bureau registered a court referral and issues its receipt."""

    referral_id: str
    lead_id: str
    police_unit: str
    receipt_number: str
    registered_by: str
    occurred_at: datetime
