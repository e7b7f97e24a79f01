"""/deadlines: every service's view of its SLA windows, the calculator, and the other agencies' breaches.

Times are stored in UTC and shown in Asia/Shanghai.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from liandong.api.auth import CurrentPrincipal, spec_roles
from liandong.api.bounds import LegalTime, within_years
from liandong.api.deps import Page, PageDep, PublicModel, RuntimeDep, ShanghaiTime, StrictModel
from liandong.errors import DomainError, Forbidden
from liandong.persistence.uow import SqlUnitOfWork
from liandong.runtime import Runtime
from liandong.security import Principal
from liandong.sla.kinds import CATALOGUE
from liandong.sla.rules import DeadlineState
from liandong.units import can_see, is_known_unit, visible_units

StateFilter = Literal["running", "at_risk", "breached", "met", "cancelled"]


class KindPublic(BaseModel):
    name: str
    owner: str
    title: str
    window: int
    unit: str
    custody: bool
    max_window: int | None
    max_extra_days: int
    extension_rule: str | None
    restartable: bool
    max_restarts: int
    warnings_hours: list[int]
    configurable: bool
    legal_basis: str


class SkippedDayPublic(BaseModel):
    day: str
    reason: str


class PreviewPublic(BaseModel):
    kind: str
    title: str
    start: ShanghaiTime
    due: ShanghaiTime
    last_day: str
    nominal_last_day: str
    rolled_forward: bool
    custody: bool
    skipped: list[SkippedDayPublic]
    calendar: str
    rule: str
    legal_basis: str


class DeadlinePublic(PublicModel):
    id: str
    kind: str
    title: str
    legal_basis: str
    unit: str
    subject_type: str
    subject_id: str
    correlation_id: str
    state: str
    custody: bool
    window: int
    window_unit: str
    extra_days: int
    period_started_at: ShanghaiTime
    due_at: ShanghaiTime
    rolled_forward: bool
    next_fire_at: ShanghaiTime | None
    extensions: int
    restarts: int
    met_at: ShanghaiTime | None
    breached_at: ShanghaiTime | None
    cancelled_at: ShanghaiTime | None


class Windowed(BaseModel):
    """A record shown with its windows, in every state (what a case, a review or a trial shows its staff)."""

    windows: list[DeadlinePublic] = []

    @classmethod
    def of(cls, source: Any, windows: Sequence[Any] | None = None, **shown: Any) -> Self:
        """The record's fields read from `source`, except those given in `shown` (e.g. masked values)."""
        values = {name: getattr(source, name) for name in cls.model_fields if name != "windows" and name not in shown}
        return cls(**values, **shown, windows=[DeadlinePublic.of(w) for w in windows or []])


class HistoryEntry(BaseModel):
    at: ShanghaiTime
    action: str
    actor: str | None
    detail: dict[str, Any]


class DeadlineDetail(DeadlinePublic):
    history: list[HistoryEntry]


class ReceivedBreachPublic(PublicModel):
    event_id: str
    agency: str
    unit: str
    deadline_id: str
    kind: str
    title: str
    legal_basis: str
    subject_type: str
    subject_id: str
    correlation_id: str
    due_at: ShanghaiTime
    fired_at: ShanghaiTime
    late: bool
    received_at: ShanghaiTime


class PeerWindowPublic(PublicModel):
    """Another agency's window of one of your matters, as its events told it."""

    deadline_id: str
    agency: str
    unit: str
    kind: str
    title: str
    subject_type: str
    subject_id: str
    correlation_id: str
    state: str
    started_at: ShanghaiTime
    due_at: ShanghaiTime
    met_at: ShanghaiTime | None
    days_used: float | None
    on_time: bool | None
    breached_at: ShanghaiTime | None
    cancelled_at: ShanghaiTime | None
    note: str | None
    updated_at: ShanghaiTime


class DeadlineStart(StrictModel):
    kind: str = Field(min_length=1, max_length=64)
    subject_type: str = Field(min_length=1, max_length=64)
    subject_id: str = Field(min_length=1, max_length=128)
    correlation_id: str | None = Field(default=None, max_length=128, description="defaults to subject_id")
    unit: str | None = Field(default=None, description="defaults to your unit")
    start: LegalTime = Field(description="with a time zone, e.g. 2025-09-26T10:00:00+08:00")
    custody: bool | None = Field(
        default=None, description="the person is held: the window never extends past a holiday (default: the kind's)"
    )


