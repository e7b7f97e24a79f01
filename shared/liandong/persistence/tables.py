"""Tables every service database has: outbox, inbox, idempotency keys and staff accounts.

Each service owns its MetaData (its domain tables differ); `install` adds these common tables to it so one
Alembic history per service creates both.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

from liandong.persistence.types import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY autoincrements).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


@dataclass(frozen=True)
class CommonTables:
    outbox: Table
    inbox: Table
    idempotency_keys: Table
    users: Table
    deadlines: Table
    deadline_stages: Table
    deadline_history: Table
    received_breaches: Table
    counters: Table
    account_audit: Table
    corrections: Table
    peer_windows: Table
    dead_letter_actions: Table
    audit_log: Table
    audit_head: Table
    login_throttle: Table
    personal_data_reads: Table
    documents: Table
    document_claims: Table
    restores: Table
    view_stamps: Table


def install(metadata: MetaData) -> CommonTables:
    outbox = Table(
        "outbox",
        metadata,
        # seq orders the relay's work; it is never used as a high-water mark (commits land out of order).
        Column("seq", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("event_type", String(120), nullable=False),
        Column("aggregate_type", String(64), nullable=False),
        Column("aggregate_id", String(128), nullable=False),
        Column("correlation_id", String(128), nullable=False),
        Column("envelope", Text, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("published_at", UtcDateTime(), nullable=True),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("next_attempt_at", UtcDateTime(), nullable=False),
        Column("last_error", Text, nullable=True),
    )
    Index(
        "ix_outbox_pending",
        outbox.c.next_attempt_at,
        outbox.c.seq,
        postgresql_where=outbox.c.published_at.is_(None),
        sqlite_where=outbox.c.published_at.is_(None),
    )
    # the relay's batch: the earliest unpublished rows in order, read from the front of this index
    Index(
        "ix_outbox_unpublished_seq",
        outbox.c.seq,
        postgresql_where=outbox.c.published_at.is_(None),
        sqlite_where=outbox.c.published_at.is_(None),
    )
    Index(
        "ix_outbox_pending_aggregate",
        outbox.c.aggregate_type,
        outbox.c.aggregate_id,
        outbox.c.seq,
        postgresql_where=outbox.c.published_at.is_(None),
        sqlite_where=outbox.c.published_at.is_(None),
    )
    Index("ix_outbox_correlation", outbox.c.correlation_id)
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(120), nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("event_type", String(120), nullable=False),
        Column("correlation_id", String(128), nullable=False),
        Column("outcome", String(16), nullable=False),
        Column("received_at", UtcDateTime(), nullable=False),
        # what the event said, for the matter's timeline (rows from before these columns have none)
        Column("occurred_at", UtcDateTime(), nullable=True),
        Column("envelope", Text, nullable=True),
        # where the event was read (rows from before these columns have none): a restored database rewinds its
        # consumers to what it holds (liandong.restore)
        Column("topic", String(200), nullable=True),
        Column("partition", Integer, nullable=True),
        Column("offset", BigInteger, nullable=True),
        PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )
    Index("ix_inbox_correlation", inbox.c.correlation_id)
    Index("ix_inbox_position", inbox.c.consumer, inbox.c.topic, inbox.c.partition, inbox.c.offset)
    idempotency_keys = Table(
        "idempotency_keys",
        metadata,
        Column("scope", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("fingerprint", String(64), nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("status_code", Integer, nullable=True),
        Column("response_body", Text, nullable=True),
        Column("response_content_type", String(100), nullable=True),
        Column("request_id", String(128), nullable=True),  # the act's X-Request-ID, as in its audit entries
        PrimaryKeyConstraint("scope", "key", name="pk_idempotency_keys"),
    )
    users = Table(
        "users",
        metadata,
        Column("username", String(64), primary_key=True),
        Column("password_hash", String(255), nullable=False),
        Column("display_name", String(200), nullable=False),
        Column("role", String(40), nullable=False),
        Column("unit", String(16), nullable=False),
        Column("active", Boolean, nullable=False, server_default=text("true")),
        Column("created_at", UtcDateTime(), nullable=False),
    )
    deadlines, deadline_stages, deadline_history, received_breaches = _deadline_tables(metadata)
    # Document numbers (letters, receipts, case numbers, …): one counter per scope (a unit or a court), kind and
    # year, advanced inside the act's own transaction, so numbers are unique and consecutive under any concurrency.
    counters = Table(
        "counters",
        metadata,
        Column("scope", String(32), nullable=False),
        Column("kind", String(32), nullable=False),
        Column("year", Integer, nullable=False),
        Column("value", BigInteger, nullable=False),
        PrimaryKeyConstraint("scope", "kind", "year", name="pk_counters"),
    )
    # Who changed which staff account, when and how (python -m liandong users …, production start-up).
    account_audit = Table(
        "account_audit",
        metadata,
        Column("seq", BigId, primary_key=True, autoincrement=True),
        Column("at", UtcDateTime(), nullable=False),
        Column("actor", String(64), nullable=False),
        Column("action", String(32), nullable=False),
        Column("username", String(64), nullable=False),
        Column("detail", JSON, nullable=False),
    )
    # A recorded time (or other fact) corrected after the act: who, when, what it was, what it is, and why.
    corrections = Table(
        "corrections",
        metadata,
        Column("seq", BigId, primary_key=True, autoincrement=True),
        Column("at", UtcDateTime(), nullable=False),
        Column("actor", String(64), nullable=False),
        Column("subject_type", String(64), nullable=False),
        Column("subject_id", String(128), nullable=False),
        Column("field", String(64), nullable=False),
        Column("old_value", Text, nullable=True),
        Column("new_value", Text, nullable=True),
        Column("reason", Text, nullable=False),
    )
    Index("ix_corrections_subject", corrections.c.subject_type, corrections.c.subject_id)
    return CommonTables(
        outbox=outbox,
        inbox=inbox,
        idempotency_keys=idempotency_keys,
        users=users,
        deadlines=deadlines,
        deadline_stages=deadline_stages,
        deadline_history=deadline_history,
        received_breaches=received_breaches,
        counters=counters,
        account_audit=account_audit,
        corrections=corrections,
        peer_windows=_peer_windows(metadata),
        dead_letter_actions=_dead_letter_actions(metadata),
        documents=_documents(metadata),
        document_claims=_document_claims(metadata),
        restores=Table(  # each restore of the database from a backup, and its consumers' rewind (liandong.restore)
            "restores",
            metadata,
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("restored_at", UtcDateTime(), nullable=False),
            Column("source", String(500), nullable=False),
            Column("rewound_at", UtcDateTime(), nullable=True),
            Column("rewind", Text, nullable=True),  # what moved: topic[partition] committed → restart offset
            Column("lost", Text, nullable=True),  # JSON: the events on its own topics its outbox lost
            Column("acknowledged_at", UtcDateTime(), nullable=True),  # ops re-entered the lost acts
            Column("acknowledgement", Text, nullable=True),
        ),
        view_stamps=Table(  # the stamp of what each kept answer was drawn from (liandong.persistence.stamps)
            "view_stamps",
            metadata,
            Column("key", String(300), primary_key=True),
            Column("stamp", BigInteger, nullable=False),
        ),
        **_security_tables(metadata),
    )


def _documents(metadata: MetaData) -> Table:
    """The papers of each act (liandong.documents): issued here, or received from another agency and verified by
    digest. Immutable: a correction is a new row naming the one it corrects."""
    documents = Table(
        "documents",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("kind", String(64), nullable=False),
        Column("title", String(64), nullable=False),
        Column("number", String(128), nullable=False, unique=True),
        Column("agency", String(16), nullable=False),  # the issuing agency
        Column("issuer", String(128), nullable=False),  # the issuing body, as printed
        Column("unit", String(16), nullable=False),  # the unit whose record it belongs to (who may read it)
        Column("addressee", String(255), nullable=False),
        Column("record_type", String(64), nullable=False),
        Column("record_id", String(128), nullable=False),
        Column("correlation_id", String(128), nullable=False),
        Column("issued_at", UtcDateTime(), nullable=False),
        Column("corrects", String(36), nullable=True),
        Column("origin", String(16), nullable=False),  # issued | received
        # announced on an event of its act: the other agencies' services may fetch it (liandong.documents.claims)
        Column("announced", Boolean, nullable=False, server_default=text("false")),
        Column("personal", Boolean, nullable=False, server_default=text("false")),  # names an identity number in full
        Column("sha256", String(64), nullable=False, unique=True),
        Column("pages", Integer, nullable=False),
        Column("size_bytes", Integer, nullable=False),
        Column("html", Text, nullable=False),
        Column("pdf", LargeBinary, nullable=False),
    )
    Index("ix_documents_record", documents.c.record_type, documents.c.record_id)
    Index("ix_documents_matter", documents.c.correlation_id, documents.c.issued_at)
    return documents


def _document_claims(metadata: MetaData) -> Table:
    """Documents another agency announced on an event this service applied, to fetch and verify by digest
    (liandong.documents.claims); one per document, fetched once."""
    claims = Table(
        "document_claims",
        metadata,
        Column("id", String(36), primary_key=True),  # the document's id at its issuer
        Column("source", String(16), nullable=False),  # the issuing agency
        Column("unit", String(32), nullable=False),  # the unit it is filed for: the event's jurisdiction
        Column("record_type", String(64), nullable=False),  # the event's aggregate
        Column("record_id", String(128), nullable=False),
        Column("correlation_id", String(128), nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("ref", Text, nullable=False),  # the DocumentRef as announced
        Column("status", String(24), nullable=False),  # pending | fetched | missing | unreachable | digest_mismatch
        Column("attempts", Integer, nullable=False),
        Column("next_attempt_at", UtcDateTime(), nullable=False),
        Column("last_error", Text, nullable=True),
        Column("claimed_at", UtcDateTime(), nullable=False),
        Column("fetched_at", UtcDateTime(), nullable=True),
    )
    Index("ix_document_claims_due", claims.c.status, claims.c.next_attempt_at)
    Index("ix_document_claims_matter", claims.c.correlation_id)
    return claims


def _security_tables(metadata: MetaData) -> dict[str, Table]:
    """The audit chain (liandong.audit) and the failed-login counters (liandong.api.throttle)."""
    audit_log = Table(
        "audit_log",
        metadata,
        Column("seq", BigInteger, primary_key=True, autoincrement=False),  # 1, 2, 3, … without gaps
        Column("at", UtcDateTime(), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("role", String(64), nullable=False),
        Column("unit", String(32), nullable=False),
        Column("action", String(200), nullable=False),
        Column("subject_type", String(64), nullable=False),
        Column("subject_id", String(200), nullable=False),
        Column("request_id", String(128), nullable=True),
        Column("change_digest", String(64), nullable=False),
        Column("row_digest", String(200), nullable=True),  # "table:sha256" of the record's row as the act left it
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
    )
    Index("ix_audit_log_subject_id", audit_log.c.subject_id)
    # one row (id 1): the newest entry's seq and hash; locked by every append, so the chain never forks
    audit_head = Table(
        "audit_head",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("seq", BigInteger, nullable=False),
        Column("hash", String(64), nullable=False),
    )
    # failed logins per username ("user:…") and per client address ("address:…") in the current window
    login_throttle = Table(
        "login_throttle",
        metadata,
        Column("key", String(300), primary_key=True),
        Column("failures", Integer, nullable=False),
        Column("window_started_at", UtcDateTime(), nullable=False),
        Column("locked_until", UtcDateTime(), nullable=True),
    )
    # who read a record showing identity or phone numbers in full, when, and where (liandong.api.personal_data)
    personal_data_reads = Table(
        "personal_data_reads",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("at", UtcDateTime(), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("role", String(64), nullable=False),
        Column("unit", String(32), nullable=False),
        Column("path", String(500), nullable=False),
        Column("request_id", String(128), nullable=True),
    )
    Index("ix_personal_data_reads_unit_at", personal_data_reads.c.unit, personal_data_reads.c.at)
    Index("ix_personal_data_reads_actor_at", personal_data_reads.c.actor, personal_data_reads.c.at)
    return {
        "audit_log": audit_log,
        "audit_head": audit_head,
        "login_throttle": login_throttle,
        "personal_data_reads": personal_data_reads,
    }


def _deadline_tables(metadata: MetaData) -> tuple[Table, Table, Table, Table]:
    """The SLA trackers' rows (liandong.sla.engine)."""
    deadlines = Table(
        "deadlines",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("kind", String(64), nullable=False),
        Column("title", String(200), nullable=False),
        Column("legal_basis", Text, nullable=False),
        Column("unit", String(16), nullable=False),
        Column("subject_type", String(64), nullable=False),
        Column("subject_id", String(128), nullable=False),
        Column("correlation_id", String(128), nullable=False),
        Column("custody", Boolean, nullable=False),
        Column("window", Integer, nullable=False),
        Column("window_unit", String(8), nullable=False),
        Column("extra_days", Integer, nullable=False, server_default=text("0")),
        # the start of the current period: the original start, or the restart
        Column("period_started_at", UtcDateTime(), nullable=False),
        Column("due_at", UtcDateTime(), nullable=False),
        Column("rolled_forward", Boolean, nullable=False),
        Column("warnings_hours", JSON, nullable=False),
        Column("generation", Integer, nullable=False, server_default=text("0")),
        Column("stage_index", Integer, nullable=False, server_default=text("0")),
        Column("next_fire_at", UtcDateTime(), nullable=True),
        Column("state", String(16), nullable=False),
        Column("extensions", Integer, nullable=False, server_default=text("0")),
        Column("restarts", Integer, nullable=False, server_default=text("0")),
        Column("met_at", UtcDateTime(), nullable=True),
        Column("breached_at", UtcDateTime(), nullable=True),
        Column("cancelled_at", UtcDateTime(), nullable=True),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
    )
    running = deadlines.c.state == "running"
    # A tick reads only what is due: cost follows the due rows, not the open ones.
    Index("ix_deadlines_due", deadlines.c.next_fire_at, postgresql_where=running, sqlite_where=running)
    Index(
        "uq_deadlines_running_subject",
        deadlines.c.kind,
        deadlines.c.subject_type,
        deadlines.c.subject_id,
        unique=True,
        postgresql_where=running,
        sqlite_where=running,
    )
    Index("ix_deadlines_unit_state", deadlines.c.unit, deadlines.c.state, deadlines.c.due_at)
    Index("ix_deadlines_subject", deadlines.c.subject_type, deadlines.c.subject_id)
    deadline_stages = Table(
        "deadline_stages",
        metadata,
        Column("deadline_id", String(36), nullable=False),
        Column("generation", Integer, nullable=False),
        Column("stage", String(32), nullable=False),
        Column("scheduled_at", UtcDateTime(), nullable=False),
        Column("fired_at", UtcDateTime(), nullable=False),
        Column("late", Boolean, nullable=False),
        Column("event_id", String(36), nullable=False),
        # each warning and the breach fire once per period, whatever the number of tracker replicas
        PrimaryKeyConstraint("deadline_id", "generation", "stage", name="pk_deadline_stages"),
    )
    deadline_history = Table(
        "deadline_history",
        metadata,
        Column("seq", BigId, primary_key=True, autoincrement=True),
        Column("deadline_id", String(36), nullable=False, index=True),
        Column("at", UtcDateTime(), nullable=False),
        Column("action", String(32), nullable=False),
        Column("actor", String(64), nullable=True),
        Column("detail", JSON, nullable=False),
    )
    received_breaches = Table(
        "received_breaches",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("agency", String(32), nullable=False),
        Column("unit", String(16), nullable=False),
        Column("deadline_id", String(36), nullable=False),
        Column("kind", String(64), nullable=False),
        Column("title", String(200), nullable=False),
        Column("legal_basis", Text, nullable=False),
        Column("subject_type", String(64), nullable=False),
        Column("subject_id", String(128), nullable=False),
        Column("correlation_id", String(128), nullable=False),
        Column("due_at", UtcDateTime(), nullable=False),
        Column("fired_at", UtcDateTime(), nullable=False),
        Column("late", Boolean, nullable=False),
        Column("received_at", UtcDateTime(), nullable=False),
    )
    Index("ix_received_breaches_unit", received_breaches.c.unit, received_breaches.c.fired_at)
    return deadlines, deadline_stages, deadline_history, received_breaches


