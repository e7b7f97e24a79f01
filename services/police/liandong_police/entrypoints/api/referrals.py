"""/referrals: the bureau's inbox of court referrals and their registration (受案登记)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from liandong.api.deps import Page, PageDep, RuntimeDep
from liandong.errors import Forbidden, NotFound
from liandong.units import can_see, visible_units
from liandong_police.domain.model import ReferralStatus
from liandong_police.entrypoints.api.deps import Investigator, Staff, UowDep
from liandong_police.entrypoints.api.schemas import ReferralPublic
from liandong_police.service_layer import commands, handlers

router = APIRouter(prefix="/referrals", tags=["referrals"])


@router.get("", response_model=Page[ReferralPublic])
async def inbox(
    actor: Staff, uow: UowDep, page: PageDep, status: Annotated[ReferralStatus | None, Query()] = None
) -> Page[ReferralPublic]:
    async with uow:
        items, total = await uow.referrals.search(
            units=visible_units(actor.unit), status=status, limit=page.limit, offset=page.offset
        )
        return Page(
            items=[ReferralPublic.of(r, masked=True) for r in items], total=total, limit=page.limit, offset=page.offset
        )


@router.get("/{referral_id}", response_model=ReferralPublic)
async def show_referral(referral_id: str, actor: Staff, uow: UowDep) -> ReferralPublic:
    async with uow:
        referral = await uow.referrals.get(referral_id)
        if referral is None:
            raise NotFound(f"no referral {referral_id}")
        if not can_see(actor.unit, referral.police_unit):
            raise Forbidden(f"referral {referral_id} is for another bureau")
        return ReferralPublic.of(referral)


@router.post("/{referral_id}/registration", response_model=ReferralPublic)
async def register(referral_id: str, actor: Investigator, uow: UowDep, runtime: RuntimeDep) -> ReferralPublic:
    """受案登记: register the referral; the receipt goes back to the court."""
    referral = await handlers.register_referral(
        commands.RegisterReferral(actor=actor, referral_id=referral_id), uow, runtime.clock
    )
    return ReferralPublic.of(referral)
