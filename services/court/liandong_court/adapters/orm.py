"""The court database: the common tables plus enforcement cases, leads, referrals, payments, settlements and
evidence, mapped imperatively onto the domain classes."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, LargeBinary, String, Table, Text
from sqlalchemy.orm import registry

from liandong.persistence.repository import map_aggregates
from liandong.persistence.tables import install, new_metadata
from liandong.persistence.types import JsonValues, Money, UtcDateTime, str_enum
from liandong_court.domain.cases import ClosureType, EnforcementCase
from liandong_court.domain.leads import Assessment, Lead, LeadSource, LeadStatus, TipChannel
from liandong_court.domain.police_cases import PoliceCase
from liandong_court.domain.publicity import Channel, PublicityPiece, TypicalCase
from liandong_court.domain.records import Evidence, Payment, Settlement
from liandong_court.domain.referrals import Referral, ReferralStatus
from liandong_court.domain.trials import Trial, TrialKind, TrialStatus
from liandong_court.domain.values import CoerciveMeasure, Instalment, Suspect

metadata = new_metadata()
common = install(metadata)


enforcement_cases = Table(
    "enforcement_cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit", String(16), nullable=False),
    Column("court_code", String(16), nullable=False),
    Column("case_number", String(64), nullable=False, unique=True),
    Column("creditor", String(200), nullable=False),
    Column("debtors", JSON, nullable=False),
    Column("amount_owed", Money(), nullable=False),
    Column("amount_paid", Money(), nullable=False),
    Column("closure_type", str_enum(ClosureType), nullable=False),
    Column("closure_date", Date, nullable=True),
    Column("focus_categories", JSON, nullable=False),
    Column("imported_at", UtcDateTime(), nullable=False),
    Column("imported_by", String(64), nullable=False),
)
Index(
    "ix_enforcement_cases_screening",
    enforcement_cases.c.unit,
    enforcement_cases.c.closure_type,
    enforcement_cases.c.closure_date,
)

leads = Table(
    "leads",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit", String(16), nullable=False),
    Column("court_code", String(16), nullable=False),
    Column("enforcement_case_number", String(64), nullable=False),
    Column("enforcement_case_id", String(36), ForeignKey("enforcement_cases.id"), nullable=True),
    Column("source", str_enum(LeadSource), nullable=False),
    Column("tip_channel", str_enum(TipChannel), nullable=True),
    Column("tipster_name", String(200), nullable=True),
    Column("tipster_contact", String(200), nullable=True),
    Column("suspects", JsonValues(Suspect.from_json, Suspect.to_json), nullable=False),
    Column("amount_owed", Money(), nullable=False),
    Column("amount_paid", Money(), nullable=False),
    Column("summary", Text, nullable=False),
    Column("status", str_enum(LeadStatus), nullable=False),
    Column("assessment", str_enum(Assessment), nullable=True),
    Column("assessment_reasons", Text, nullable=True),
    Column("assessed_by", String(64), nullable=True),
    Column("assessed_at", UtcDateTime(), nullable=True),
    Column("notice_number", String(64), nullable=True),
    Column("notice_served_at", UtcDateTime(), nullable=True),
    Column("notice_due_at", UtcDateTime(), nullable=True),
    Column("performed_at", UtcDateTime(), nullable=True),
    Column("performance_kind", String(32), nullable=True),
    Column("live_referral_id", String(36), nullable=True),
    Column("enforcement_basis", String(500), nullable=True),
    Column("creditor", String(200), nullable=True),
    Column("coercive_measures", JsonValues(CoerciveMeasure.from_json, CoerciveMeasure.to_json), nullable=True),
    Column("status_before_settlement", str_enum(LeadStatus), nullable=True),
    Column("settled_at", UtcDateTime(), nullable=True),
    Column("amount_paid_at_opening", Money(), nullable=True),
    Column("reopened_at", UtcDateTime(), nullable=True),
    Column("reopened_by", String(64), nullable=True),
    Column("reopen_reason", Text, nullable=True),
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
    Column("letter_number", String(64), nullable=False, unique=True),
    Column("court_unit", String(16), nullable=False),
    Column("police_unit", String(16), nullable=False),
    Column("status", str_enum(ReferralStatus), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("submitted_by", String(64), nullable=False),
    Column("override_reason", Text, nullable=True),
    Column("missing_evidence", JSON, nullable=True),
    Column("received_at", UtcDateTime(), nullable=True),
    Column("receipt_number", String(64), nullable=True),
    Column("received_by", String(64), nullable=True),
    Column("police_case_number", String(64), nullable=True),
    Column("filed_at", UtcDateTime(), nullable=True),
    Column("decline_reasons", Text, nullable=True),
    Column("declined_at", UtcDateTime(), nullable=True),
    Column("filing_due_at", UtcDateTime(), nullable=True),
    Column("extension_reason", Text, nullable=True),
    Column("withdrawn_at", UtcDateTime(), nullable=True),
    Column("withdraw_reason", Text, nullable=True),
    Column("supervision", JSON, nullable=True),
)
Index("ix_referrals_lead", referrals.c.lead_id)
Index("ix_referrals_unit_status", referrals.c.court_unit, referrals.c.status)

# What the police and the procuratorate report of the police cases of the court's matters.
police_cases = Table(
    "police_cases",
    metadata,
    Column("case_id", String(64), primary_key=True),
    Column("lead_id", String(36), nullable=False),
    Column("police_unit", String(16), nullable=False),
    Column("referral_id", String(64), nullable=True),
    Column("case_number", String(64), nullable=True),
    Column("opened_at", UtcDateTime(), nullable=True),
    Column("suspects", JSON, nullable=False),
    Column("detentions", JSON, nullable=False),
    Column("arrest_requests", JSON, nullable=False),
    Column("decisions", JSON, nullable=False),
    Column("executions", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=True),
    Column("milestones", JSON, nullable=True),
)

# The criminal side: public prosecutions received from the procuratorate, and the creditors' private prosecutions.
trials = Table(
    "trials",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", str_enum(TrialKind, 16), nullable=False),
    Column("lead_id", String(36), nullable=False),
    Column("court_unit", String(16), nullable=False),
    Column("status", str_enum(TrialStatus), nullable=False),
    Column("referral_id", String(64), nullable=True),
    Column("case_id", String(64), nullable=True),
    Column("review_id", String(64), nullable=True, unique=True),
    Column("indictment", JSON, nullable=True),
    Column("option_explained", JSON, nullable=True),
    Column("complaint", JSON, nullable=True),
    Column("defendants", JSON, nullable=False),
    Column("received_at", UtcDateTime(), nullable=True),
    Column("court_case_number", String(64), nullable=True),
    Column("accepted_at", UtcDateTime(), nullable=True),
    Column("accepted_by", String(64), nullable=True),
    Column("rejection", JSON, nullable=True),
    Column("hearings", JSON, nullable=False),
    Column("judgment", JSON, nullable=True),
    Column("closure", JSON, nullable=True),
    Column("materials_requests", JSON, nullable=True),  # 补送材料 asked of the procuratorate (3 days each)
)
Index("ix_trials_lead", trials.c.lead_id)
Index("ix_trials_unit_status", trials.c.court_unit, trials.c.status)
Index("ix_police_cases_lead", police_cases.c.lead_id)

payments = Table(
    "payments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("lead_id", String(36), ForeignKey("leads.id"), nullable=False, index=True),
    Column("amount", Money(), nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("channel", String(32), nullable=False),
    Column("note", Text, nullable=True),
    Column("over_reason", Text, nullable=True),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String(64), nullable=False),
)

settlements = Table(
    "settlements",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("lead_id", String(36), ForeignKey("leads.id"), nullable=False, index=True),
    Column("signed_on", Date, nullable=False),
    Column("paid_now", Money(), nullable=False),
    Column("instalments", JsonValues(Instalment.from_json, Instalment.to_json), nullable=False),
    Column("note", Text, nullable=True),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("defaulted_at", UtcDateTime(), nullable=True),
    Column("default_reason", Text, nullable=True),
)

evidence = Table(
    "evidence",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("lead_id", String(36), ForeignKey("leads.id"), nullable=False, index=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("evidence_class", String(32), nullable=False),
    Column("evidence_type", String(32), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(128), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("description", Text, nullable=True),
    Column("uploaded_at", UtcDateTime(), nullable=False),
    Column("uploaded_by", String(64), nullable=False),
)
Index("uq_evidence_lead_digest", evidence.c.lead_id, evidence.c.sha256, unique=True)

# Content by digest, stored once however many leads cite it.
evidence_blobs = Table(
    "evidence_blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content", LargeBinary, nullable=False),
    Column("size_bytes", Integer, nullable=False),
)

publicity_pieces = Table(
    "publicity_pieces",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit", String(16), nullable=False),
    Column("channel", str_enum(Channel, 16), nullable=False),
    Column("published_on", Date, nullable=False),
    Column("title", String(300), nullable=False),
    Column("link", String(1000), nullable=True),
    Column("lead_id", String(36), nullable=True),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("recorded_by", String(64), nullable=False),
)
Index("ix_publicity_unit_day", publicity_pieces.c.unit, publicity_pieces.c.published_on)

typical_cases = Table(
    "typical_cases",
    metadata,
    Column("lead_id", String(36), primary_key=True),
    Column("unit", String(16), nullable=False),
    Column("summary", Text, nullable=False),
    Column("marked_on", Date, nullable=False),
    Column("marked_by", String(64), nullable=False),
)

mapper_registry = registry(metadata=metadata)
map_aggregates(
    mapper_registry,
    (EnforcementCase, enforcement_cases),
    (Lead, leads),
    (Referral, referrals),
    (Payment, payments),
    (Settlement, settlements),
    (Evidence, evidence),
    (PoliceCase, police_cases),
    (Trial, trials),
    (PublicityPiece, publicity_pieces),
    (TypicalCase, typical_cases),
)
