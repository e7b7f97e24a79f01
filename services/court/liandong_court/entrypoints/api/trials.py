"""/trials: the court's criminal side — public prosecutions received from the procuratorate, the creditors' private
prosecutions (自诉) after a police decline or silence; acceptance, hearings, judgment, and how a private prosecution
ends."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import Field

from liandong.api.bounds import LegalDate, LegalTime
from liandong.api.deadlines import Windowed
from liandong.api.deps import Page, PageDep, RuntimeDep, ShanghaiTime, StrictModel, unit_of_work_of
from liandong.contracts.common import PartyKind, SuspectRole
from liandong.units import visible_units
from liandong_court.domain.trials import TrialKind, TrialStatus
from liandong_court.entrypoints.api.deps import Judge, Officer, Staff, UowDep
from liandong_court.service_layer import commands
from liandong_court.service_layer import trial_handlers as handlers
from liandong_court.service_layer.trial_handlers import TRIAL, load_trial
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork

router = APIRouter(prefix="/trials", tags=["trials"])


class TrialPublic(Windowed):
    id: str
    kind: TrialKind
    lead_id: str
    court_unit: str
    status: TrialStatus
    referral_id: str | None
    case_id: str | None
    review_id: str | None
    indictment: dict[str, Any] | None
    option_explained: dict[str, Any] | None
    complaint: dict[str, Any] | None
    defendants: list[dict[str, Any]]
    received_at: ShanghaiTime | None
    court_case_number: str | None
    accepted_at: ShanghaiTime | None
    accepted_by: str | None
    rejection: dict[str, Any] | None
    hearings: list[dict[str, Any]]
    judgment: dict[str, Any] | None
    closure: dict[str, Any] | None
    materials_requests: list[dict[str, Any]] | None = None


class PrivateOptionIn(StrictModel):
    referral_id: str = Field(min_length=1, max_length=64)
    creditor: str = Field(min_length=1, max_length=200, description="申请执行人, to whom the option was explained")
    explained_on: LegalDate


class DefendantIn(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    kind: PartyKind = PartyKind.PERSON
    role: SuspectRole = SuspectRole.DEBTOR
    id_number: str | None = Field(default=None, max_length=32)


class ComplaintIn(StrictModel):
    complainant: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=20000, description="刑事自诉状")
    defendants: list[DefendantIn] = Field(min_length=1, max_length=20)
    filed_at: LegalTime | None = Field(default=None, description="defaults to now")


class AcceptanceIn(StrictModel):
    court_case_number: str = Field(min_length=1, max_length=64, examples=["(2025)鄂1221刑初45号"])
    defendants_held: bool = Field(
        default=False, description="a private prosecution's defendant is held: two months to judgment, not six"
    )


class TrialExtensionIn(StrictModel):
    months: Literal[3, 6] = Field(description="to 3 months (至迟), then 6 with the court above's approval")
    approved_by: str = Field(min_length=1, max_length=200, description="the president, or the court above, approving")
    reason: str = Field(min_length=1, max_length=5000)


class ServiceIn(StrictModel):
    served_at: LegalTime = Field(description="when the written judgment was received")


class RejectionIn(StrictModel):
    reasons: str = Field(min_length=1, max_length=5000)


class HearingIn(StrictModel):
    held_on: LegalDate
    note: str = Field(min_length=1, max_length=5000)


class SentenceIn(StrictModel):
    defendant_id: str = Field(min_length=1, max_length=64)
    fine: Decimal | None = Field(default=None, gt=0, max_digits=16, decimal_places=2, description="yuan")
    imprisonment_months: int | None = Field(default=None, ge=1, le=600, description="有期徒刑, in months")
    criminal_detention_months: int | None = Field(default=None, ge=1, le=600, description="拘役, in months")
    probation_months: int | None = Field(default=None, ge=1, le=600, description="缓刑考验期, in months")
    exempt: bool = Field(default=False, description="免予刑事处罚 (Criminal Law Art. 37; a unit too)")
    acquitted: bool = Field(default=False, description="无罪 (CPL Art. 200)")
    acquittal_ground: Literal["not_a_crime", "insufficient_evidence"] | None = Field(
        default=None, description="CPL Art. 200(2) 依据法律认定无罪, or (3) 证据不足、指控的犯罪不能成立"
    )


class JudgmentIn(StrictModel):
    sentences: list[SentenceIn] = Field(min_length=1, max_length=50)
    recovered: Decimal = Field(ge=0, max_digits=16, decimal_places=2, description="recovered for the creditor")
    recovered_over_reason: str | None = Field(
        default=None,
        max_length=500,
        description="why more is recovered than the lead still owes (迟延履行利息、诉讼费…); required then",
    )
    judged_at: LegalTime | None = Field(default=None, description="defaults to now")
    served_at: LegalTime | None = Field(
        default=None, description="the written judgment's receipt, if it comes with the pronouncement (else later)"
    )


class ClosureIn(StrictModel):
    outcome: Literal["withdrawn", "settled"] = Field(description="撤诉, or 自行和解 (no court mediation here)")
    reasons: str = Field(min_length=1, max_length=5000)


async def _shown(runtime: RuntimeDep, trial_id: str, actor: Staff) -> TrialPublic:
    async with unit_of_work_of(CourtUnitOfWork)(runtime) as uow:
        trial = await load_trial(uow, trial_id, actor, for_update=False)
        windows = await runtime.deadlines.of_subjects(uow, [(TRIAL, trial.id)], units=visible_units(actor.unit))
        return TrialPublic.of(trial, windows)


@router.get("", response_model=Page[TrialPublic])
async def list_trials(
    actor: Staff, uow: UowDep, page: PageDep, status: Annotated[TrialStatus | None, Query()] = None
) -> Page[TrialPublic]:
    async with uow:
        items, total = await uow.trials.search(
            units=visible_units(actor.unit), status=status, limit=page.limit, offset=page.offset
        )
        return page.of(items, total, TrialPublic.of)


@router.get("/{trial_id}", response_model=TrialPublic)
async def show(trial_id: str, actor: Staff, runtime: RuntimeDep) -> TrialPublic:
    return await _shown(runtime, trial_id, actor)


@router.post("", response_model=TrialPublic, status_code=status.HTTP_201_CREATED)
async def explain_private_option(
    body: PrivateOptionIn, actor: Officer, uow: UowDep, runtime: RuntimeDep
) -> TrialPublic:
    """自诉: after a police decline, or a silence past the filing window — or, the referral filed, once the case is
    withdrawn or not prosecuted (CPL Art. 210(3)) — the court records that it explained to the creditor that they may
    prosecute; the complaint follows."""
    trial = await handlers.explain_private_option(
        commands.ExplainPrivateOption(
            actor=actor, referral_id=body.referral_id, creditor=body.creditor, explained_on=body.explained_on
        ),
        uow,
    )
    return await _shown(runtime, trial.id, actor)


@router.post("/{trial_id}/complaint", response_model=TrialPublic)
async def register_complaint(
    trial_id: str, body: ComplaintIn, actor: Officer, uow: UowDep, runtime: RuntimeDep
) -> TrialPublic:
    """刑事自诉状: the court decides acceptance within 15 days of its filing."""
    await handlers.register_complaint(
        commands.RegisterComplaint(
            actor=actor,
            trial_id=trial_id,
            complainant=body.complainant,
            text=body.text,
            defendants=tuple(d.model_dump(mode="json") for d in body.defendants),
            filed_at=body.filed_at,
        ),
        uow,
    )
    return await _shown(runtime, trial_id, actor)


@router.post("/{trial_id}/acceptance", response_model=TrialPublic)
async def accept(trial_id: str, body: AcceptanceIn, actor: Judge, uow: UowDep, runtime: RuntimeDep) -> TrialPublic:
    """受理: a public prosecution within 7 days of its arrival, a private one within 15 days of the complaint. The
    trial period starts: two months (a public prosecution, or a private one whose defendant is held), six months (a
    private one at liberty) — CPL Art. 208, 212."""
    await handlers.accept_trial(
        commands.AcceptTrial(
            actor=actor,
            trial_id=trial_id,
            court_case_number=body.court_case_number,
            defendants_held=body.defendants_held,
        ),
        uow,
    )
    return await _shown(runtime, trial_id, actor)


class ReturnIn(StrictModel):
    ground: Literal["not_this_court", "defendant_absent", "already_decided", "other"] = Field(
        description="SPC Interpretation Art. 219: not this court's, the defendant not at hand, decided already…"
    )
    reasons: str = Field(min_length=1, max_length=5000)


class MaterialsIn(StrictModel):
    missing: str = Field(min_length=1, max_length=5000, description="the materials the procuratorate is to supply")


class MaterialsReceivedIn(StrictModel):
    received_at: LegalTime | None = Field(default=None, description="defaults to now")


@router.post("/{trial_id}/return", response_model=TrialPublic)
async def return_prosecution(
    trial_id: str, body: ReturnIn, actor: Judge, uow: UowDep, runtime: RuntimeDep
) -> TrialPublic:
    """退回人民检察院: a public prosecution not taken up as received (SPC Interpretation Art. 219)."""
    await handlers.return_prosecution(
        commands.ReturnProsecution(actor=actor, trial_id=trial_id, ground=body.ground, reasons=body.reasons), uow
    )
    return await _shown(runtime, trial_id, actor)


@router.post("/{trial_id}/materials-request", response_model=TrialPublic)
async def request_materials(
    trial_id: str, body: MaterialsIn, actor: Judge, uow: UowDep, runtime: RuntimeDep
) -> TrialPublic:
    """通知人民检察院补送材料: within 3 days (SPC Interpretation Art. 219), tracked by the court."""
    await handlers.request_materials(
        commands.RequestMaterials(actor=actor, trial_id=trial_id, missing=body.missing), uow
    )
    return await _shown(runtime, trial_id, actor)


@router.post("/{trial_id}/materials-received", response_model=TrialPublic)
async def materials_received(
    trial_id: str, body: MaterialsReceivedIn, actor: Judge, uow: UowDep, runtime: RuntimeDep
) -> TrialPublic:
    """The procuratorate's supplement arrived: its 3 days are met."""
    await handlers.materials_received(
        commands.MaterialsReceived(actor=actor, trial_id=trial_id, received_at=body.received_at), uow
    )
    return await _shown(runtime, trial_id, actor)


