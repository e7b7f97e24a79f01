"""How a matter ends: the police transfer a case for prosecution (or withdraw it), the procuratorate returns it for
supplementary investigation, declines to prosecute or indicts, and the court accepts and judges — a public
prosecution, or the creditor's private one (自诉)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

import liandong.contracts.topics as topics
from liandong.contracts.arrests import CaseSuspect, LogEntryRef
from liandong.contracts.base import Contract, contract
from liandong.contracts.common import CountyCode, EvidenceRef, Money, PartyKind

ShortId = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(min_length=1, max_length=10000)]


class _CaseAct(Contract):
    """The police's acts on a case, keyed by the case."""

    aggregate_type = "case"
    topic = topics.POLICE_CASES

    case_id: ShortId
    case_number: str = Field(min_length=1, max_length=64)
    referral_id: str | None = Field(default=None, max_length=64)
    police_unit: CountyCode


@contract
class CaseTransferredV1(_CaseAct):
    """起诉意见书: the case transferred for prosecution (again after a supplementary investigation)."""

    event_type = "police.case.transferred"
    schema_version = 1

    document_number: str = Field(min_length=1, max_length=64)
    resubmission: int = Field(ge=0, le=2, description="0 the first time; 1 or 2 after a return")
    suspects: list[CaseSuspect] = Field(min_length=1)
    evidence: list[EvidenceRef] = Field(default_factory=list)
    investigation_log: list[LogEntryRef] = Field(default_factory=list)
    transferred_at: AwareDatetime
    transferred_by: str = Field(min_length=1, max_length=64)


class WithdrawalGround(StrEnum):
    """The grounds on which the police withdraw a case (MPS Rules Art. 186)."""

    NO_CRIMINAL_FACTS = "no_criminal_facts"  # 没有犯罪事实的
    TRIVIAL = "trivial"  # 情节显著轻微、危害不大，不认为是犯罪的
    TIME_BARRED = "time_barred"  # 犯罪已过追诉时效期限的
    AMNESTY = "amnesty"  # 经特赦令免除刑罚的
    SUSPECT_DIED = "suspect_died"  # 犯罪嫌疑人死亡的
    NO_LIABILITY = "no_liability"  # 其他依法不追究刑事责任的


@contract
class CaseWithdrawnV1(_CaseAct):
    """撤销案件 on a ground of MPS Rules Art. 186, with the facts (e.g. the debtor performed in full), served on the
    court and the procuratorate."""

    event_type = "police.case.withdrawn"
    schema_version = 1

    ground: WithdrawalGround | None = None  # absent from events sent before the grounds were recorded
    reasons: Text
    decided_at: AwareDatetime
    decided_by: str = Field(min_length=1, max_length=64)
    notified_at: AwareDatetime


class _ReviewAct(Contract):
    """The procuratorate's acts on a prosecution review, keyed by the review."""

    aggregate_type = "prosecution_review"
    topic = topics.PROCURATORATE_DECISIONS

    review_id: ShortId
    case_id: ShortId
    case_number: str = Field(min_length=1, max_length=64)
    referral_id: str | None = Field(default=None, max_length=64)
    police_unit: CountyCode
    procuratorate_unit: CountyCode
    decided_at: AwareDatetime
    decided_by: str = Field(min_length=1, max_length=64)


@contract
class ProsecutionReturnedV1(_ReviewAct):
    """退回补充侦查 (at most twice), with the outline; the police have a month."""

    event_type = "procuratorate.prosecution.returned"
    schema_version = 1

    return_number: int = Field(ge=1, le=2)
    outline: Text


class NonProsecutionGround(StrEnum):
    PAID_AND_MINOR = "paid_and_minor"  # 法释〔2024〕13号 第十一条: performed before prosecution, circumstances minor
    INSUFFICIENT_EVIDENCE = "insufficient_evidence"  # CPL Art. 175(4): 证据不足
    NO_CRIME = "no_crime"  # CPL Art. 177(1)
    MINOR = "minor"  # CPL Art. 177(2): 犯罪情节轻微，不需要判处刑罚


@contract
class ProsecutionDeclinedV1(_ReviewAct):
    """不起诉决定, with its ground."""

    event_type = "procuratorate.prosecution.declined"
    schema_version = 1

    ground: NonProsecutionGround
    reasons: Text


class AssetProposal(BaseModel):
    """涉案财物处理意见 of an indictment: what should be done with the assets involved, and the sum for the creditor."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Text
    amount: Money | None = None


@contract
class IndictmentFiledV1(_ReviewAct):
    """起诉书 to the court of the county, with the defendants and a proposal on the assets involved."""

    event_type = "procuratorate.prosecution.indicted"
    schema_version = 1

    document_number: str = Field(min_length=1, max_length=64)
    court_unit: CountyCode
    defendants: list[CaseSuspect] = Field(min_length=1)
    charges: Text
    asset_proposal: AssetProposal


class TrialKind(StrEnum):
    PUBLIC = "public"  # 公诉
    PRIVATE = "private"  # 自诉


class _TrialAct(Contract):
    aggregate_type = "trial"
    topic = topics.COURT_TRIALS

    trial_id: ShortId
    kind: TrialKind
    court_unit: CountyCode
    court_case_number: str | None = Field(default=None, max_length=64)
    case_id: str | None = Field(default=None, max_length=64, description="the police case (a public prosecution)")
    review_id: str | None = Field(default=None, max_length=64, description="the prosecution review it came from")


@contract
class PublicProsecutionAcceptedV1(_TrialAct):
    """The court accepted the public prosecution (立案)."""

    event_type = "court.trial.accepted"
    schema_version = 1

    accepted_at: AwareDatetime
    accepted_by: str = Field(min_length=1, max_length=64)


class Sentence(BaseModel):
    """One defendant's sentence: a unit is fined; a person may get fixed-term imprisonment (at most 7 years for
    this crime, Criminal Law Art. 313) or criminal detention, probation, or a fine; or the defendant is exempted
    from punishment, or acquitted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    defendant_id: ShortId
    name: str = Field(min_length=1, max_length=200)
    kind: PartyKind
    fine: Money | None = None
    imprisonment_months: int | None = Field(default=None, ge=6, le=84)
    criminal_detention_months: int | None = Field(default=None, ge=1, le=6)
    probation_months: int | None = Field(default=None, ge=2, le=60)
    exempt: bool = False  # 免予刑事处罚
    acquitted: bool = False  # 无罪 (CPL Art. 200)
    acquittal_ground: str | None = Field(default=None, max_length=64)


@contract
class JudgmentPronouncedV1(_TrialAct):
    """判决: each defendant's sentence and the amount recovered for the creditor; the appeal period runs from the
    receipt of the judgment."""

    event_type = "court.trial.judged"
    schema_version = 1

    sentences: list[Sentence] = Field(min_length=1)
    recovered: Money
    judged_at: AwareDatetime
    served_at: AwareDatetime | None = None  # the written judgment's receipt, when it comes with the pronouncement
    appeal_ends_at: AwareDatetime | None = None  # 10 days from the day after that receipt (CPL Art. 230)
    judged_by: str = Field(min_length=1, max_length=64)
