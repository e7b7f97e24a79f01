"""Response bodies of the police API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from liandong.api.deps import ShanghaiTime
from liandong.pii import mask_id_number
from liandong_police.domain.model import Referral, ReferralStatus


class ReferralPublic(BaseModel):
    id: str
    lead_id: str
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

    @classmethod
    def of(cls, referral: Referral, *, masked: bool = False) -> ReferralPublic:
        values = {name: getattr(referral, name) for name in cls.model_fields}
        if masked:
            values["suspects"] = [{**s, "id_number": mask_id_number(s.get("id_number"))} for s in referral.suspects]
        return cls(**values)
