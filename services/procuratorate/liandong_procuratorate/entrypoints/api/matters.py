"""/matters: each matter (by the court lead's correlation id) with its timeline of hand-offs."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from liandong.api.deps import Page, PageDep, PublicModel, ShanghaiTime
from liandong.errors import Forbidden, NotFound
from liandong.units import can_see, visible_units
from liandong_procuratorate.entrypoints.api.deps import Staff, UowDep

router = APIRouter(prefix="/matters", tags=["matters"])


class MatterSummary(BaseModel):
    correlation_id: str
    jurisdiction: str
    first_at: ShanghaiTime
    last_at: ShanghaiTime
    entries: int


class TimelineEntryPublic(PublicModel):
    event_id: str
    event_type: str
    producer_agency: str
    producer_unit: str
    jurisdiction: str
    occurred_at: ShanghaiTime
    recorded_at: ShanghaiTime
    summary: str


class MatterPublic(BaseModel):
    correlation_id: str
    timeline: list[TimelineEntryPublic]


@router.get("", response_model=Page[MatterSummary])
async def list_matters(actor: Staff, uow: UowDep, page: PageDep) -> Page[MatterSummary]:
    async with uow:
        rows, total = await uow.timeline.matters(units=visible_units(actor.unit), limit=page.limit, offset=page.offset)
        return page.of(rows, total, lambda r: MatterSummary(**r))


@router.get("/{correlation_id}", response_model=MatterPublic)
async def show_matter(correlation_id: str, actor: Staff, uow: UowDep) -> MatterPublic:
    async with uow:
        entries = await uow.timeline.for_matter(correlation_id)
        if not entries:
            raise NotFound(f"no matter {correlation_id}")
        # the matter's own units (its referral's county), never whatever unit some entry names
        if not any(can_see(actor.unit, unit) for unit in await uow.timeline.matter_units(correlation_id)):
            raise Forbidden(f"matter {correlation_id} belongs to another unit")
        return MatterPublic(correlation_id=correlation_id, timeline=[TimelineEntryPublic.of(e) for e in entries])
