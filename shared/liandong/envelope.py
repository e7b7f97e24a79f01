"""The envelope every message on Kafka travels in (docs/architecture.md, "Events").

The payload is kept as plain JSON here; `liandong.contracts.parse_payload` turns it into the versioned pydantic
contract for its `(event_type, schema_version)`, so a consumer never guesses at a version it does not know.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

Agency = Literal["court", "police", "procuratorate"]
EVENT_TYPE_PATTERN = r"^(court|police|procuratorate)\.[a-z_]+\.[a-z_]+$"

HEADER_EVENT_ID = "event_id"
HEADER_EVENT_TYPE = "event_type"
HEADER_SCHEMA_VERSION = "schema_version"
HEADER_CORRELATION_ID = "correlation_id"
HEADER_TRACEPARENT = "traceparent"
TRACEPARENT_PATTERN = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"


class Payload(Protocol):
    """What the envelope needs of a payload; `liandong.contracts.Contract` is one."""

    @property
    def event_type(self) -> str: ...

    @property
    def schema_version(self) -> int: ...

    @property
    def aggregate_type(self) -> str: ...

    def model_dump(self, *, mode: str) -> dict[str, Any]: ...


class ProducerRef(BaseModel):
    """Who produced the event: the agency and the unit (county or city code)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agency: Agency
    unit: str = Field(min_length=1, max_length=32)


class DocumentRef(BaseModel):
    """A document the act issued (liandong.documents): the receiving agency fetches it from the producer by its id
    and keeps it only if its content hashes to `sha256` (claim check)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[0-9a-f-]{36}$")
    kind: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=64)
    number: str = Field(min_length=1, max_length=128)
    issuer: str = Field(min_length=1, max_length=128)
    addressee: str = Field(max_length=255)
    corrects: str | None = Field(default=None, pattern=r"^[0-9a-f-]{36}$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    pages: int = Field(ge=1)
    size_bytes: int = Field(ge=1)
    issued_at: AwareDatetime


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: uuid.UUID
    event_type: str = Field(pattern=EVENT_TYPE_PATTERN, max_length=120)
    schema_version: int = Field(ge=1)
    occurred_at: AwareDatetime
    producer: ProducerRef
    jurisdiction: str = Field(min_length=1, max_length=32)
    aggregate_type: str = Field(min_length=1, max_length=64)
    aggregate_id: str = Field(min_length=1, max_length=128)
    correlation_id: str = Field(min_length=1, max_length=128)
    causation_id: uuid.UUID | None = None
    payload: dict[str, Any]
    # W3C trace context of the act that produced the event (liandong.tracing), only when tracing is on
    traceparent: str | None = Field(default=None, pattern=TRACEPARENT_PATTERN)
    # the documents of the act, announced to the agencies that receive the event (liandong.documents.claims)
    documents: tuple[DocumentRef, ...] = ()

    @field_validator("occurred_at")
    @classmethod
    def _as_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @classmethod
    def wrap(
        cls,
        payload: Payload,
        *,
        producer: ProducerRef,
        jurisdiction: str,
        aggregate_id: str,
        correlation_id: str,
        occurred_at: datetime,
        causation_id: uuid.UUID | None = None,
        event_id: uuid.UUID | None = None,
    ) -> Envelope:
        return cls(
            event_id=event_id or uuid.uuid4(),
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            occurred_at=occurred_at,
            producer=producer,
            jurisdiction=jurisdiction,
            aggregate_type=payload.aggregate_type,
            aggregate_id=aggregate_id,
            correlation_id=correlation_id,
            causation_id=causation_id,
            payload=payload.model_dump(mode="json"),
        )

    @property
    def key(self) -> bytes:
        """The Kafka key: the aggregate id, so one aggregate's events stay in order on one partition."""
        return self.aggregate_id.encode()

    def headers(self) -> list[tuple[str, bytes]]:
        return envelope_headers(self.model_dump(mode="json", include=_HEADER_FIELDS))

    def to_json(self) -> str:
        # without the trace context or the documents when there are none: the envelope on the wire stays what it was
        # before either existed
        absent = {
            name
            for name, empty in (("traceparent", self.traceparent is None), ("documents", not self.documents))
            if empty
        }
        return self.model_dump_json(exclude=absent or None)

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> Envelope:
        if raw is None:
            raise ValueError("empty message")
        return cls.model_validate_json(raw)


_HEADER_FIELDS = {"event_id", "event_type", "schema_version", "correlation_id"}


def envelope_headers(envelope: dict[str, Any]) -> list[tuple[str, bytes]]:
    """The Kafka headers of an envelope, from its JSON form (the relay reads stored envelopes without validating
    them again: they were validated when written)."""
    return [
        (HEADER_EVENT_ID, str(envelope["event_id"]).encode()),
        (HEADER_EVENT_TYPE, str(envelope["event_type"]).encode()),
        (HEADER_SCHEMA_VERSION, str(envelope["schema_version"]).encode()),
        (HEADER_CORRELATION_ID, str(envelope["correlation_id"]).encode()),
    ]
