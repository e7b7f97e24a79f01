"""The procuratorate database: the common tables, the matter timeline and the arrest reviews."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Enum, Index, Integer, String, Table, Text
from sqlalchemy.orm import registry

from liandong.persistence.repository import map_aggregates
from liandong.persistence.tables import install, new_metadata
from liandong.persistence.types import UtcDateTime
from liandong_procuratorate.domain.model import TimelineEntry
from liandong_procuratorate.domain.reviews import ArrestReview, ReviewStatus

metadata = new_metadata()
common = install(metadata)

timeline = Table(
    "timeline",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("correlation_id", String(128), nullable=False),
    Column("event_type", String(120), nullable=False),
    Column("producer_agency", String(32), nullable=False),
    Column("producer_unit", String(32), nullable=False),
    Column("jurisdiction", String(32), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("summary", Text, nullable=False),
)
Index("ix_timeline_matter", timeline.c.correlation_id, timeline.c.occurred_at)
Index("ix_timeline_jurisdiction", timeline.c.jurisdiction, timeline.c.occurred_at)

arrest_reviews = Table(
    "arrest_reviews",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("request_id", String(64), nullable=False, unique=True),
    Column("case_id", String(64), nullable=False),
    Column("case_number", String(64), nullable=False),
    Column("referral_id", String(64), nullable=True),
    Column("correlation_id", String(128), nullable=False),
    Column("police_unit", String(16), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("document_number", String(64), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column(
        "status",
        Enum(ReviewStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
    ),
    Column("suspects", JSON, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("investigation_log", JSON, nullable=False),
    Column("persons_involved", JSON, nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)
Index("ix_arrest_reviews_unit_status", arrest_reviews.c.unit, arrest_reviews.c.status, arrest_reviews.c.received_at)
Index("ix_arrest_reviews_case", arrest_reviews.c.case_id)

mapper_registry = registry(metadata=metadata)
map_aggregates(mapper_registry, (TimelineEntry, timeline), (ArrestReview, arrest_reviews))