class DeadlineMeet(StrictModel):
    at: LegalTime | None = Field(default=None, description="defaults to now")


class DeadlineExtend(StrictModel):
    approver: str = Field(max_length=64, description="who approved the extension")
    reason: str = Field(max_length=2000)
    window: int | None = Field(default=None, ge=1, le=366, description="the new window, in the kind's unit")
    extra_days: int | None = Field(default=None, ge=1, le=366, description="days added on top of the window")


class DeadlineRestart(StrictModel):
    at: LegalTime
    reason: str = Field(max_length=2000)


class DeadlineCancel(StrictModel):
    reason: str = Field(max_length=2000)


def parse_start(value: str) -> datetime:
    """A query-string instant; a '+' that arrived as a space (unencoded) is put back."""
    try:
        return within_years(datetime.fromisoformat(value.strip().replace(" ", "+")))
    except ValueError as exc:
        raise DomainError(
            f"{value!r} is not an ISO 8601 time between 1990 and 2100 such as 2025-09-26T10:00+08:00",
            code="invalid_time",
        ) from exc


# staff who may start, meet, extend, restart or cancel a window by hand: the service's supervising roles
Manager = Annotated[
    Principal, Depends(spec_roles(lambda spec: spec.deadline_roles, "managing deadlines needs one of the roles"))
]


router = APIRouter(prefix="/deadlines", tags=["deadlines"])


@router.get("/kinds", response_model=list[KindPublic])
async def kinds(_: CurrentPrincipal) -> list[KindPublic]:
    return [
        KindPublic(**{**k.__dict__, "unit": k.unit.value, "warnings_hours": list(k.warnings_hours)})
        for k in CATALOGUE.values()
    ]


@router.get("/preview", response_model=PreviewPublic)
async def preview(
    runtime: RuntimeDep,
    _: CurrentPrincipal,
    kind: Annotated[str, Query()],
    start: Annotated[str, Query()],
    custody: Annotated[
        bool | None,
        Query(description="the person is held (a custody period never extends past a holiday); default: the kind's"),
    ] = None,
) -> PreviewPublic:
    """The calculator: when would this window end if it started then, and why."""
    spec, due = runtime.deadlines.preview(kind, parse_start(start), custody)
    return PreviewPublic(
        kind=spec.name,
        title=spec.title,
        start=due.start,
        due=due.due,
        last_day=due.last_day.isoformat(),
        nominal_last_day=due.nominal_last_day.isoformat(),
        rolled_forward=due.rolled_forward,
        custody=due.custody,
        skipped=[SkippedDayPublic(day=s.day.isoformat(), reason=s.reason) for s in due.skipped],
        calendar=due.calendar_source.value,
        rule=due.rule(),
        legal_basis=due.legal_basis,
    )


@router.get("/received-breaches", response_model=Page[ReceivedBreachPublic])
async def received(runtime: RuntimeDep, actor: CurrentPrincipal, page: PageDep) -> Page[ReceivedBreachPublic]:
    """The other agencies' breaches in your units."""
    async with runtime.uow() as uow:
        rows, total = await runtime.deadlines.received_breaches(
            uow, units=visible_units(actor.unit), limit=page.limit, offset=page.offset
        )
    return page.of(rows, total, ReceivedBreachPublic.of)


@router.get("/peer-windows", response_model=Page[PeerWindowPublic])
async def peer_windows(
    runtime: RuntimeDep,
    actor: CurrentPrincipal,
    page: PageDep,
    correlation_id: Annotated[str | None, Query(max_length=128)] = None,
    state: Annotated[DeadlineState | None, Query()] = None,
) -> Page[PeerWindowPublic]:
    """The other agencies' windows of the matters of your units (of one matter, by correlation id), in the order
    they started: running, met (with the days used), breached or cancelled."""
    async with runtime.uow() as uow:
        rows, total = await runtime.deadlines.peer_windows(
            uow,
            units=visible_units(actor.unit),
            correlation_id=correlation_id,
            state=None if state is None else state.value,
            limit=page.limit,
            offset=page.offset,
        )
    return page.of(rows, total, PeerWindowPublic.of)


