"""Investigation and arrest review: the police's case, detentions and 提请批准逮捕, the procuratorate's decision, and
its execution. Every police event is keyed by its case (one partition: a case's events arrive in order)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

import liandong.contracts.topics as topics
from liandong.contracts.base import Contract, contract
from liandong.contracts.common import CountyCode, EvidenceRef, PartyKind, SuspectRole

ShortId = Annotated[str, Field(min_length=1, max_length=64)]


class SuspectCustody(StrEnum):
    """Where a person suspect stands: free, held (detained or arrested), or under a measure at liberty."""

    FREE = "free"
    DETAINED = "detained"  # 刑事拘留
    ARRESTED = "arrested"  # 逮捕
    RELEASED = "released"  # 释放
    BAIL = "bail"  # 取保候审
    RESIDENTIAL_SURVEILLANCE = "residential_surveillance"  # 监视居住


HELD = frozenset({SuspectCustody.DETAINED, SuspectCustody.ARRESTED})


class CaseSuspect(BaseModel):
    """A suspect of a police case: a person or a unit; a unit's legal representative is a suspect of their own,
    naming the unit they represent. `custody` is where a person stands when the event is sent (none for a unit)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    suspect_id: ShortId
    name: str = Field(min_length=1, max_length=200)
    kind: PartyKind
    role: SuspectRole
    id_number: str | None = Field(default=None, max_length=32)
    represents: str | None = Field(default=None, max_length=64, description="the unit suspect's id")
    custody: SuspectCustody | None = None


def in_custody(suspects: Iterable[CaseSuspect | dict[str, Any]]) -> bool:
    """Whether any of the suspects is held (detained or arrested): a period that runs for them is a custody period
    and never extends past a holiday (CPL Art. 105)."""
    return any((s.custody if isinstance(s, CaseSuspect) else s.get("custody")) in HELD for s in suspects)


class LogEntryRef(BaseModel):
    """A line of the investigation log, as the file manifest carries it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entry_id: ShortId
    kind: str = Field(min_length=1, max_length=32)
    summary: str = Field(min_length=1, max_length=5000)
    collected_by: str = Field(min_length=1, max_length=64)
    collected_at: AwareDatetime


class ArrestSuspect(BaseModel):
    """A person whose arrest is requested, with their custody status (which sets the review window)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    suspect_id: ShortId
    name: str = Field(min_length=1, max_length=200)
    role: SuspectRole
    id_number: str | None = Field(default=None, max_length=32)
    detained: bool
    detained_at: AwareDatetime | None = None
    detention_place: str | None = Field(default=None, max_length=200)


class ArrestDecision(StrEnum):
    APPROVE = "approve"  # 批准逮捕
    REFUSE = "refuse"  # 不批准逮捕


class ExecutionOutcome(StrEnum):
    ARRESTED = "arrested"  # 逮捕已执行
    RELEASED = "released"  # 释放
    BAIL = "bail"  # 变更为取保候审
    RESIDENTIAL_SURVEILLANCE = "residential_surveillance"  # 变更为监视居住
    NOT_EXECUTED = "not_executed"  # 未能执行 (the suspect not found, absconded: MPS Rules Art. 142)


class SuspectDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    suspect_id: ShortId
    name: str = Field(min_length=1, max_length=200)
    decision: ArrestDecision
    reasons: str = Field(min_length=1, max_length=5000)
    outline: str | None = Field(default=None, max_length=10000, description="补充侦查提纲 (with a refusal)")


class _CaseEvent(Contract):
    aggregate_type = "case"
    topic = topics.POLICE_CASES

    case_id: ShortId
    case_number: str = Field(min_length=1, max_length=64)
    referral_id: str | None = Field(default=None, max_length=64, description="the court referral it was filed on")
    police_unit: CountyCode


@contract
class CaseOpenedV1(_CaseEvent):
    """刑事案件: the bureau's case, opened by a filing, with its suspects."""

    event_type = "police.case.opened"
    schema_version = 1

    suspects: list[CaseSuspect] = Field(min_length=1)
    opened_at: AwareDatetime
    opened_by: str = Field(min_length=1, max_length=64)


@contract
class DetentionRecordedV1(_CaseEvent):
    """刑事拘留 of a person suspect: the window to request arrest approval runs from it."""

    event_type = "police.detention.recorded"
    schema_version = 1

    detention_id: ShortId
    suspect_id: ShortId
    name: str = Field(min_length=1, max_length=200)
    detained_at: AwareDatetime
    place: str = Field(min_length=1, max_length=200)
    request_due_at: AwareDatetime
    recorded_by: str = Field(min_length=1, max_length=64)


