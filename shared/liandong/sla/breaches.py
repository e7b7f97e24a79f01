"""Receiving the other agencies' breaches, so each agency's supervisors see them."""

from __future__ import annotations

from sqlalchemy import insert

from liandong.contracts.deadlines import AGENCIES, BREACHED, DEADLINE_TOPICS, DeadlineBreachedPayload
from liandong.messaging.consumer import Delivery, Handler, Outcome
from liandong.persistence.uow import SqlUnitOfWork


async def on_breach_received(delivery: Delivery, uow: SqlUnitOfWork) -> Outcome:
    breach = delivery.payload
    assert isinstance(breach, DeadlineBreachedPayload)
    env = delivery.envelope
    await uow.session.execute(
        insert(uow.tables.received_breaches).values(
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


def breach_handlers(agency: str) -> tuple[dict[str, Handler], list[str]]:
    """Handlers and topics for the breaches of every agency but `agency`."""
    others = [a for a in AGENCIES if a != agency]
    return (
        {BREACHED[a].event_type: on_breach_received for a in others},
        [DEADLINE_TOPICS[a] for a in others],
    )