@router.get("", response_model=Page[DeadlinePublic])
async def list_deadlines(
    runtime: RuntimeDep,
    actor: CurrentPrincipal,
    page: PageDep,
    state: Annotated[StateFilter | None, Query()] = None,
    kind: Annotated[str | None, Query()] = None,
    unit: Annotated[str | None, Query()] = None,
    subject_type: Annotated[str | None, Query()] = None,
    subject_id: Annotated[str | None, Query()] = None,
) -> Page[DeadlinePublic]:
    units = visible_units(actor.unit)
    if unit is not None:
        if unit not in units:
            raise Forbidden(f"your unit {actor.unit} cannot see unit {unit}")
        units = frozenset({unit})
    async with runtime.uow() as uow:
        rows, total = await runtime.deadlines.search(
            uow,
            units=units,
            state=state,
            kind_name=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            limit=page.limit,
            offset=page.offset,
        )
    return page.of(rows, total, DeadlinePublic.of)


@router.get("/{deadline_id}", response_model=DeadlineDetail)
async def show(deadline_id: str, runtime: RuntimeDep, actor: CurrentPrincipal) -> DeadlineDetail:
    async with runtime.uow() as uow:
        row = await runtime.deadlines.get(uow, deadline_id)
        _check_unit(actor, row.unit)
        history = await runtime.deadlines.history(uow, deadline_id)
    return DeadlineDetail(
        **DeadlinePublic.of(row).model_dump(),
        history=[HistoryEntry(at=h.at, action=h.action, actor=h.actor, detail=h.detail) for h in history],
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DeadlineDetail)
async def start(body: DeadlineStart, runtime: RuntimeDep, actor: Manager) -> DeadlineDetail:
    unit = body.unit or actor.unit
    if not is_known_unit(unit):
        raise DomainError(f"unknown unit {unit}", code="unknown_unit")
    _check_unit(actor, unit)
    async with runtime.uow() as uow:
        deadline_id = await runtime.deadlines.start(
            uow,
            kind_name=body.kind,
            subject_type=body.subject_type,
            subject_id=body.subject_id,
            correlation_id=body.correlation_id or body.subject_id,
            unit=unit,
            started_at=body.start,
            actor=actor.username,
            custody=body.custody,
        )
        await uow.commit()
    return await show(deadline_id, runtime, actor)


async def _act(
    runtime: Runtime, actor: Principal, deadline_id: str, action: Callable[[SqlUnitOfWork], Awaitable[object]]
) -> DeadlineDetail:
    """Load the deadline, check the actor's unit, act in one unit of work, and show the result."""
    async with runtime.uow() as uow:
        row = await runtime.deadlines.get(uow, deadline_id)
        _check_unit(actor, row.unit)
        await action(uow)
        await uow.commit()
    return await show(deadline_id, runtime, actor)


@router.post("/{deadline_id}/meeting", response_model=DeadlineDetail)
async def meet(deadline_id: str, body: DeadlineMeet, runtime: RuntimeDep, actor: Manager) -> DeadlineDetail:
    at = body.at or runtime.clock.now()
    return await _act(
        runtime,
        actor,
        deadline_id,
        lambda uow: runtime.deadlines.meet(uow, deadline_id, at=at, actor=actor.username),
    )


@router.post("/{deadline_id}/extension", response_model=DeadlineDetail)
async def extend(deadline_id: str, body: DeadlineExtend, runtime: RuntimeDep, actor: Manager) -> DeadlineDetail:
    return await _act(
        runtime,
        actor,
        deadline_id,
        lambda uow: runtime.deadlines.extend(
            uow,
            deadline_id,
            approver=body.approver,
            reason=body.reason,
            window=body.window,
            extra_days=body.extra_days,
            actor=actor.username,
        ),
    )


@router.post("/{deadline_id}/restart", response_model=DeadlineDetail)
async def restart(deadline_id: str, body: DeadlineRestart, runtime: RuntimeDep, actor: Manager) -> DeadlineDetail:
    at = body.at
    return await _act(
        runtime,
        actor,
        deadline_id,
        lambda uow: runtime.deadlines.restart(uow, deadline_id, at=at, reason=body.reason, actor=actor.username),
    )


@router.post("/{deadline_id}/cancellation", response_model=DeadlineDetail)
async def cancel(deadline_id: str, body: DeadlineCancel, runtime: RuntimeDep, actor: Manager) -> DeadlineDetail:
    return await _act(
        runtime,
        actor,
        deadline_id,
        lambda uow: runtime.deadlines.cancel(uow, deadline_id, reason=body.reason, actor=actor.username),
    )


def _check_unit(actor: Principal, unit: str) -> None:
    if not can_see(actor.unit, unit):
        raise Forbidden(f"this deadline belongs to unit {unit}")
