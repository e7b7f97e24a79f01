"""The tracker's tick: fire every warning and breach that is due, each exactly once however many replicas tick.

Due rows are claimed with `FOR UPDATE SKIP LOCKED`; each fired stage is recorded under the primary key
`(deadline, period, stage)` with its event in the outbox, in the claiming transaction. When several stages of one
deadline are overdue together (the service was down), only the latest fires, marked late if it is more than
`late_after` overdue.
"""

from __future__ import annotations

from collections import Counter as Counted
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from prometheus_client import Counter

from liandong.clock import Clock
from liandong.contracts.deadlines import APPROACHING, BREACHED, DeadlineFacts
from liandong.deadlines.events import emit, facts
from liandong.deadlines.store import DeadlineStore
from liandong.envelope import Agency
from liandong.persistence.uow import SqlUnitOfWork
from liandong.sla.kinds import CATALOGUE
from liandong.sla.rules import BREACH_STAGE, DeadlineState, overdue_stages, stages_for


class Firing(Protocol):
    """What firing needs of the engine."""

    agency: Agency
    store: DeadlineStore
    clock: Clock
    late_after: timedelta
    batch_size: int


FIRINGS = Counter(
    "liandong_deadline_firings_total",
    "Deadline stages fired, by stage (warning, breach) and kind",
    ["agency", "stage", "kind"],
)


def count_firings_from_zero(agency: str) -> None:
    """Every (stage, kind) series of the agency's windows exists at 0 from the start, so an alert on `increase()`
    sees the first breach of a kind."""
    for kind in CATALOGUE.values():
        if kind.owner == agency:
            for stage in ("warning", "breach"):
                FIRINGS.labels(agency, stage, kind.name)


async def fire_due(engine: Firing, uow_factory: Callable[[], SqlUnitOfWork]) -> int:
    """Fire every stage that is due now, a batch per transaction. Returns how many fired."""
    fired = 0
    while True:
        async with uow_factory() as uow:
            claimed, stages = await _fire_batch(engine, uow)
            await uow.commit()
        for (stage, kind), count in Counted(stages).items():  # counted once committed
            FIRINGS.labels(engine.agency, stage, kind).inc(count)
        fired += len(stages)
        if claimed < engine.batch_size:
            return fired


async def _fire_batch(engine: Firing, uow: SqlUnitOfWork) -> tuple[int, list[tuple[str, str]]]:
    now = engine.clock.now()
    rows = await engine.store.claim_due(uow.session, now, engine.batch_size)
    stage_rows: list[dict[str, Any]] = []
    fired: list[tuple[str, str]] = []  # (warning | breach, kind) of each stage fired
    history_rows: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in rows:
        stages = stages_for(row.due_at, row.period_started_at, row.warnings_hours)
        overdue = overdue_stages(stages, row.stage_index, now)
        index = row.stage_index + len(overdue)
        update_row = {
            "b_id": row.id,
            "b_stage_index": index,
            "b_next_fire_at": stages[index].at if index < len(stages) else None,
            "b_state": DeadlineState.RUNNING.value,
            "b_breached_at": None,
            "b_updated_at": now,
        }
        updates.append(update_row)
        if not overdue:
            continue
        stage = overdue[-1]
        late = now - stage.at > engine.late_after
        payload: DeadlineFacts
        if stage.name == BREACH_STAGE:
            update_row["b_state"] = DeadlineState.BREACHED.value
            update_row["b_breached_at"] = stage.at
            payload = BREACHED[engine.agency](**facts(row), fired_at=now, late=late)
        else:
            hours_left = round((row.due_at - now).total_seconds() / 3600, 2)
            payload = APPROACHING[engine.agency](
                **facts(row), stage=stage.name, hours_left=hours_left, fired_at=now, late=late
            )
        event_id = str(emit(uow, engine.agency, row, payload, now).event_id)
        fired.append(("breach" if stage.name == BREACH_STAGE else "warning", row.kind))
        stage_rows.append(
            {
                "deadline_id": row.id,
                "generation": row.generation,
                "stage": stage.name,
                "scheduled_at": stage.at,
                "fired_at": now,
                "late": late,
                "event_id": event_id,
            }
        )
        history_rows.append(
            {
                "deadline_id": row.id,
                "at": now,
                "action": stage.name,
                "actor": None,
                "detail": {"late": late, "skipped": [s.name for s in overdue[:-1]], "event_id": event_id},
            }
        )
    await engine.store.record_fired(uow.session, stage_rows, history_rows, updates)
    return len(rows), fired
