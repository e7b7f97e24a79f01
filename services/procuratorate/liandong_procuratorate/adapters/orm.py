"""The procuratorate database: the common tables, the matter timeline, arrest reviews, supervision cases and the
police cases of each matter."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text
from sqlalchemy.orm import registry

from liandong.persistence.repository import map_aggregates
from liandong.persistence.tables import install, new_metadata
from liandong.persistence.types import UtcDateTime, str_enum
from liandong_procuratorate.domain.model import PoliceCaseRecord, TimelineEntry
from liandong_procuratorate.domain.prosecutions import ProsecutionReview, ProsecutionStatus
from liandong_procuratorate.domain.reviews import ArrestReview, ReviewStatus
from liandong_procuratorate.domain.supervision import Origin, SupervisionCase, SupervisionStatus

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
    Column("status", str_enum(ReviewStatus, 16), nullable=False),
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

supervision_cases = Table(
    "supervision_cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("correlation_id", String(128), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("police_unit", String(16), nullable=False),
    Column("origin", str_enum(Origin), nullable=False),
    Column("referral_id", String(64), nullable=True),
    Column("source_id", String(64), nullable=True, unique=True),
    Column("court_request", JSON, nullable=True),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("opened_by", String(64), nullable=False),
    Column("status", str_enum(SupervisionStatus, 16), nullable=False),
    Column("outcome", String(32), nullable=True),
    Column("notices", JSON, nullable=False),
    Column("closed_at", UtcDateTime(), nullable=True),
    Column("closed_by", String(64), nullable=True),
    Column("close_note", Text, nullable=True),
    Column("proposal", JSON, nullable=True),  # a notice to file awaiting the chief prosecutor's decision
)
Index("ix_supervision_cases_unit_status", supervision_cases.c.unit, supervision_cases.c.status)
Index("ix_supervision_cases_matter", supervision_cases.c.correlation_id)

prosecution_reviews = Table(
    "prosecution_reviews",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(64), nullable=False, unique=True),
    Column("case_number", String(64), nullable=False),
    Column("referral_id", String(64), nullable=True),
    Column("correlation_id", String(128), nullable=False),
    Column("police_unit", String(16), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("defendants", JSON, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("investigation_log", JSON, nullable=False),
    Column("transfer_number", String(64), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("status", str_enum(ProsecutionStatus, 16), nullable=False),
    Column("fast_track", Boolean, nullable=False),
    Column("window_id", String(36), nullable=True),
    Column("returns", JSON, nullable=False),
    Column("resubmissions", JSON, nullable=False),
    Column("decision", JSON, nullable=True),
    Column("performance", JSON, nullable=True),
    Column("judgment", JSON, nullable=True),
    Column("proposal", JSON, nullable=True),  # a non-prosecution awaiting the chief prosecutor's decision
    Column("fast_track_terms", JSON, nullable=True),  # the plea, the agreement, the likely sentence
)
Index("ix_prosecution_reviews_unit_status", prosecution_reviews.c.unit, prosecution_reviews.c.status)
Index("ix_prosecution_reviews_matter", prosecution_reviews.c.correlation_id)

# The police cases of each matter, as their openings reported them.
police_cases = Table(
    "police_cases",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("correlation_id", String(128), nullable=False),
    Column("police_unit", String(16), nullable=False),
    Column("case_number", String(64), nullable=False),
    Column("suspects", JSON, nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
)
Index("ix_police_cases_matter", police_cases.c.correlation_id)

mapper_registry = registry(metadata=metadata)
map_aggregates(
    mapper_registry,
    (TimelineEntry, timeline),
    (ArrestReview, arrest_reviews),
    (SupervisionCase, supervision_cases),
    (PoliceCaseRecord, police_cases),
    (ProsecutionReview, prosecution_reviews),
)