def _peer_windows(metadata: MetaData) -> Table:
    """The other agencies' windows of this agency's matters, as their deadline events told them (a copy, kept by
    deadline id; the owner's tracker alone fires them)."""
    peer_windows = Table(
        "peer_windows",
        metadata,
        Column("deadline_id", String(36), primary_key=True),
        Column("agency", String(32), nullable=False),
        Column("unit", String(16), nullable=False),
        Column("kind", String(64), nullable=False),
        Column("title", String(200), nullable=False),
        Column("subject_type", String(64), nullable=False),
        Column("subject_id", String(128), nullable=False),
        Column("correlation_id", String(128), nullable=False),
        Column("state", String(16), nullable=False),
        Column("started_at", UtcDateTime(), nullable=False),
        Column("due_at", UtcDateTime(), nullable=False),
        Column("met_at", UtcDateTime(), nullable=True),
        Column("days_used", Float, nullable=True),
        Column("on_time", Boolean, nullable=True),
        Column("breached_at", UtcDateTime(), nullable=True),
        Column("cancelled_at", UtcDateTime(), nullable=True),
        Column("note", Text, nullable=True),
        Column("updated_at", UtcDateTime(), nullable=False),
    )
    Index("ix_peer_windows_matter", peer_windows.c.correlation_id, peer_windows.c.started_at)
    Index("ix_peer_windows_unit_state", peer_windows.c.unit, peer_windows.c.state, peer_windows.c.due_at)
    return peer_windows


def _dead_letter_actions(metadata: MetaData) -> Table:
    """What ops did with each dead letter (replayed or discarded), by whom, when and why: the audit of the desk."""
    return Table(
        "dead_letter_actions",
        metadata,
        Column("dlt_id", String(300), primary_key=True),  # "<dead-letter topic>/<partition>/<offset>"
        Column("action", String(16), nullable=False),
        Column("reason", Text, nullable=False),
        Column("actor", String(64), nullable=False),
        Column("at", UtcDateTime(), nullable=False),
        Column("event_type", String(120), nullable=True),
        Column("event_id", String(36), nullable=True),
    )