@router.post("/{trial_id}/extension", response_model=TrialPublic)
async def extend(trial_id: str, body: TrialExtensionIn, actor: Judge, uow: UowDep, runtime: RuntimeDep) -> TrialPublic:
    """The trial period extended, as approved (CPL Art. 208): to three months, then six."""
    await handlers.extend_trial(
        commands.ExtendTrial(
            actor=actor, trial_id=trial_id, months=body.months, approved_by=body.approved_by, reason=body.reason
        ),
        uow,
    )
    return await _shown(runtime, trial_id, actor)


@router.post("/{trial_id}/judgment-service", response_model=TrialPublic)
async def judgment_served(
    trial_id: str, body: ServiceIn, actor: Judge, uow: UowDep, runtime: RuntimeDep
) -> TrialPublic:
    """The written judgment received: the appeal period (10 days from the day after, CPL Art. 230) is shown."""
    await handlers.record_judgment_service(
        commands.RecordJudgmentService(actor=actor, trial_id=trial_id, served_at=body.served_at), uow
    )
    return await _shown(runtime, trial_id, actor)


@router.post("/{trial_id}/rejection", response_model=TrialPublic)
async def reject(trial_id: str, body: RejectionIn, actor: Judge, uow: UowDep, runtime: RuntimeDep) -> TrialPublic:
    """不予受理 of a private complaint."""
    await handlers.reject_complaint(commands.RejectComplaint(actor=actor, trial_id=trial_id, reasons=body.reasons), uow)
    return await _shown(runtime, trial_id, actor)


