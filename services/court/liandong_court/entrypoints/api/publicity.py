"""/publicity and /leads/{id}/typical-case: the court's publicity of the campaign and its typical cases (both count in
its report)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import Field

from liandong.api.bounds import LegalDate
from liandong.api.deps import Page, PageDep, PublicModel, ShanghaiTime, StrictModel
from liandong.units import visible_units
from liandong_court.domain.publicity import Channel
from liandong_court.entrypoints.api.deps import Officer, Staff, UowDep
from liandong_court.service_layer import commands, handlers

router = APIRouter(tags=["publicity"])


class PublicityIn(StrictModel):
    channel: Channel
    published_on: LegalDate
    title: str = Field(min_length=1, max_length=300)
    link: str | None = Field(default=None, max_length=1000, pattern=r"^https?://")
    lead_id: str | None = Field(default=None, max_length=36, description="the matter it reports, if one")
    unit: str | None = Field(default=None, max_length=16, description="defaults to your unit")


class PublicityPublic(PublicModel):
    id: str
    unit: str
    channel: Channel
    published_on: LegalDate
    title: str
    link: str | None
    lead_id: str | None
    recorded_at: ShanghaiTime
    recorded_by: str


class TypicalIn(StrictModel):
    summary: str = Field(min_length=1, max_length=10000)


class TypicalPublic(PublicModel):
    lead_id: str
    unit: str
    summary: str
    marked_on: LegalDate
    marked_by: str


@router.post("/publicity", response_model=PublicityPublic, status_code=status.HTTP_201_CREATED)
async def record_publicity(body: PublicityIn, actor: Officer, uow: UowDep) -> PublicityPublic:
    """A piece of publicity: channel (TV, newspaper, Weibo, WeChat, Douyin, website), date, title, link."""
    piece = await handlers.record_publicity(
        commands.RecordPublicity(
            actor=actor,
            unit=body.unit or actor.unit,
            channel=body.channel.value,
            published_on=body.published_on,
            title=body.title,
            link=body.link,
            lead_id=body.lead_id,
        ),
        uow,
    )
    return PublicityPublic.of(piece)


@router.get("/publicity", response_model=Page[PublicityPublic])
async def list_publicity(
    actor: Staff, uow: UowDep, page: PageDep, channel: Annotated[Channel | None, Query()] = None
) -> Page[PublicityPublic]:
    async with uow:
        items, total = await uow.publicity.search(
            units=visible_units(actor.unit), channel=channel, limit=page.limit, offset=page.offset
        )
        return page.of(items, total, PublicityPublic.of)


@router.post("/leads/{lead_id}/typical-case", response_model=TypicalPublic, status_code=status.HTTP_201_CREATED)
async def mark_typical(lead_id: str, body: TypicalIn, actor: Officer, uow: UowDep) -> TypicalPublic:
    """Mark the matter as a typical case (典型案例), with its summary."""
    typical = await handlers.mark_typical_case(
        commands.MarkTypicalCase(actor=actor, lead_id=lead_id, summary=body.summary), uow
    )
    return TypicalPublic.of(typical)


@router.get("/typical-cases", response_model=Page[TypicalPublic])
async def list_typical(actor: Staff, uow: UowDep, page: PageDep) -> Page[TypicalPublic]:
    async with uow:
        items, total = await uow.typical_cases.search(
            units=visible_units(actor.unit), limit=page.limit, offset=page.offset
        )
        return page.of(items, total, TypicalPublic.of)
