"""/prosecution-reviews: 审查起诉 — cases transferred by the police, each with its review window; the fast track,
the extension, 退回补充侦查 (at most twice), 不起诉 (with its ground) and 起诉 (with the proposal on the assets)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from liandong.api.bounds import LegalDate, LegalTime
from liandong.api.deadlines import Windowed
from liandong.api.deps import ApprovalIn, Page, PageDep, RuntimeDep, ShanghaiTime, StrictModel, unit_of_work_of
from liandong.contracts import AssetProposal
from liandong.units import visible_units
from liandong_procuratorate.domain.prosecutions import ProsecutionStatus
from liandong_procuratorate.entrypoints.api.deps import ChiefProsecutor, Prosecutor, Staff, Supervisor, UowDep
from liandong_procuratorate.service_layer import commands
from liandong_procuratorate.service_layer import prosecution_handlers as handlers
from liandong_procuratorate.service_layer.prosecution_handlers import PROSECUTION, load_prosecution
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork

router = APIRouter(prefix="/prosecution-reviews", tags=["prosecution"])


class ProsecutionPublic(Windowed):
    id: str
    case_id: str
    case_number: str
    referral_id: str | None
    correlation_id: str
    police_unit: str
    unit: str
    defendants: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    investigation_log: list[dict[str, Any]]
    transfer_number: str
    received_at: ShanghaiTime
    status: ProsecutionStatus
    fast_track: bool
    returns: list[dict[str, Any]]
    resubmissions: list[dict[str, Any]]
    decision: dict[str, Any] | None
    performance: dict[str, Any] | None
    judgment: dict[str, Any] | None
    proposal: dict[str, Any] | None = Field(description="a non-prosecution awaiting the chief prosecutor's decision")
    fast_track_terms: dict[str, Any] | None = Field(description="the plea, the agreement and the likely sentence")


class ReasonIn(StrictModel):
    reason: str = Field(min_length=1, max_length=2000)


class FastTrackIn(StrictModel):
    guilty_plea: bool = Field(description="认罪认罚: the suspect pleads guilty and accepts the sentence proposed")
    agreement_signed_on: LegalDate | None = Field(description="the day the 认罪认罚具结书 was signed (CPL Art. 174)")
    likely_sentence_months: int = Field(ge=0, le=84, description="the likely sentence of imprisonment, in months")


class ReturnIn(StrictModel):
    outline: str = Field(min_length=1, max_length=10000, description="补充侦查提纲")


class NonProsecutionIn(StrictModel):
    ground: Literal["paid_and_minor", "insufficient_evidence", "no_crime", "minor"]
    reasons: str = Field(min_length=1, max_length=10000)


class NotIndictedIn(StrictModel):
    suspect_id: str = Field(min_length=1, max_length=64)
    disposition: Literal["separate_case"] = Field(description="另案处理 (e.g. absconded, investigated further)")
    reasons: str = Field(min_length=1, max_length=5000)


class IndictmentIn(StrictModel):
    charges: str = Field(min_length=1, max_length=10000, description="拒不执行判决、裁定罪 and the facts")
    asset_proposal: AssetProposal
    defendant_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=50, description="the suspects to indict; all those transferred when omitted"
    )
    others: list[NotIndictedIn] = Field(
        default_factory=list, max_length=50, description="each transferred suspect not indicted, decided"
    )


async def _shown(runtime: RuntimeDep, review_id: str, actor: Staff) -> ProsecutionPublic:
    async with unit_of_work_of(ProcuratorateUnitOfWork)(runtime) as uow:
        review = await load_prosecution(uow, review_id, actor, for_update=False)
        windows = await runtime.deadlines.of_subjects(uow, [(PROSECUTION, review.id)], units=visible_units(actor.unit))
        return ProsecutionPublic.of(review, windows)


@router.get("", response_model=Page[ProsecutionPublic])
async def inbox(
    actor: Staff, uow: UowDep, page: PageDep, status: Annotated[ProsecutionStatus | None, Query()] = None
) -> Page[ProsecutionPublic]:
    async with uow:
        items, total = await uow.prosecutions.search(
            units=visible_units(actor.unit), status=status, limit=page.limit, offset=page.offset
        )
        return page.of(items, total, ProsecutionPublic.of)


@router.get("/{review_id}", response_model=ProsecutionPublic)
async def show(review_id: str, actor: Staff, runtime: RuntimeDep) -> ProsecutionPublic:
    return await _shown(runtime, review_id, actor)


@router.post("/{review_id}/fast-track", response_model=ProsecutionPublic)
async def fast_track(
    review_id: str, body: FastTrackIn, actor: Prosecutor, uow: UowDep, runtime: RuntimeDep
) -> ProsecutionPublic:
    """认罪认罚，适用速裁程序 (CPL Art. 222): with the guilty plea and the signed sentencing agreement (CPL Art. 174),
    for a likely sentence of at most three years — 10 days from the arrival (extendable to 15 only where more than a
    year's imprisonment may follow)."""
    await handlers.fast_track(
        commands.FastTrack(
            actor=actor,
            review_id=review_id,
            guilty_plea=body.guilty_plea,
            agreement_signed_on=body.agreement_signed_on,
            likely_sentence_months=body.likely_sentence_months,
        ),
        uow,
    )
    return await _shown(runtime, review_id, actor)


@router.post("/{review_id}/extension", response_model=ProsecutionPublic)
async def extend(
    review_id: str, body: ReasonIn, actor: Supervisor, uow: UowDep, runtime: RuntimeDep
) -> ProsecutionPublic:
    """重大、复杂: 15 more days (on the fast track: to 15 days)."""
    await handlers.extend_review(
        commands.ExtendProsecutionReview(actor=actor, review_id=review_id, reason=body.reason), uow
    )
    return await _shown(runtime, review_id, actor)


@router.post("/{review_id}/return", response_model=ProsecutionPublic)
async def return_for_investigation(
    review_id: str, body: ReturnIn, actor: Prosecutor, uow: UowDep, runtime: RuntimeDep
) -> ProsecutionPublic:
    """退回补充侦查 with the outline (at most twice): the police have a month; the review restarts on the case's
    return."""
    await handlers.return_for_investigation(
        commands.ReturnForInvestigation(actor=actor, review_id=review_id, outline=body.outline), uow
    )
    return await _shown(runtime, review_id, actor)


@router.post("/{review_id}/non-prosecution", response_model=ProsecutionPublic)
async def decline(
    review_id: str, body: NonProsecutionIn, actor: Prosecutor, uow: UowDep, runtime: RuntimeDep
) -> ProsecutionPublic:
    """不起诉 proposed, with its ground (e.g. performed before prosecution and minor, 法释〔2024〕13号 第十一条; for
    insufficient evidence only after a return, SPP Rules Art. 367): it takes effect when the chief prosecutor
    approves it (`/approval`)."""
    await handlers.decline_to_prosecute(
        commands.DeclineToProsecute(actor=actor, review_id=review_id, ground=body.ground, reasons=body.reasons), uow
    )
    return await _shown(runtime, review_id, actor)


@router.post("/{review_id}/approval", response_model=ProsecutionPublic)
async def decide_non_prosecution(
    review_id: str, body: ApprovalIn, actor: ChiefProsecutor, uow: UowDep, runtime: RuntimeDep
) -> ProsecutionPublic:
    """经检察长决定 (SPP Rules Art. 365, 370): the proposed non-prosecution approved — it takes effect, the police and
    the court are told — or rejected, with a note."""
    await handlers.decide_non_prosecution(
        commands.DecideProposal(actor=actor, record_id=review_id, approve=body.approve, note=body.note), uow
    )
    return await _shown(runtime, review_id, actor)


class PetitionIn(StrictModel):
    petitioner: str = Field(min_length=1, max_length=200, description="the victim: the creditor (申请执行人)")
    text: str = Field(min_length=1, max_length=10000, description="请求提起公诉 and why")
    filed_at: LegalTime | None = Field(default=None, description="when it was received; defaults to now")


@router.post("/{review_id}/petition", response_model=ProsecutionPublic)
async def record_petition(
    review_id: str, body: PetitionIn, actor: Prosecutor, uow: UowDep, runtime: RuntimeDep
) -> ProsecutionPublic:
    """申诉: the creditor, the victim, petitions the level above against the non-prosecution within 7 days of
    receiving it (CPL Art. 180; `decision.petition_until`); recorded once."""
    await handlers.record_petition(
        commands.RecordPetition(
            actor=actor, review_id=review_id, petitioner=body.petitioner, text=body.text, filed_at=body.filed_at
        ),
        uow,
    )
    return await _shown(runtime, review_id, actor)


@router.post("/{review_id}/indictment", response_model=ProsecutionPublic)
async def indict(
    review_id: str, body: IndictmentIn, actor: Prosecutor, uow: UowDep, runtime: RuntimeDep
) -> ProsecutionPublic:
    """起诉书 to the court of the county, with the defendants and the proposal on the assets involved."""
    await handlers.indict(
        commands.Indict(
            actor=actor,
            review_id=review_id,
            charges=body.charges,
            asset_proposal=body.asset_proposal.model_dump(mode="json"),
            defendant_ids=tuple(body.defendant_ids) if body.defendant_ids is not None else None,
            others=tuple(o.model_dump(mode="json") for o in body.others),
        ),
        uow,
    )
    return await _shown(runtime, review_id, actor)