@router.post("/{trial_id}/hearings", response_model=TrialPublic)
async def record_hearing(trial_id: str, body: HearingIn, actor: Judge, uow: UowDep, runtime: RuntimeDep) -> TrialPublic:
    await handlers.record_hearing(
        commands.RecordHearing(actor=actor, trial_id=trial_id, held_on=body.held_on, note=body.note), uow
    )
    return await _shown(runtime, trial_id, actor)


@router.post("/{trial_id}/judgment", response_model=TrialPublic)
async def judge(trial_id: str, body: JudgmentIn, actor: Judge, uow: UowDep, runtime: RuntimeDep) -> TrialPublic:
    """判决 per defendant — by Art. 313's tiers, an exemption, or an acquittal — and the amount recovered for the
    creditor (paid into the lead; more than the lead still owes only with the judge's reason, both figures kept); it
    meets the trial period. The appeal period (10 days from the day after the written judgment's receipt) is shown
    once the receipt is recorded (here, or at `/judgment-service`)."""
    await handlers.judge_trial(
        commands.JudgeTrial(
            actor=actor,
            trial_id=trial_id,
            sentences=tuple(s.model_dump(mode="json", exclude_none=True) for s in body.sentences),
            recovered=body.recovered,
            recovered_over_reason=body.recovered_over_reason,
            judged_at=body.judged_at,
            served_at=body.served_at,
        ),
        uow,
    )
    return await _shown(runtime, trial_id, actor)


@router.post("/{trial_id}/closure", response_model=TrialPublic)
async def close(trial_id: str, body: ClosureIn, actor: Judge, uow: UowDep, runtime: RuntimeDep) -> TrialPublic:
    """A private prosecution withdrawn, or settled by the parties before judgment."""
    await handlers.close_private(
        commands.ClosePrivateProsecution(actor=actor, trial_id=trial_id, outcome=body.outcome, reasons=body.reasons),
        uow,
    )
    return await _shown(runtime, trial_id, actor)
