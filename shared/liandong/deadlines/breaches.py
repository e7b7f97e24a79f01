"""Receiving the other agencies' breaches, so each agency's supervisors see them."""

from __future__ import annotations

from typing import TypeVar

from liandong.contracts.deadlines import AGENCIES, BREACHED, DeadlineBreachedPayload
from liandong.messaging.handlers import Delivery, EventHandlers, Outcome
from liandong.persistence.uow import SqlUnitOfWork
from liandong.sla.records import ReceivedBreach

U = TypeVar("U", bound=SqlUnitOfWork)


async def on_breach_received(event: Delivery[DeadlineBreachedPayload], uow: SqlUnitOfWork) -> Outcome:
    """Another agency let a window pass: keep it where this agency's supervisors look."""
    breach, env = event.payload, event.envelope
    await uow.deadlines.receive_breach(
        ReceivedBreach(
            event_id=str(env.event_id),
            agency=env.producer.agency,
            unit=breach.unit,
            deadline_id=breach.deadline_id,
            kind=breach.kind,
            title=breach.title,
            legal_basis=breach.legal_basis,
            subject_type=breach.subject_type,
            subject_id=breach.subject_id,
            correlation_id=env.correlation_id,
            due_at=breach.due_at,
            fired_at=breach.fired_at,
            late=breach.late,
            received_at=uow.clock.now(),
        )
    )
    return Outcome.APPLIED


def add_breach_handlers(handlers: EventHandlers[U], agency: str) -> EventHandlers[U]:
    """Register the breaches of every agency but `agency`."""
    for other in AGENCIES:
        if other != agency:
            handlers.on(BREACHED[other], on_breach_received)
    return handlers
