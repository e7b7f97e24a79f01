"""Base class and registry of the versioned event contracts."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from liandong.envelope import Envelope
from liandong.pii import error_text


class Contract(BaseModel):
    """A versioned event payload. Subclasses name their event type, version, aggregate and topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    schema_version: ClassVar[int]
    aggregate_type: ClassVar[str]
    topic: ClassVar[str]


C = TypeVar("C", bound=type[Contract])

REGISTRY: dict[tuple[str, int], type[Contract]] = {}


def contract(cls: C) -> C:
    """Register a contract class under its (event_type, schema_version)."""
    key = (cls.event_type, cls.schema_version)
    if key in REGISTRY:
        raise ValueError(f"contract {key} registered twice")
    REGISTRY[key] = cls
    return cls


class ContractError(Exception):
    """A message that can never be applied as it stands: it goes to the dead-letter topic."""

    reason = "contract_violation"


class UnknownEventType(ContractError):
    reason = "unknown_event_type"


class UnknownSchemaVersion(ContractError):
    reason = "unknown_schema_version"


def known_versions(event_type: str) -> list[int]:
    return sorted(v for (t, v) in REGISTRY if t == event_type)


def parse_payload(envelope: Envelope) -> Contract:
    cls = REGISTRY.get((envelope.event_type, envelope.schema_version))
    if cls is None:
        versions = known_versions(envelope.event_type)
        if not versions:
            raise UnknownEventType(f"no contract for event type {envelope.event_type!r}")
        raise UnknownSchemaVersion(
            f"{envelope.event_type} schema_version {envelope.schema_version} is not one of {versions}"
        )
    try:
        return cls.model_validate(envelope.payload)
    except ValidationError as exc:
        raise ContractError(f"{envelope.event_type} v{envelope.schema_version}: {error_text(exc)}") from exc
