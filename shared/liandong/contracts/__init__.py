"""Versioned event contracts shared by the three services (docs/architecture.md, "Events")."""

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
    "CaseFiledV1",
    "CaseFilingDeclinedV1",
    "CaseFilingExtendedV1",
    "CoerciveMeasureRef",
    "Contract",
    "ContractError",
    "DeadlineApproachingPayload",
    "DeadlineBreachedPayload",
    "DeadlineMetPayload",
    "EnforcementPerformedV1",
    "EnforcementResumedV1",
    "EvidenceClass",
    "EvidenceRef",
    "Instalment",
    "PartyKind",
    "PerformanceKind",
    "ReferralReceivedV1",
    "ReferralSubmittedV1",
    "ReferralSubmittedV2",
    "ReferralWithdrawnV1",
    "Suspect",
    "SuspectRole",
    "UnknownEventType",
    "UnknownSchemaVersion",
    "parse_payload",
]
