"""/ops: the service's dead letters and outbox, for its administrators — list, show, replay (applied once: the inbox
still guards), discard with a reason (each recorded), and the outbox's state."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field, model_validator

from liandong.api.auth import Admin
from liandong.api.deps import RuntimeDep, StrictModel
from liandong.api.errors import ApiError
from liandong.documents.claims import claims_status
from liandong.messaging.dlq import DeadLetterDesk, letter_view, outbox_status
from liandong.pii import scrub
from liandong.runtime import Runtime

router = APIRouter(prefix="/ops", tags=["operations"])


def desk(runtime: Runtime) -> DeadLetterDesk:
    return DeadLetterDesk(
        connection=runtime.kafka,
        group_id=runtime.group_id,
        sessions=runtime.session_factory,
        tables=runtime.tables,
        clock=runtime.clock,
        consumer=runtime.consumers[0],
    )


class ReplayIn(StrictModel):
    ids: list[Annotated[str, Field(min_length=1, max_length=300)]] | None = Field(default=None, max_length=1000)
    event_type: str | None = Field(default=None, max_length=120, description="or all letters of this event type")
    reason: str | None = Field(default=None, max_length=64, description="… dead-lettered for this reason")
    correlation_id: str | None = Field(default=None, max_length=128, description="… of this matter")
    note: str = Field(min_length=1, max_length=2000, description="why they are replayed (recorded)")

    @model_validator(mode="after")
    def _ids_or_a_filter(self) -> ReplayIn:
        if self.ids is None and not (self.event_type or self.reason or self.correlation_id):
            raise ValueError("name the letters (ids) or give a filter (event_type, reason, correlation_id)")
        return self


class DiscardIn(StrictModel):
    id: str = Field(min_length=1, max_length=300)
    reason: str = Field(min_length=1, max_length=2000, description="why the event is dropped (recorded)")


@router.get("/dead-letters")
async def dead_letters(
    runtime: RuntimeDep,
    _: Admin,
    event_type: Annotated[str | None, Query(max_length=120)] = None,
    reason: Annotated[str | None, Query(max_length=64)] = None,
    correlation_id: Annotated[str | None, Query(max_length=128)] = None,
) -> list[dict[str, Any]]:
    """The group's dead letters (reason, event type, key, correlation id), each with what was done with it."""
    found = await desk(runtime).letters(event_type=event_type, reason=reason, correlation_id=correlation_id)
    return [letter_view(letter, action) for letter, action in found]


@router.get("/dead-letters/{letter_id:path}")
async def dead_letter(letter_id: str, runtime: RuntimeDep, _: Admin) -> dict[str, Any]:
    letter, action = await desk(runtime).one(letter_id)
    # the record as it stands, personal numbers masked (the replay sends the record itself, never this view)
    return {**letter_view(letter, action), "value": scrub(letter.value.decode(errors="replace"))}


@router.post("/dead-letters/replay")
async def replay(body: ReplayIn, runtime: RuntimeDep, actor: Admin) -> dict[str, Any]:
    """Handed to the service's consumer again as they first came; applied once (the inbox guards); recorded."""
    the_desk = desk(runtime)
    if body.ids is not None:
        ids = body.ids
    else:
        matching = await the_desk.letters(
            event_type=body.event_type, reason=body.reason, correlation_id=body.correlation_id
        )
        ids = [letter.id for letter, action in matching if action is None]
    try:
        replayed = await the_desk.replay(ids, actor=actor.username, reason=body.note)
    except TimeoutError as exc:  # the database stayed away: letters replayed before this one are recorded, not it
        raise ApiError(
            503, "replay_unavailable", f"the replay could not finish: {exc}", headers={"Retry-After": "30"}
        ) from exc
    return {"replayed": replayed}


@router.post("/dead-letters/discard")
async def discard(body: DiscardIn, runtime: RuntimeDep, actor: Admin) -> dict[str, Any]:
    await desk(runtime).discard(body.id, actor=actor.username, reason=body.reason)
    return {"discarded": body.id}


@router.get("/document-claims")
async def document_claims(runtime: RuntimeDep, _: Admin) -> dict[str, Any]:
    """The documents other agencies announced here and not fetched yet, each with its status and last error."""
    async with runtime.session_factory() as session:
        return await claims_status(session, runtime.tables, runtime.clock.now())


@router.get("/outbox")
async def outbox(runtime: RuntimeDep, _: Admin) -> dict[str, Any]:
    """Unpublished rows, the oldest's age, and the rows backing off with their last error."""
    return await outbox_status(runtime.session_factory, runtime.tables, runtime.clock.now())
