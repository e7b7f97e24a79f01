"""The procuratorate database: the common tables plus the matter timeline."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text
from sqlalchemy.orm import registry

from liandong.persistence.repository import map_aggregates
from liandong.persistence.tables import install, new_metadata
from liandong.persistence.types import UtcDateTime
from liandong_procuratorate.domain.model import TimelineEntry

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

mapper_registry = registry(metadata=metadata)
map_aggregates(mapper_registry, (TimelineEntry, timeline))
