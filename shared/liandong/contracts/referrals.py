"""Referral contracts: the court's 案件移送函 and the police's 受案登记回执."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

import liandong.contracts.topics as topics
from liandong.contracts.base import Contract, contract
from liandong.contracts.common import CountyCode, EvidenceClass, EvidenceRef, Money, Suspect


@contract
class ReferralSubmittedV1(Contract):
    """案件移送函 + 执行情况说明 + evidence manifest: the court refers a lead to the police of its county."""

    event_type = "court.referral.submitted"
    schema_version = 1
    aggregate_type = "referral"
    topic = topics.COURT_REFERRALS

    referral_id: str = Field(min_length=1, max_length=64)
    lead_id: str = Field(min_length=1, max_length=64)
    letter_number: str = Field(min_length=1, max_length=64, description="案件移送函 number")
    court_code: str = Field(min_length=2, max_length=16)
    court_unit: CountyCode
    police_unit: CountyCode
    enforcement_case_number: str = Field(min_length=1, max_length=64)
    enforcement_summary: str = Field(min_length=1, max_length=20_000)
    amount_owed: Money
    amount_paid: Money
    suspects: list[Suspect] = Field(min_length=1)
    evidence: list[EvidenceRef] = Field(default_factory=list)
    submitted_at: AwareDatetime
    submitted_by: str = Field(min_length=1, max_length=64)


class CoerciveMeasureRef(BaseModel):
    """A coercive measure already taken in the enforcement: fine (罚款), detention (拘留), consumption restriction
    (限制消费), the dishonest-debtor list (失信名单), or other."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(min_length=1, max_length=32)
    decided_on: date
    note: str = Field(default="", max_length=2000)


@contract
class ReferralSubmittedV2(ReferralSubmittedV1):
    """案件移送函 as 法发〔2025〕8号 第三条、第四条 require it: besides version 1, the 执行依据, the creditor, the
    告知书 served, the coercive measures already taken, the reason for each of the five evidence classes not yet
    proved, and a criminal judge's reason when the referral was made before the debtor's window ended."""

    schema_version = 2

    enforcement_basis: str = Field(min_length=1, max_length=500)
    creditor: str = Field(min_length=1, max_length=200)
    notice_number: str | None = Field(default=None, max_length=64)
    notice_served_at: AwareDatetime | None = None
    coercive_measures: list[CoerciveMeasureRef] = Field(default_factory=list)
    missing_evidence: dict[EvidenceClass, str] = Field(default_factory=dict)
    override_reason: str | None = Field(default=None, max_length=5000)


@contract
class ReferralReceivedV1(Contract):
    """受案登记回执: the police have registered the referral; their filing window runs from received_at."""

    event_type = "police.referral.received"
    schema_version = 1
    aggregate_type = "referral"
    topic = topics.POLICE_REFERRALS

    referral_id: str = Field(min_length=1, max_length=64)
    police_unit: CountyCode
    receipt_number: str = Field(min_length=1, max_length=64)
    received_at: AwareDatetime
    registered_by: str = Field(min_length=1, max_length=64)


@contract
class ReferralWithdrawnV1(Contract):
    """The court withdraws a referral before the police decide (e.g. the debtor performed)."""

    event_type = "court.referral.withdrawn"
    schema_version = 1
    aggregate_type = "referral"
    topic = topics.COURT_REFERRALS

    referral_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)
    withdrawn_at: AwareDatetime
    withdrawn_by: str = Field(min_length=1, max_length=64)
