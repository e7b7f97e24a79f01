"""Receiving the other agencies' deadline events: their breaches, kept where this agency's supervisors look, and
a copy of each of their windows (peer windows), so every agency sees the windows of its matters run and end."""

from __future__ import annotations

from typing import Any, TypeVar

from liandong.contracts.deadlines import (
    AGENCIES,
    BREACHED,
    CANCELLED,
    CHANGED,
    MET,
    STARTED,
    DeadlineBreachedPayload,
    DeadlineCancelledPayload,
    DeadlineChangedPayload,
    DeadlineFacts,
    DeadlineMetPayload,
)
from liandong.messaging.handlers import Delivery, EventHandlers, Outcome, PoisonMessage
from liandong.persistence.uow import SqlUnitOfWork
from liandong.sla.records import PeerWindow, ReceivedBreach
from liandong.sla.rules import DeadlineState

U = TypeVar("U", bound=SqlUnitOfWork)


def _peer_window(event: Delivery[DeadlineFacts], uow: SqlUnitOfWork) -> PeerWindow:
    """The window as the event states it; a unit keeps only its own windows (the producer is the window's unit)."""
    facts, env = event.payload, event.envelope
    if env.producer.unit != facts.unit:
        raise PoisonMessage(f"a window of unit {facts.unit} published by {env.producer.unit}")
    state: dict[str, Any] = {"state": DeadlineState.RUNNING}
    if isinstance(facts, DeadlineMetPayload):
        state = {"state": DeadlineState.MET, "met_at": facts.met_at, "days_used": facts.days_used}
        state["on_time"] = facts.on_time
    elif isinstance(facts, DeadlineBreachedPayload):
        state = {"state": DeadlineState.BREACHED, "breached_at": facts.fired_at}
    elif isinstance(facts, DeadlineCancelledPayload):
        state = {"state": DeadlineState.CANCELLED, "cancelled_at": facts.cancelled_at, "note": facts.reason}
    elif isinstance(facts, DeadlineChangedPayload):
        state["note"] = f"{facts.change}: {facts.reason}"
    return PeerWindow(
        deadline_id=facts.deadline_id,
        agency=env.producer.agency,
        unit=facts.unit,
        kind=facts.kind,
        title=facts.title,
        subject_type=facts.subject_type,
        subject_id=facts.subject_id,
        correlation_id=env.correlation_id,
        started_at=facts.started_at,
        due_at=facts.due_at,
        updated_at=uow.clock.now(),
        **state,
    )


async def on_peer_window(event: Delivery[DeadlineFacts], uow: SqlUnitOfWork) -> Outcome:
    """Another agency's window started, moved, was met or cancelled: keep this agency's copy of it."""
    moved = isinstance(event.payload, DeadlineChangedPayload)
    changed = await uow.deadlines.observe(_peer_window(event, uow), moved=moved)
    return Outcome.APPLIED if changed else Outcome.STALE


async def on_breach_received(event: Delivery[DeadlineBreachedPayload], uow: SqlUnitOfWork) -> Outcome:
    """Another agency let a window pass: keep it where this agency's supervisors look, and on the window's copy."""
    breach, env = event.payload, event.envelope
    await uow.deadlines.observe(_peer_window(event, uow))
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


def add_peer_handlers(handlers: EventHandlers[U], agency: str) -> EventHandlers[U]:
    """Register the deadline events of every agency but `agency`."""
    for other in AGENCIES:
        if other != agency:
            handlers.on(BREACHED[other], on_breach_received)
            for family in (STARTED, CHANGED, MET, CANCELLED):
                handlers.on(family[other], on_peer_window)
    return handlers
