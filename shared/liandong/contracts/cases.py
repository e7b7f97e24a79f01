"""The police's answers to a referral: 立案, 不予立案, extension of the filing window."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

import liandong.contracts.topics as topics
from liandong.contracts.base import Contract, contract
from liandong.contracts.common import CountyCode, Suspect


@contract
class CaseFiledV1(Contract):
    """立案决定: the police file a criminal case on the referral."""

    event_type = "police.case.filed"
    schema_version = 1
    aggregate_type = "referral"
    topic = topics.POLICE_CASES

    referral_id: str = Field(min_length=1, max_length=64)
    case_id: str = Field(min_length=1, max_length=64)
    case_number: str = Field(min_length=1, max_length=64)
    police_unit: CountyCode
    suspects: list[Suspect] = Field(min_length=1)
    filed_at: AwareDatetime
    filed_by: str = Field(min_length=1, max_length=64)


@contract
class CaseFilingDeclinedV1(Contract):
    """不予立案通知书: served on the court, with the reasons; opens the court's options (自诉, 立案监督)."""

    event_type = "police.case.filing_declined"
    schema_version = 1
    aggregate_type = "referral"
    topic = topics.POLICE_CASES

    referral_id: str = Field(min_length=1, max_length=64)
    police_unit: CountyCode
    reasons: str = Field(min_length=1, max_length=5000)
    decided_at: AwareDatetime
    served_at: AwareDatetime
    decided_by: str = Field(min_length=1, max_length=64)


@contract
class CaseFilingExtendedV1(Contract):
    """The filing window extended to 30 days (重大、复杂), with the approving supervisor."""

    event_type = "police.case.filing_extended"
    schema_version = 1
    aggregate_type = "referral"
    topic = topics.POLICE_CASES

    referral_id: str = Field(min_length=1, max_length=64)
    police_unit: CountyCode
    window_days: int = Field(ge=1, le=30)
    due_at: AwareDatetime
    approver: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)
    extended_at: AwareDatetime
