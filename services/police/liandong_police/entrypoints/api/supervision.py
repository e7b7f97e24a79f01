"""/supervision-notices: the procuratorate's 立案监督 notices to the bureau — a demand for the reasons of a non-filing
(answer within 7 days), a notice to file (within 15 days; a co-offender's case is a new case in the matter), and the
corrections and reminders that follow. A notice to answer stays open until answered."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from liandong.api.deadlines import Windowed
from liandong.api.deps import Page, PageDep, RuntimeDep, ShanghaiTime, StrictModel, unit_of_work_of
from liandong.sla.kinds import NOTICE_SUBJECT
from liandong.units import visible_units
from liandong_police.domain.supervision import NoticeKind, NoticeStatus
from liandong_police.entrypoints.api.deps import Answerer, BureauHead, Staff, UowDep
from liandong_police.service_layer import commands
from liandong_police.service_layer import supervision_handlers as handlers
from liandong_police.service_layer.supervision_handlers import load_notice
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork

router = APIRouter(prefix="/supervision-notices", tags=["supervision"])


class NoticePublic(Windowed):
    id: str
    supervision_id: str
    correlation_id: str
    police_unit: str
    referral_id: str | None
    kind: NoticeKind
    document_number: str
    content: str
    co_offender: dict[str, Any] | None
    concerns_notice_id: str | None
    case_id: str | None
    issued_at: ShanghaiTime
    issued_by: str
    received_at: ShanghaiTime
    status: NoticeStatus
    explanation: str | None
    answered_at: ShanghaiTime | None
    answered_by: str | None


class ExplanationIn(StrictModel):
    explanation: str = Field(min_length=1, max_length=10000, description="不立案的情况、依据和理由")


class FilingIn(StrictModel):
    case_number: str | None = Field(default=None, max_length=64, description="the bureau's 立案 number, if it has one")


async def _shown(runtime: RuntimeDep, notice_id: str, actor: Staff) -> NoticePublic:
    async with unit_of_work_of(PoliceUnitOfWork)(runtime) as uow:
        notice = await load_notice(uow, notice_id, actor, for_update=False)
        windows = await runtime.deadlines.of_subjects(
            uow, [(NOTICE_SUBJECT, notice.id)], units=visible_units(actor.unit)
        )
        return NoticePublic.of(notice, windows)


@router.get("", response_model=Page[NoticePublic])
async def inbox(
    actor: Staff, uow: UowDep, page: PageDep, status: Annotated[NoticeStatus | None, Query()] = None
) -> Page[NoticePublic]:
    async with uow:
        items, total = await uow.notices.search(
            units=visible_units(actor.unit), status=status, limit=page.limit, offset=page.offset
        )
        return page.of(items, total, NoticePublic.of)


@router.get("/{notice_id}", response_model=NoticePublic)
async def show(notice_id: str, actor: Staff, runtime: RuntimeDep) -> NoticePublic:
    return await _shown(runtime, notice_id, actor)


@router.post("/{notice_id}/explanation", response_model=NoticePublic)
async def give_explanation(
    notice_id: str, body: ExplanationIn, actor: Answerer, uow: UowDep, runtime: RuntimeDep
) -> NoticePublic:
    """不立案理由说明书: answers a demand — by an investigator, a supervisor or the bureau head who approved the
    decline; goes to the procuratorate."""
    await handlers.give_explanation(
        commands.GiveExplanation(actor=actor, notice_id=notice_id, explanation=body.explanation), uow
    )
    return await _shown(runtime, notice_id, actor)


@router.post("/{notice_id}/filing", response_model=NoticePublic)
async def file_as_notified(
    notice_id: str, body: FilingIn, actor: BureauHead, uow: UowDep, runtime: RuntimeDep
) -> NoticePublic:
    """立案 as notified, approved by a head: the referral's case, or the co-offender's new case in the matter; a copy
    of the filing decision goes to the procuratorate (and the court follows the new case)."""
    await handlers.file_as_notified(
        commands.FileAsNotified(actor=actor, notice_id=notice_id, case_number=body.case_number), uow
    )
    return await _shown(runtime, notice_id, actor)
