"""The court database: the common tables plus leads and referrals, mapped imperatively onto the domain classes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Enum, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import registry

from liandong.persistence.repository import map_aggregates
from liandong.persistence.tables import install, new_metadata
from liandong.persistence.types import Money, UtcDateTime
from liandong_court.domain.model import Lead, LeadSource, LeadStatus, Referral, ReferralStatus

metadata = new_metadata()
common = install(metadata)


def _enum(cls: type[Any]) -> Enum:
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


leads = Table(
    "leads",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit", String(16), nullable=False),
    Column("court_code", String(16), nullable=False),
    Column("enforcement_case_number", String(64), nullable=False),
    Column("source", _enum(LeadSource), nullable=False),
    Column("suspects", JSON, nullable=False),
    Column("amount_owed", Money(), nullable=False),
    Column("amount_paid", Money(), nullable=False),
    Column("summary", Text, nullable=False),
    Column("status", _enum(LeadStatus), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
)
Index("ix_leads_unit_status", leads.c.unit, leads.c.status)
Index("ix_leads_case_number", leads.c.enforcement_case_number)

referrals = Table(
    "referrals",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("lead_id", String(36), ForeignKey("leads.id"), nullable=False),
    Column("court_unit", String(16), nullable=False),
    Column("police_unit", String(16), nullable=False),
    Column("status", _enum(ReferralStatus), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("submitted_by", String(64), nullable=False),
    Column("received_at", UtcDateTime(), nullable=True),
    Column("receipt_number", String(64), nullable=True),
    Column("received_by", String(64), nullable=True),
)
Index("ix_referrals_lead", referrals.c.lead_id)
Index("ix_referrals_unit_status", referrals.c.court_unit, referrals.c.status)

mapper_registry = registry(metadata=metadata)
map_aggregates(mapper_registry, (Lead, leads), (Referral, referrals))
