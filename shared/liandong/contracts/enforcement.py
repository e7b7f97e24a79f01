"""Enforcement facts the court tells the other agencies: the debtor performed (paid in full or settled)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

import liandong.contracts.topics as topics
from liandong.contracts.base import Contract, contract
from liandong.contracts.common import CountyCode, Money


class PerformanceKind(StrEnum):
    PAID_IN_FULL = "paid_in_full"  # 执结
    SETTLED = "settled"  # 和解协议 signed: enforcement suspended while the instalments are paid


class Instalment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    due_on: date
    amount: Money


@contract
class EnforcementPerformedV1(Contract):
    """The debtor performed under pressure: paid in full (执结), or signed a settlement (和解协议: part paid now, the
    rest in instalments; enforcement is suspended, and resumes on a default — court.enforcement.resumed)."""

    event_type = "court.enforcement.performed"
    schema_version = 1
    aggregate_type = "lead"
    topic = topics.COURT_ENFORCEMENT

    lead_id: str = Field(min_length=1, max_length=64)
    referral_id: str | None = Field(default=None, max_length=64)
    enforcement_case_number: str = Field(min_length=1, max_length=64)
    court_unit: CountyCode
    kind: PerformanceKind
    amount_owed: Money
    amount_paid: Money
    paid_now: Money
    instalments: list[Instalment] = Field(default_factory=list)
    performed_at: AwareDatetime


@contract
class EnforcementResumedV1(Contract):
    """The debtor defaulted on the settlement (和解协议): enforcement resumes."""

    event_type = "court.enforcement.resumed"
    schema_version = 1
    aggregate_type = "lead"
    topic = topics.COURT_ENFORCEMENT

    lead_id: str = Field(min_length=1, max_length=64)
    referral_id: str | None = Field(default=None, max_length=64)
    enforcement_case_number: str = Field(min_length=1, max_length=64)
    court_unit: CountyCode
    reason: str = Field(min_length=1, max_length=5000)
    amount_owed: Money
    amount_paid: Money
    resumed_at: AwareDatetime
