"""GET /matters/{correlation_id}/timeline: a matter as this agency knows it, in order — the events it sent (its own
acts), the events it received and applied (the others' acts), and every window of the matter, its own and the
others' (peer windows), with start, end and outcome. The court, which started the matter and hears from everyone,
shows the whole cross-agency picture; the police and the procuratorate show their part."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path
from pydantic import BaseModel
from sqlalchemy import select

from liandong.api.auth import CurrentPrincipal
from liandong.api.deps import RuntimeDep, ShanghaiTime
from liandong.contracts.base import ContractError, parse_payload
from liandong.contracts.summaries import summary
from liandong.envelope import Envelope
from liandong.errors import Forbidden, NotFound
from liandong.units import CITY_CODE, can_see

router = APIRouter(prefix="/matters", tags=["matters"])


class TimelineEvent(BaseModel):
    at: ShanghaiTime
    agency: str
    unit: str
    event_type: str
    summary: str
    source: str  # "own": this agency's act; "received": another agency's
    folded: list[str] = []  # events of the same act shown in this line (a filing's case opening in the register)


# events that record the register's side of an act reported by another event of the same producer at the same
# instant (a filing — on a referral or on a notice — opens the case): one line per act
SIDE_EVENTS = frozenset({"police.case.opened"})


def one_line_per_act(events: list[TimelineEvent]) -> list[TimelineEvent]:
    """Fold each side event into the act it belongs to (same producer, same instant); one left alone stays."""
    acts = {(e.agency, e.unit, e.at): e for e in events if e.event_type not in SIDE_EVENTS}
    lines = []
    for event in events:
        act = acts.get((event.agency, event.unit, event.at)) if event.event_type in SIDE_EVENTS else None
        if act is None:
            lines.append(event)
        else:
            act.folded.append(event.event_type)
    return lines


class TimelineWindow(BaseModel):
    deadline_id: str
    agency: str
    unit: str
    kind: str
    title: str
    subject_type: str
    subject_id: str
    state: str
    started_at: ShanghaiTime
    due_at: ShanghaiTime
    ended_at: ShanghaiTime | None
    days_used: float | None


class MatterTimeline(BaseModel):
    correlation_id: str
    events: list[TimelineEvent]
    windows: list[TimelineWindow]


def _event(raw: str, source: str) -> TimelineEvent | None:
    envelope = Envelope.model_validate_json(raw)
    if ".deadline." in envelope.event_type:
        return None  # windows are listed with their outcome below
    try:
        line = summary(parse_payload(envelope)) or envelope.event_type
    except ContractError:
        line = envelope.event_type
    return TimelineEvent(
        at=envelope.occurred_at,
        agency=envelope.producer.agency,
        unit=envelope.producer.unit,
        event_type=envelope.event_type,
        summary=line,
        source=source,
    )


def _days(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 86400, 3)


@router.get("/{correlation_id}/timeline", response_model=MatterTimeline)
async def matter_timeline(
    runtime: RuntimeDep, actor: CurrentPrincipal, correlation_id: str = Path(max_length=128)
) -> MatterTimeline:
    tables = runtime.tables
    async with runtime.uow() as uow:
        sent = (
            await uow.session.scalars(
                select(tables.outbox.c.envelope).where(tables.outbox.c.correlation_id == correlation_id)
            )
        ).all()
        received = (
            await uow.session.scalars(
                select(tables.inbox.c.envelope).where(
                    tables.inbox.c.correlation_id == correlation_id,
                    tables.inbox.c.outcome == "applied",
                    tables.inbox.c.envelope.is_not(None),
                )
            )
        ).all()
        own = await runtime.deadlines.of_correlation(uow, correlation_id)
        peers, _ = await runtime.deadlines.peer_windows(uow, units=None, correlation_id=correlation_id, limit=500)
        recorded: set[str] = set()
        for table, matter, unit in runtime.spec.matter_units:
            recorded |= set(await uow.session.scalars(select(table.c[unit]).where(table.c[matter] == correlation_id)))
    events = [e for e in (*(_event(r, "own") for r in sent), *(_event(r, "received") for r in received)) if e]
    windows = [
        TimelineWindow(
            deadline_id=d.id,
            agency=runtime.agency,
            unit=d.unit,
            kind=d.kind,
            title=d.title,
            subject_type=d.subject_type,
            subject_id=d.subject_id,
            state=d.state.value,
            started_at=d.period_started_at,
            due_at=d.due_at,
            ended_at=d.met_at or d.cancelled_at or d.breached_at,
            days_used=_days(d.period_started_at, d.met_at),
        )
        for d in own
    ] + [
        TimelineWindow(
            deadline_id=w.deadline_id,
            agency=w.agency,
            unit=w.unit,
            kind=w.kind,
            title=w.title,
            subject_type=w.subject_type,
            subject_id=w.subject_id,
            state=w.state,
            started_at=w.started_at,
            due_at=w.due_at,
            ended_at=w.met_at or w.cancelled_at or w.breached_at,
            days_used=w.days_used,
        )
        for w in peers
    ]
    if not events and not windows:
        raise NotFound(f"no matter {correlation_id}")
    # the matter's own units: of this service's records of it, its own acts and its own windows — not whoever
    # appears in an event received (a mis-tagged event must not open another county's matter)
    units = recorded | {e.unit for e in events if e.source == "own"} | {d.unit for d in own}
    if actor.unit != CITY_CODE and not any(can_see(actor.unit, unit) for unit in units):
        raise Forbidden(f"matter {correlation_id} is of another unit")
    events = one_line_per_act(sorted(events, key=lambda e: (e.at, e.event_type)))
    windows.sort(key=lambda w: (w.started_at, w.kind))
    return MatterTimeline(correlation_id=correlation_id, events=events, windows=windows)
