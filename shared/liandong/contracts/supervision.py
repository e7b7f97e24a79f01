"""立案监督: the court's request, the procuratorate's demand for reasons and its notice to file (which may name a
co-offender the court never referred), the police's answers, and the escalations (纠正违法, 催办).

The procuratorate's events are keyed by its supervision case, the police's by the notice they answer, the court's
request by its referral: each stream arrives in order."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

import liandong.contracts.topics as topics
from liandong.contracts.base import Contract, contract
from liandong.contracts.common import CountyCode, EvidenceRef, PartyKind, Suspect, SuspectRole

ShortId = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(min_length=1, max_length=5000)]


class SupervisionGround(StrEnum):
    DECLINED = "declined"  # 不予立案
    SILENCE = "silence"  # no decision within the filing window
    CO_OFFENDER = "co_offender"  # a person involved who was never referred (found by the procuratorate)


class CoOffender(BaseModel):
    """A person the police are told to file a case against, with their part in the scheme and the evidence."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    kind: PartyKind = PartyKind.PERSON
    role: SuspectRole = SuspectRole.HELPER
    id_number: str | None = Field(default=None, max_length=32)
    part_in_scheme: str = Field(min_length=1, max_length=2000, description="e.g. 提供银行账户用于转移财产")
    evidence: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(min_length=1, max_length=100)


@contract
class SupervisionRequestedV1(Contract):
    """提请立案监督: after a decline or a silence past the filing window, the court asks the procuratorate."""

    event_type = "court.supervision.requested"
    schema_version = 1
    aggregate_type = "referral"
    topic = topics.COURT_REFERRALS

    request_id: ShortId
    referral_id: ShortId
    letter_number: str = Field(min_length=1, max_length=64)
    court_unit: CountyCode
    police_unit: CountyCode
    enforcement_case_number: str = Field(min_length=1, max_length=64)
    ground: SupervisionGround
    decline_reasons: str | None = Field(default=None, max_length=5000)
    reasons: Text
    suspects: list[Suspect] = Field(min_length=1)
    evidence: list[EvidenceRef] = Field(default_factory=list)
    requested_at: AwareDatetime
    requested_by: str = Field(min_length=1, max_length=64)


class _SupervisionAct(Contract):
    """What every act of a supervision case says: the case, its county's units, the act and who did it when."""

    aggregate_type = "supervision_case"
    topic = topics.PROCURATORATE_SUPERVISION

    supervision_id: ShortId
    procuratorate_unit: CountyCode
    police_unit: CountyCode
    referral_id: str | None = Field(default=None, max_length=64)
    notice_id: ShortId
    document_number: str = Field(min_length=1, max_length=64)
    issued_at: AwareDatetime
    issued_by: str = Field(min_length=1, max_length=64)


@contract
class ExplanationDemandedV1(_SupervisionAct):
    """要求说明不立案理由通知书: the police explain within 7 days of receiving it."""

    event_type = "procuratorate.supervision.explanation_demanded"
    schema_version = 1

    reasons: Text


@contract
class FilingNoticeIssuedV1(_SupervisionAct):
    """通知立案书: the police file within 15 days of receiving it — the referral's case, or a co-offender's."""

    event_type = "procuratorate.supervision.filing_notice_issued"
    schema_version = 1

    reasons: Text
    co_offender: CoOffender | None = None


@contract
class CorrectionNoticeIssuedV1(_SupervisionAct):
    """纠正违法通知书: a window of a notice passed unanswered."""

    event_type = "procuratorate.supervision.correction_notice_issued"
    schema_version = 1

    concerns_notice_id: ShortId
    violation: Text


@contract
class ReminderSentV1(_SupervisionAct):
    """立案监督案件催办函: a case filed under supervision, not concluded after 3 months."""

    event_type = "procuratorate.supervision.reminder_sent"
    schema_version = 1

    case_id: ShortId
    text: Text


class SupervisionOutcome(StrEnum):
    EXPLANATION_ACCEPTED = "explanation_accepted"  # 不立案理由成立
    COMPLIED = "complied"  # the police filed as notified


@contract
class SupervisionClosedV1(Contract):
    """The supervision case closed, with its outcome."""

    event_type = "procuratorate.supervision.closed"
    schema_version = 1
    aggregate_type = "supervision_case"
    topic = topics.PROCURATORATE_SUPERVISION

    supervision_id: ShortId
    procuratorate_unit: CountyCode
    referral_id: str | None = Field(default=None, max_length=64)
    outcome: SupervisionOutcome
    note: Text
    closed_at: AwareDatetime
    closed_by: str = Field(min_length=1, max_length=64)


class _NoticeAnswer(Contract):
    aggregate_type = "supervision_notice"
    topic = topics.POLICE_CASES

    notice_id: ShortId
    supervision_id: ShortId
    police_unit: CountyCode
    referral_id: str | None = Field(default=None, max_length=64)


@contract
class ExplanationGivenV1(_NoticeAnswer):
    """不立案理由说明书: the police's written reasons, answering a demand."""

    event_type = "police.supervision.explanation_given"
    schema_version = 1

    explanation: Text
    given_at: AwareDatetime
    given_by: str = Field(min_length=1, max_length=64)


@contract
class FilingNoticeCompliedV1(_NoticeAnswer):
    """立案决定书 (copy): the case filed as notified."""

    event_type = "police.supervision.filing_notice_complied"
    schema_version = 1

    case_id: ShortId
    case_number: str = Field(min_length=1, max_length=64)
    suspects: list[Suspect] = Field(min_length=1)
    filed_at: AwareDatetime
    filed_by: str = Field(min_length=1, max_length=64)
