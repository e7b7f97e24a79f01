"""Versioned event contracts shared by the three services (docs/architecture.md, "Events")."""

from liandong.contracts.arrests import (
    ArrestDecidedV1,
    ArrestDecision,
    ArrestExecutedV1,
    ArrestRequestedV1,
    ArrestSuspect,
    CaseOpenedV1,
    CaseSuspect,
    DetentionRecordedV1,
    ExecutionOutcome,
    LogEntryRef,
    SuspectDecision,
)
from liandong.contracts.base import (
    REGISTRY,
    Contract,
    ContractError,
    UnknownEventType,
    UnknownSchemaVersion,
    parse_payload,
)
from liandong.contracts.cases import CaseFiledV1, CaseFilingDeclinedV1, CaseFilingExtendedV1
from liandong.contracts.common import EvidenceClass, EvidenceRef, PartyKind, Suspect, SuspectRole
from liandong.contracts.deadlines import (
    DeadlineApproachingPayload,
    DeadlineBreachedPayload,
    DeadlineMetPayload,
)
from liandong.contracts.enforcement import EnforcementPerformedV1, EnforcementResumedV1, Instalment, PerformanceKind
from liandong.contracts.referrals import (
    CoerciveMeasureRef,
    ReferralReceivedV1,
    ReferralSubmittedV1,
    ReferralSubmittedV2,
    ReferralWithdrawnV1,
)

__all__ = [
    "REGISTRY",
    "ArrestDecidedV1",
    "ArrestDecision",
    "ArrestExecutedV1",
    "ArrestRequestedV1",
    "ArrestSuspect",
    "CaseFiledV1",
    "CaseFilingDeclinedV1",
    "CaseFilingExtendedV1",
    "CaseOpenedV1",
    "CaseSuspect",
    "CoerciveMeasureRef",
    "Contract",
    "ContractError",
    "DeadlineApproachingPayload",
    "DeadlineBreachedPayload",
    "DeadlineMetPayload",
    "DetentionRecordedV1",
    "EnforcementPerformedV1",
    "EnforcementResumedV1",
    "EvidenceClass",
    "EvidenceRef",
    "ExecutionOutcome",
    "Instalment",
    "LogEntryRef",
    "PartyKind",
    "PerformanceKind",
    "ReferralReceivedV1",
    "ReferralSubmittedV1",
    "ReferralSubmittedV2",
    "ReferralWithdrawnV1",
    "Suspect",
    "SuspectDecision",
    "SuspectRole",
    "UnknownEventType",
    "UnknownSchemaVersion",
    "parse_payload",
]
