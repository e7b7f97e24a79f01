"""The events a deadline raises (`<agency>.deadline.approaching|breached|met`), written through the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from liandong.contracts.deadlines import DeadlineFacts
from liandong.envelope import Agency, Envelope, ProducerRef
from liandong.persistence.uow import SqlUnitOfWork
from liandong.sla.records import Deadline


def facts(row: Deadline) -> dict[str, Any]:
    """What every deadline event says about its deadline."""
    return {
        "deadline_id": row.id,
        "kind": row.kind,
        "title": row.title,
        "legal_basis": row.legal_basis,
        "unit": row.unit,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "started_at": row.period_started_at,
        "due_at": row.due_at,
    }


def emit(uow: SqlUnitOfWork, agency: Agency, row: Deadline, payload: DeadlineFacts, now: datetime) -> Envelope:
    """Queue the event in the unit of work (its outbox row commits with the deadline's change)."""
    envelope = Envelope.wrap(
        payload,
        producer=ProducerRef(agency=agency, unit=row.unit),
        jurisdiction=row.unit,
        aggregate_id=row.id,
        correlation_id=row.correlation_id,
        occurred_at=now,
    )
    uow.emit(envelope)
    return envelope
