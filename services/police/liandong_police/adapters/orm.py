"""The police database: the common tables plus the referral inbox and the evidence fetched from the court."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, LargeBinary, PrimaryKeyConstraint, String, Table, Text, event, text
from sqlalchemy.orm import registry

from liandong.audit import AUDITED
from liandong.persistence.repository import map_aggregates
from liandong.persistence.tables import install, new_metadata
from liandong.persistence.types import Money, UtcDateTime, str_enum
from liandong_police.domain.cases import Case, CaseStatus, LogEntry
from liandong_police.domain.model import Referral, ReferralStatus
from liandong_police.domain.supervision import NoticeKind, NoticeStatus, SupervisionNotice

metadata = new_metadata()
common = install(metadata)

referrals = Table(
    "referrals",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("lead_id", String(36), nullable=False),
    Column("letter_number", String(64), nullable=True),
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
    Column("status", str_enum(ReferralStatus), nullable=False),
    Column("registered_at", UtcDateTime(), nullable=True),
    Column("registered_by", String(64), nullable=True),
    Column("receipt_number", String(64), nullable=True, unique=True),
    Column("case_id", String(36), nullable=True),
    Column("case_number", String(64), nullable=True, unique=True),
    Column("filed_at", UtcDateTime(), nullable=True),
    Column("filed_by", String(64), nullable=True),
    Column("filed_suspects", JSON, nullable=True),
    Column("decline_reasons", Text, nullable=True),
    Column("declined_at", UtcDateTime(), nullable=True),
    Column("declined_by", String(64), nullable=True),
    Column("decline_served_at", UtcDateTime(), nullable=True),
    Column("extended_window_days", Integer, nullable=True),
    Column("extension_approver", String(64), nullable=True),
    Column("extension_reason", Text, nullable=True),
    Column("withdrawn_at", UtcDateTime(), nullable=True),
    Column("withdraw_reason", Text, nullable=True),
    Column("performance", JSON, nullable=True),
    Column("particulars", JSON, nullable=True),
    Column("proposal", JSON, nullable=True),
    Column("proposed_by", String(64), nullable=True),
    Column("proposed_at", UtcDateTime(), nullable=True),
    Column("proposal_returned_note", Text, nullable=True),
)
Index("ix_referrals_unit_status", referrals.c.police_unit, referrals.c.status)

# The bureau's criminal cases: one per filing; suspects, detentions and arrest requests are the case's own records
# (JSON, replaced whole by the aggregate); its investigation log is a table of its own (case_log).
cases = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("referral_id", String(36), nullable=True, unique=True),
    Column("correlation_id", String(128), nullable=False),
    Column("police_unit", String(16), nullable=False),
    Column("case_number", String(64), nullable=False),
    Column("status", str_enum(CaseStatus), nullable=False),
    Column("suspects", JSON, nullable=False),
    Column("opened_at", UtcDateTime(), nullable=False),
    Column("opened_by", String(64), nullable=False),
    # the log as the previous release kept it (revision 0010 copied it to case_log): read and written only by that
    # release's replicas while a rollout or a rollback runs them beside this one; neither mapped nor digested here
    Column("log", JSON, nullable=False, server_default=text("'[]'"), info={AUDITED: False}),
    Column("detentions", JSON, nullable=False),
    Column("arrest_requests", JSON, nullable=False),
    Column("transfers", JSON, nullable=True),
    Column("returns", JSON, nullable=True),
    Column("prosecution", JSON, nullable=True),
    Column("judgment", JSON, nullable=True),
    Column("withdrawal", JSON, nullable=True),
)
Index("ix_cases_unit_opened", cases.c.police_unit, cases.c.opened_at)
Index("ix_cases_correlation", cases.c.correlation_id)
Index("ux_cases_case_number", cases.c.case_number, unique=True)  # a 立案 number names one case

# A case's investigation log, an entry a row: appended, never rewritten (`seq` orders a case's entries). An entry
# is written alone: recording one neither rewrites the log nor locks the case.
case_log = Table(
    "case_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(36), nullable=False),
    Column("entry_id", String(36), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("summary", Text, nullable=False),
    Column("collected_by", String(64), nullable=False),
    Column("collected_at", String(64), nullable=False),  # as recorded, with the offset it was given in
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("evidence", JSON, nullable=False),
)
Index("ix_case_log_case_seq", case_log.c.case_id, case_log.c.seq)

# The procuratorate's supervision notices to the bureau (立案监督).
supervision_notices = Table(
    "supervision_notices",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("supervision_id", String(64), nullable=False),
    Column("correlation_id", String(128), nullable=False),
    Column("police_unit", String(16), nullable=False),
    Column("referral_id", String(64), nullable=True),
    Column("kind", str_enum(NoticeKind), nullable=False),
    Column("document_number", String(64), nullable=False),
    Column("content", Text, nullable=False),
    Column("co_offender", JSON, nullable=True),
    Column("concerns_notice_id", String(64), nullable=True),
    Column("case_id", String(64), nullable=True),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("status", str_enum(NoticeStatus, 16), nullable=False),
    Column("explanation", Text, nullable=True),
    Column("answered_at", UtcDateTime(), nullable=True),
    Column("answered_by", String(64), nullable=True),
)
Index("ix_supervision_notices_unit_status", supervision_notices.c.police_unit, supervision_notices.c.status)

# Evidence by claim check: fetched from the court by digest, verified, kept; retried until it verifies.
evidence_items = Table(
    "evidence_items",
    metadata,
    Column("referral_id", String(36), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("evidence_class", String(32), nullable=False),
    Column("evidence_type", String(32), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(128), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("status", String(24), nullable=False),  # pending | fetched | digest_mismatch | unreachable | missing
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("fetched_at", UtcDateTime(), nullable=True),
    Column("content", LargeBinary, nullable=True),
    PrimaryKeyConstraint("referral_id", "sha256", name="pk_evidence_items"),
)
Index("ix_evidence_items_due", evidence_items.c.status, evidence_items.c.next_attempt_at)

mapper_registry = registry(metadata=metadata)
map_aggregates(mapper_registry, (Referral, referrals), (SupervisionNotice, supervision_notices))
map_aggregates(mapper_registry, (Case, cases), exclude=(cases.c.log,))
mapper_registry.map_imperatively(LogEntry, case_log)  # written by the unit of work from Case.new_records


@event.listens_for(Case, "load")
def _log_not_loaded(case: Case, _context: object) -> None:
    case._log = None  # read apart when needed (CaseRepository.with_log)
    case.new_records = []
