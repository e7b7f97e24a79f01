"""Versioned event contracts shared by the three services (DESIGN.md §2)."""

from liandong.contracts.base import (
    REGISTRY,
    Contract,
    ContractError,
    UnknownEventType,
    UnknownSchemaVersion,
    parse_payload,
)
from liandong.contracts.common import EvidenceClass, EvidenceRef, PartyKind, Suspect, SuspectRole
from liandong.contracts.deadlines import (
    DeadlineApproachingPayload,
    DeadlineBreachedPayload,
    DeadlineMetPayload,
)
from liandong.contracts.referrals import ReferralReceivedV1, ReferralSubmittedV1

__all__ = [
    "REGISTRY",
    "Contract",
    "ContractError",
    "DeadlineApproachingPayload",
    "DeadlineBreachedPayload",
    "DeadlineMetPayload",
    "EvidenceClass",
    "EvidenceRef",
    "PartyKind",
    "ReferralReceivedV1",
    "ReferralSubmittedV1",
    "Suspect",
    "SuspectRole",
    "UnknownEventType",
    "UnknownSchemaVersion",
    "parse_payload",
]
