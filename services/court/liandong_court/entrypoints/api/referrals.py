"""/referrals: the court following its referrals and the police's answers; withdrawal before a decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from liandong.api.deps import Page, PageDep, RuntimeDep
from liandong.errors import Forbidden, NotFound
from liandong.units import can_see, visible_units
from liandong_court.domain.referrals import ReferralStatus
from liandong_court.entrypoints.api.deps import Officer, Staff, UowDep
from liandong_court.entrypoints.api.schemas import ReferralPublic, SupervisionRequestIn, WithdrawalIn
from liandong_court.service_layer import commands, handlers

router = APIRouter(prefix="/referrals", tags=["referrals"])


@router.get("", response_model=Page[ReferralPublic])
async def list_referrals(
    actor: Staff, uow: UowDep, page: PageDep, status: Annotated[ReferralStatus | None, Query()] = None
) -> Page[ReferralPublic]:
    async with uow:
        items, total = await uow.referrals.search(
            units=visible_units(actor.unit), status=status, limit=page.limit, offset=page.offset
        )
        return page.of(items, total, ReferralPublic.of)


@router.get("/{referral_id}", response_model=ReferralPublic)
async def show_referral(referral_id: str, actor: Staff, uow: UowDep) -> ReferralPublic:
    async with uow:
        referral = await uow.referrals.get(referral_id)
        if referral is None:
            raise NotFound(f"no referral {referral_id}")
        if not can_see(actor.unit, referral.court_unit):
            raise Forbidden(f"referral {referral_id} belongs to another unit")
        return ReferralPublic.of(referral)


@router.post("/{referral_id}/withdrawal", response_model=ReferralPublic)
async def withdraw(
    referral_id: str, body: WithdrawalIn, actor: Officer, uow: UowDep, runtime: RuntimeDep
) -> ReferralPublic:
    """Take the referral back before the police decide (e.g. the debtor performed)."""
    referral = await handlers.withdraw_referral(
        commands.WithdrawReferral(actor=actor, referral_id=referral_id, reason=body.reason), uow
    )
    return ReferralPublic.of(referral)


@router.post("/{referral_id}/supervision-request", response_model=ReferralPublic)
async def request_supervision(
    referral_id: str, body: SupervisionRequestIn, actor: Officer, uow: UowDep
) -> ReferralPublic:
    """提请立案监督: after a decline, or a silence past the police's filing window, the procuratorate is asked to
    supervise; the request carries the referral, the decline's reasons and the evidence manifest."""
    referral = await handlers.request_supervision(
        commands.RequestSupervision(actor=actor, referral_id=referral_id, reasons=body.reasons), uow
    )
    return ReferralPublic.of(referral)
