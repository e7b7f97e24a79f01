"""Request and response bodies of the court API (XCreate / XPublic)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from liandong.api.deps import ShanghaiTime, StrictModel
from liandong.contracts.common import CountyCode, Money, PartyKind, SuspectRole
from liandong.pii import mask_id_number
from liandong_court.domain.model import Lead, LeadSource, LeadStatus, Referral, ReferralStatus


class SuspectIn(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    kind: PartyKind
    role: SuspectRole
    id_number: str | None = Field(default=None, pattern=r"^[0-9A-Za-z]{6,32}$")


class LeadCreate(StrictModel):
    unit: CountyCode | None = Field(default=None, description="county code; defaults to your own unit")
    enforcement_case_number: str = Field(min_length=1, max_length=64, examples=["(2024)鄂1222执123号"])
    source: LeadSource = LeadSource.CASE_SCREENING
    suspects: list[SuspectIn] = Field(min_length=1, max_length=50)
    amount_owed: Money
    amount_paid: Money = Decimal("0")
    summary: str = Field(min_length=1, max_length=20_000, description="执行情况说明")


class SuspectPublic(BaseModel):
    name: str
    kind: str
    role: str
    id_number: str | None


class ReferralPublic(BaseModel):
    id: str
    lead_id: str
    court_unit: str
    police_unit: str
    status: ReferralStatus
    submitted_at: ShanghaiTime
    submitted_by: str
    received_at: ShanghaiTime | None
    receipt_number: str | None
    received_by: str | None

    @classmethod
    def of(cls, referral: Referral) -> ReferralPublic:
        return cls(**{name: getattr(referral, name) for name in cls.model_fields})


class LeadPublic(BaseModel):
    id: str
    unit: str
    court_code: str
    enforcement_case_number: str
    source: LeadSource
    status: LeadStatus
    suspects: list[SuspectPublic]
    amount_owed: Decimal
    amount_paid: Decimal
    summary: str
    created_at: ShanghaiTime
    created_by: str
    referrals: list[ReferralPublic] = []

    @classmethod
    def of(cls, lead: Lead, referrals: list[Referral] | None = None, *, masked: bool = False) -> LeadPublic:
        suspects: list[dict[str, Any]] = [
            {**s, "id_number": mask_id_number(s.get("id_number")) if masked else s.get("id_number")}
            for s in lead.suspects
        ]
        return cls(
            id=lead.id,
            unit=lead.unit,
            court_code=lead.court_code,
            enforcement_case_number=lead.enforcement_case_number,
            source=lead.source,
            status=lead.status,
            suspects=[SuspectPublic(**s) for s in suspects],
            amount_owed=lead.amount_owed,
            amount_paid=lead.amount_paid,
            summary=lead.summary,
            created_at=lead.created_at,
            created_by=lead.created_by,
            referrals=[ReferralPublic.of(r) for r in referrals or []],
        )
