"""The police database: the common tables plus the referral inbox, mapped imperatively onto the domain."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Enum, Index, String, Table, Text
from sqlalchemy.orm import registry

from liandong.persistence.repository import map_aggregates
from liandong.persistence.tables import install, new_metadata
from liandong.persistence.types import Money, UtcDateTime
from liandong_police.domain.model import Referral, ReferralStatus

metadata = new_metadata()
common = install(metadata)

referrals = Table(
    "referrals",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("lead_id", String(36), nullable=False),
    Column("court_code", String(16), nullable=False),
    Column("court_unit", String(16), nullable=False),
    Column("police_unit", String(16), nullable=False),
    Column("enforcement_case_number", String(64), nullable=False),
    Column("enforcement_summary", Text, nullable=False),
    Column("amount_owed", Money(), nullable=False),
    Column("amount_paid", Money(), nullable=False),
    Column("suspects", JSON, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("arrived_at", UtcDateTime(), nullable=False),
    Column(
        "status",
        Enum(ReferralStatus, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]),
        nullable=False,
    ),
    Column("registered_at", UtcDateTime(), nullable=True),
    Column("registered_by", String(64), nullable=True),
    Column("receipt_number", String(64), nullable=True, unique=True),
)
Index("ix_referrals_unit_status", referrals.c.police_unit, referrals.c.status)

mapper_registry = registry(metadata=metadata)
map_aggregates(mapper_registry, (Referral, referrals))