class CustodyEnd(StrEnum):
    """How a person's custody ends other than by an arrest decision's execution."""

    RELEASED = "released"  # 释放 (MPS Rules Art. 131: 不需要逮捕; Art. 187: 撤销案件)
    BAIL = "bail"  # 取保候审 (MPS Rules Art. 131: 需要逮捕而证据还不足)
    RESIDENTIAL_SURVEILLANCE = "residential_surveillance"  # 监视居住


@contract
class CustodyEndedV1(_CaseEvent):
    """A person's custody ended without an arrest decision: released, or bail or residential surveillance instead of
    an arrest request (MPS Rules Art. 131), or released when the case is withdrawn (Art. 187). The window to request
    arrest approval of the detention ends with it."""

    event_type = "police.custody.ended"
    schema_version = 1

    suspect_id: ShortId
    name: str = Field(min_length=1, max_length=200)
    detention_id: str | None = Field(default=None, max_length=64, description="the detention it ends, if one")
    previous: SuspectCustody
    outcome: CustodyEnd
    reason: str = Field(min_length=1, max_length=5000)
    ended_at: AwareDatetime
    decided_by: str = Field(min_length=1, max_length=64)


@contract
class ArrestRequestedV1(_CaseEvent):
    """提请批准逮捕书, with the file manifest: the evidence and the investigation log."""

    event_type = "police.arrest.requested"
    schema_version = 1

    request_id: ShortId
    document_number: str = Field(min_length=1, max_length=64)
    attempt: int = Field(ge=1, description="1 for the first request in the case, 2 after a refusal, …")
    suspects: list[ArrestSuspect] = Field(min_length=1)
    evidence: list[EvidenceRef] = Field(default_factory=list)
    investigation_log: list[LogEntryRef] = Field(default_factory=list)
    requested_at: AwareDatetime
    requested_by: str = Field(min_length=1, max_length=64)


class ReconsiderationStage(StrEnum):
    """The police's two remedies against a refused arrest (CPL Art. 92)."""

    RECONSIDERATION = "reconsideration"  # 复议, by the procuratorate that refused (SPP Rules Art. 290: 7 days)
    REVIEW = "review"  # 复核, by the procuratorate at the next level up (Art. 291: 15 days)


class _ArrestReviewAct(Contract):
    """The procuratorate's acts on an arrest review, keyed by the review."""

    aggregate_type = "arrest_review"
    topic = topics.PROCURATORATE_DECISIONS

    review_id: ShortId
    request_id: ShortId
    case_id: ShortId
    police_unit: CountyCode
    decided_at: AwareDatetime
    decided_by: str = Field(min_length=1, max_length=64)


@contract
class ArrestDecidedV1(_ArrestReviewAct):
    """批准逮捕决定书 / 不批准逮捕决定书 for one or more suspects of a request (a refusal may carry 补充侦查提纲)."""

    event_type = "procuratorate.arrest.decided"
    schema_version = 1

    procuratorate_unit: CountyCode
    decisions: list[SuspectDecision] = Field(min_length=1)


@contract
class ArrestReconsideredV1(_ArrestReviewAct):
    """复议决定 / 复核决定: the refusal upheld, or changed to an approval the police then execute."""

    event_type = "procuratorate.arrest.reconsidered"
    schema_version = 1

    procuratorate_unit: str = Field(min_length=6, max_length=6, description="the deciding procuratorate's unit")
    suspect_id: ShortId
    name: str = Field(min_length=1, max_length=200)
    stage: ReconsiderationStage
    changed: bool = Field(description="the refusal changed to an approval")
    reasons: str = Field(min_length=1, max_length=5000)


@contract
class ArrestReconsiderationRequestedV1(_CaseEvent):
    """要求复议意见书 / 提请复核意见书: the police think a refusal wrong (CPL Art. 92; MPS Rules Art. 143–144)."""

    event_type = "police.arrest.reconsideration_requested"
    schema_version = 1

    request_id: ShortId
    review_id: ShortId
    suspect_id: ShortId
    name: str = Field(min_length=1, max_length=200)
    stage: ReconsiderationStage
    reasons: str = Field(min_length=1, max_length=5000)
    requested_at: AwareDatetime
    requested_by: str = Field(min_length=1, max_length=64)


@contract
class ArrestExecutedV1(_CaseEvent):
    """执行回执: the decision executed for one suspect (arrested, or released / bail after a refusal), or an arrest
    not executed, with the reason (MPS Rules Art. 142; SPP Rules Art. 286)."""

    event_type = "police.arrest.executed"
    schema_version = 1

    request_id: ShortId
    review_id: ShortId
    suspect_id: ShortId
    name: str = Field(min_length=1, max_length=200)
    decision: ArrestDecision
    outcome: ExecutionOutcome
    failure_reason: str | None = Field(default=None, max_length=5000, description="why it was not executed")
    executed_at: AwareDatetime
    receipt_sent_at: AwareDatetime
    executed_by: str = Field(min_length=1, max_length=64)
