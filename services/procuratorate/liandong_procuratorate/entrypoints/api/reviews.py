"""/arrest-reviews: the unit's inbox of 提请批准逮捕书, each suspect's review window, the prosecutor's decision per
suspect, the supervisor's extension (not detained: to 20 days), and the further persons found while reviewing."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import Field, model_validator

from liandong.api.deadlines import Windowed
from liandong.api.deps import Page, PageDep, RuntimeDep, ShanghaiTime, StrictModel, unit_of_work_of
from liandong.pii import mask_suspects
from liandong.units import visible_units
from liandong_procuratorate.domain.reviews import ReviewStatus
from liandong_procuratorate.entrypoints.api.deps import ChiefProsecutor, Prosecutor, Staff, Supervisor, UowDep
from liandong_procuratorate.service_layer import commands, handlers
from liandong_procuratorate.service_layer.handlers import RECONSIDERATION, REVIEW, load_review, review_subject
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork

router = APIRouter(prefix="/arrest-reviews", tags=["arrest reviews"])


class ReviewPublic(Windowed):
    id: str
    request_id: str
    case_id: str
    case_number: str
    referral_id: str | None
    correlation_id: str
    police_unit: str
    unit: str
    document_number: str
    attempt: int
    status: ReviewStatus
    suspects: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    investigation_log: list[dict[str, Any]]
    persons_involved: list[dict[str, Any]]
    requested_at: ShanghaiTime
    requested_by: str
    received_at: ShanghaiTime


class DecisionIn(StrictModel):
    suspect_id: str = Field(min_length=1, max_length=64)
    decision: Literal["approve", "refuse"]
    reasons: str = Field(min_length=1, max_length=5000)
    outline: str | None = Field(default=None, max_length=10000, description="补充侦查提纲 (refuse only)")

    @model_validator(mode="after")
    def _outline_with_refusal(self) -> DecisionIn:
        if self.decision == "approve" and self.outline:
            raise ValueError("an outline for supplementary investigation goes with a refusal")
        return self


class DecisionsIn(StrictModel):
    decisions: list[DecisionIn] = Field(min_length=1, max_length=50)


class ExtensionIn(StrictModel):
    reason: str = Field(min_length=1, max_length=2000, description="why the case is major or complex")


class PersonIn(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=200, description="e.g. 提供银行账户用于转移财产")
    evidence: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(default_factory=list, max_length=100)
    note: str | None = Field(default=None, max_length=5000)


async def _shown(runtime: RuntimeDep, review_id: str, actor: Staff) -> ReviewPublic:
    async with unit_of_work_of(ProcuratorateUnitOfWork)(runtime) as uow:
        review = await load_review(uow, review_id, actor, for_update=False)
        subjects = [(REVIEW, review_subject(review.id, s["suspect_id"])) for s in review.suspects]
        subjects += [(RECONSIDERATION, review_subject(review.id, s["suspect_id"])) for s in review.suspects]
        windows = await runtime.deadlines.of_subjects(uow, subjects, units=visible_units(actor.unit))
        return ReviewPublic.of(review, windows=windows)


@router.get("", response_model=Page[ReviewPublic])
async def inbox(
    actor: Staff, uow: UowDep, page: PageDep, status: Annotated[ReviewStatus | None, Query()] = None
) -> Page[ReviewPublic]:
    async with uow:
        items, total = await uow.reviews.search(
            units=visible_units(actor.unit), status=status, limit=page.limit, offset=page.offset
        )
        return page.of(items, total, lambda r: ReviewPublic.of(r, suspects=mask_suspects(r.suspects)))


@router.get("/{review_id}", response_model=ReviewPublic)
async def show_review(review_id: str, actor: Staff, runtime: RuntimeDep) -> ReviewPublic:
    return await _shown(runtime, review_id, actor)


@router.post("/{review_id}/decisions", response_model=ReviewPublic)
async def decide(
    review_id: str, body: DecisionsIn, actor: Prosecutor, uow: UowDep, runtime: RuntimeDep
) -> ReviewPublic:
    """批准逮捕 / 不批准逮捕 for one or more suspects (a refusal may carry a 补充侦查提纲): meets their windows and goes
    to the police."""
    decisions = tuple(d.model_dump() for d in body.decisions)
    await handlers.decide_arrest(commands.DecideArrest(actor=actor, review_id=review_id, decisions=decisions), uow)
    return await _shown(runtime, review_id, actor)


@router.post("/{review_id}/extension", response_model=ReviewPublic)
async def extend(
    review_id: str, body: ExtensionIn, actor: Supervisor, uow: UowDep, runtime: RuntimeDep
) -> ReviewPublic:
    """重大、复杂: the windows of the suspects not detained go to 20 days (SPP Rules); a detained suspect's do not."""
    await handlers.extend_review(commands.ExtendReview(actor=actor, review_id=review_id, reason=body.reason), uow)
    return await _shown(runtime, review_id, actor)


class ReconsiderationDecisionIn(StrictModel):
    suspect_id: str = Field(min_length=1, max_length=64)
    stage: Literal["reconsideration", "review"] = Field(description="复议 (this procuratorate), 复核 (the city's)")
    changed: bool = Field(description="the refusal changed to an approval")
    reasons: str = Field(min_length=1, max_length=5000)


@router.post("/{review_id}/reconsideration", response_model=ReviewPublic)
async def decide_reconsideration(
    review_id: str, body: ReconsiderationDecisionIn, actor: ChiefProsecutor, uow: UowDep, runtime: RuntimeDep
) -> ReviewPublic:
    """复议决定 (the chief prosecutor of the procuratorate that refused, within 7 days) or 复核决定 (the city's, within
    15): the refusal upheld, or changed to an approval the police execute (CPL Art. 92; SPP Rules Art. 290–291)."""
    await handlers.decide_reconsideration(
        commands.DecideReconsideration(
            actor=actor,
            review_id=review_id,
            suspect_id=body.suspect_id,
            stage=body.stage,
            changed=body.changed,
            reasons=body.reasons,
        ),
        uow,
    )
    return await _shown(runtime, review_id, actor)


@router.post("/{review_id}/persons", response_model=ReviewPublic)
async def record_person(
    review_id: str, body: PersonIn, actor: Prosecutor, uow: UowDep, runtime: RuntimeDep
) -> ReviewPublic:
    """A further person who appears to be involved (name, role, evidence): kept on the review for 立案监督."""
    await handlers.record_person(
        commands.RecordPerson(
            actor=actor,
            review_id=review_id,
            name=body.name,
            role=body.role,
            evidence=tuple(body.evidence),
            note=body.note,
        ),
        uow,
    )
    return await _shown(runtime, review_id, actor)
