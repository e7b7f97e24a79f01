"""/leads: the lead database (拒执案件动态库) and referring a lead to the police."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from liandong.api.deps import Page, PageDep, RuntimeDep
from liandong.errors import Forbidden, NotFound
from liandong.units import can_see, visible_units
from liandong_court.domain.model import LeadStatus
from liandong_court.entrypoints.api.deps import Officer, Staff, UowDep
from liandong_court.entrypoints.api.schemas import LeadCreate, LeadPublic, ReferralPublic
from liandong_court.service_layer import commands, handlers

router = APIRouter(prefix="/leads", tags=["leads"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=LeadPublic)
async def create_lead(body: LeadCreate, actor: Officer, uow: UowDep, runtime: RuntimeDep) -> LeadPublic:
    lead = await handlers.create_lead(
        commands.CreateLead(
            actor=actor,
            unit=body.unit or actor.unit,
            enforcement_case_number=body.enforcement_case_number,
            source=body.source,
            suspects=[s.model_dump(mode="json") for s in body.suspects],
            amount_owed=body.amount_owed,
            amount_paid=body.amount_paid,
            summary=body.summary,
        ),
        uow,
        runtime.clock,
    )
    return LeadPublic.of(lead)


@router.get("", response_model=Page[LeadPublic])
async def list_leads(
    actor: Staff, uow: UowDep, page: PageDep, status: Annotated[LeadStatus | None, Query()] = None
) -> Page[LeadPublic]:
    async with uow:
        items, total = await uow.leads.search(
            units=visible_units(actor.unit), status=status, limit=page.limit, offset=page.offset
        )
        return Page(
            items=[LeadPublic.of(i, masked=True) for i in items], total=total, limit=page.limit, offset=page.offset
        )


@router.get("/{lead_id}", response_model=LeadPublic)
async def show_lead(lead_id: str, actor: Staff, uow: UowDep) -> LeadPublic:
    async with uow:
        lead = await uow.leads.get(lead_id)
        if lead is None:
            raise NotFound(f"no lead {lead_id}")
        if not can_see(actor.unit, lead.unit):
            raise Forbidden(f"lead {lead_id} belongs to another unit")
        return LeadPublic.of(lead, list(await uow.referrals.for_lead(lead_id)))


@router.post("/{lead_id}/referral", status_code=status.HTTP_201_CREATED, response_model=ReferralPublic)
async def refer_lead(lead_id: str, actor: Officer, uow: UowDep, runtime: RuntimeDep) -> ReferralPublic:
    """Refer the lead to the police of the court's county (案件移送)."""
    referral = await handlers.refer_lead(commands.ReferLead(actor=actor, lead_id=lead_id), uow, runtime.clock)
    return ReferralPublic.of(referral)
