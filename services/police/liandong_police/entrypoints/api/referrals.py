"""/referrals: the bureau's inbox of court referrals: registration (受案登记), evidence, the filing decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from liandong.api.deps import ApprovalIn, Page, PageDep, RuntimeDep, unit_of_work_of
from liandong.errors import Conflict, DomainError, Forbidden, NotFound
from liandong.units import can_see, visible_units
from liandong_police.domain.model import ReferralStatus
from liandong_police.entrypoints.api.deps import BureauHead, Investigator, Staff, Supervisor, UowDep
from liandong_police.entrypoints.api.schemas import DecisionIn, ExtensionIn, ReferralPublic, ServeIn
from liandong_police.service_layer import commands, handlers
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork

router = APIRouter(prefix="/referrals", tags=["referrals"])


async def _shown(uow: PoliceUnitOfWork, referral_id: str, actor_unit: str) -> ReferralPublic:
    referral = await uow.referrals.get(referral_id)
    if referral is None:
        raise NotFound(f"no referral {referral_id}")
    if not can_see(actor_unit, referral.police_unit):
        raise Forbidden(f"referral {referral_id} is for another bureau")
    return ReferralPublic.of(referral, items=list(await uow.evidence.for_referral(referral_id)))


async def _reload(runtime: RuntimeDep, referral_id: str, actor_unit: str) -> ReferralPublic:
    async with unit_of_work_of(PoliceUnitOfWork)(runtime) as uow:
        return await _shown(uow, referral_id, actor_unit)


@router.get("", response_model=Page[ReferralPublic])
async def inbox(
    actor: Staff, uow: UowDep, page: PageDep, status: Annotated[ReferralStatus | None, Query()] = None
) -> Page[ReferralPublic]:
    async with uow:
        items, total = await uow.referrals.search(
            units=visible_units(actor.unit), status=status, limit=page.limit, offset=page.offset
        )
        return page.of(items, total, lambda r: ReferralPublic.of(r, masked=True))


@router.get("/{referral_id}", response_model=ReferralPublic)
async def show_referral(referral_id: str, actor: Staff, uow: UowDep) -> ReferralPublic:
    async with uow:
        return await _shown(uow, referral_id, actor.unit)


@router.get("/{referral_id}/evidence/{sha256}", response_class=Response)
async def evidence_content(
    referral_id: str, sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")], actor: Staff, uow: UowDep
) -> Response:
    """A file fetched from the court and verified against its digest."""
    async with uow:
        await _shown(uow, referral_id, actor.unit)
        row = await uow.evidence.content(referral_id, sha256)
        if row is None:
            raise NotFound(f"referral {referral_id} cites no file {sha256}")
        if row.status != "fetched" or row.content is None:
            raise Conflict(f"the file is not verified yet ({row.status})", code="evidence_not_fetched")
        return Response(
            content=row.content,
            media_type=row.content_type,
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{sha256}", "X-Content-SHA256": sha256},
        )


@router.post("/{referral_id}/registration", response_model=ReferralPublic)
async def register(referral_id: str, actor: Investigator, uow: UowDep, runtime: RuntimeDep) -> ReferralPublic:
    """受案登记: register the referral; the receipt goes back to the court; the 7-day filing window starts."""
    await handlers.register_referral(commands.RegisterReferral(actor=actor, referral_id=referral_id), uow)
    return await _reload(runtime, referral_id, actor.unit)


@router.post("/{referral_id}/decision", response_model=ReferralPublic)
async def propose(
    referral_id: str, body: DecisionIn, actor: Investigator, uow: UowDep, runtime: RuntimeDep
) -> ReferralPublic:
    """呈请立案 (file, with the case number and suspects) or 呈请不予立案 (decline, with reasons): a proposal that a
    bureau head approves (`/decision/approval`); the decision takes effect, and is dated, at the approval."""
    if body.decision == "decline" and (body.case_number or body.suspects):
        raise DomainError("a decline names no case number or suspects", code="decision_shape")
    await handlers.propose_decision(
        commands.ProposeDecision(
            actor=actor,
            referral_id=referral_id,
            decision=body.decision,
            case_number=body.case_number,
            suspect_names=body.suspects,
            reasons=body.reasons,
        ),
        uow,
    )
    return await _reload(runtime, referral_id, actor.unit)


@router.post("/{referral_id}/decision/approval", response_model=ReferralPublic)
async def approve(
    referral_id: str, body: ApprovalIn, actor: BureauHead, uow: UowDep, runtime: RuntimeDep
) -> ReferralPublic:
    """经县级以上公安机关负责人批准: the head approves the proposal (立案 or 不予立案 takes effect now) or sends it back
    with a note."""
    await handlers.approve_decision(
        commands.ApproveDecision(actor=actor, referral_id=referral_id, approve=body.approve, note=body.note), uow
    )
    return await _reload(runtime, referral_id, actor.unit)


@router.post("/{referral_id}/non-filing-notice", response_model=ReferralPublic)
async def serve_notice(
    referral_id: str, body: ServeIn, actor: Investigator, uow: UowDep, runtime: RuntimeDep
) -> ReferralPublic:
    """不予立案通知书 served on the court (within 7 days of the decision)."""
    await handlers.serve_decline(
        commands.ServeDecline(actor=actor, referral_id=referral_id, served_at=body.served_at), uow
    )
    return await _reload(runtime, referral_id, actor.unit)


@router.post("/{referral_id}/extension", response_model=ReferralPublic)
async def extend(
    referral_id: str, body: ExtensionIn, actor: Supervisor, uow: UowDep, runtime: RuntimeDep
) -> ReferralPublic:
    """重大、复杂: the supervisor extends the filing window to 30 days; the court's mirror follows."""
    await handlers.extend_filing_window(
        commands.ExtendFilingWindow(actor=actor, referral_id=referral_id, reason=body.reason), uow
    )
    return await _reload(runtime, referral_id, actor.unit)
