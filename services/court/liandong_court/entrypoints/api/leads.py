"""/leads: the lead database (拒执案件动态库): tips, evidence, 研判, 告知书, payments, settlements, referral."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status

from liandong.api.deps import Page, PageDep, RuntimeDep, unit_of_work_of
from liandong.contracts.common import EvidenceClass, EvidenceType
from liandong.errors import DomainError, Forbidden, NotFound
from liandong.persistence.stamps import View
from liandong.units import can_see, visible_units
from liandong_court.adapters import orm
from liandong_court.domain.leads import LeadSource, LeadStatus
from liandong_court.domain.values import CoerciveMeasure, Instalment, Suspect
from liandong_court.entrypoints.api.deps import Judge, Officer, Referrer, Staff, UowDep
from liandong_court.entrypoints.api.evidence_files import check_file
from liandong_court.entrypoints.api.schemas import (
    AssessmentIn,
    CoerciveMeasureIn,
    DefaultIn,
    EvidencePublic,
    LeadCreate,
    LeadPublic,
    NoticeCorrectionIn,
    NoticeIn,
    ParticularsIn,
    PaymentIn,
    ReferralIn,
    ReferralPublic,
    ReopeningIn,
    SettlementIn,
)
from liandong_court.entrypoints.api.trials import TrialPublic
from liandong_court.service_layer import commands, handlers
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork

router = APIRouter(prefix="/leads", tags=["leads"])

# the answers kept ready (liandong.api.kept): a page of leads reads the leads; a lead's page, its rows and those of
# the records under it
LEADS = View("leads", tables=(orm.leads.name,))
LEAD = View(
    "lead",
    by_id=(
        (orm.leads.name, "id"),
        *(
            (table.name, "lead_id")
            for table in (orm.referrals, orm.evidence, orm.payments, orm.settlements, orm.police_cases, orm.trials)
        ),
    ),
)
VIEWS = (LEADS, LEAD)


async def _full(uow: CourtUnitOfWork, lead_id: str) -> LeadPublic:
    lead = await uow.leads.get(lead_id)
    if lead is None:
        raise NotFound(f"no lead {lead_id}")
    return LeadPublic.of(
        lead,
        referrals=list(await uow.referrals.for_lead(lead_id)),
        evidence=list(await uow.evidence.for_lead(lead_id)),
        payments=list(await uow.payments.for_lead(lead_id)),
        settlements=list(await uow.settlements.for_lead(lead_id)),
        police_cases=list(await uow.police_cases.for_lead(lead_id)),
        trials=[TrialPublic.of(t).model_dump(mode="json") for t in await uow.trials.for_lead(lead_id)],
    )


async def _reload(runtime: RuntimeDep, lead_id: str) -> LeadPublic:
    async with unit_of_work_of(CourtUnitOfWork)(runtime) as uow:
        return await _full(uow, lead_id)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=LeadPublic)
async def create_lead(body: LeadCreate, actor: Officer, uow: UowDep, runtime: RuntimeDep) -> LeadPublic:
    """A lead from screening, or a public tip (hotline / online; the tipster's contact is kept private)."""
    if body.source is LeadSource.PUBLIC_TIP and body.tip_channel is None:
        raise DomainError("a public tip says how it came in (hotline or online)", code="no_tip_channel")
    lead = await handlers.create_lead(
        commands.CreateLead(
            actor=actor,
            unit=body.unit or actor.unit,
            enforcement_case_number=body.enforcement_case_number,
            source=body.source,
            suspects=[Suspect(**s.model_dump()) for s in body.suspects],
            amount_owed=body.amount_owed,
            amount_paid=body.amount_paid,
            summary=body.summary,
            tip_channel=body.tip_channel,
            tipster_name=body.tipster_name,
            tipster_contact=body.tipster_contact,
            enforcement_basis=body.enforcement_basis,
            creditor=body.creditor,
        ),
        uow,
    )
    return LeadPublic.of(lead)


@router.get("", response_model=Page[LeadPublic])
async def list_leads(
    request: Request,
    actor: Staff,
    uow: UowDep,
    runtime: RuntimeDep,
    page: PageDep,
    status: Annotated[LeadStatus | None, Query()] = None,
    source: Annotated[LeadSource | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100, description="case number or suspect name")] = None,
) -> Response:
    async def draw() -> Page[LeadPublic]:
        async with uow:
            items, total = await uow.leads.search(
                units=visible_units(actor.unit),
                status=status,
                source=source,
                text=q,
                limit=page.limit,
                offset=page.offset,
            )
            return page.of(items, total, lambda i: LeadPublic.of(i, masked=True))

    return await runtime.kept.answer(request, actor, LEADS, draw)


@router.get("/{lead_id}", response_model=LeadPublic)
async def show_lead(request: Request, lead_id: str, actor: Staff, uow: UowDep, runtime: RuntimeDep) -> Response:
    async def draw() -> LeadPublic:
        async with uow:
            shown = await _full(uow, lead_id)
            if not can_see(actor.unit, shown.unit):
                raise Forbidden(f"lead {lead_id} belongs to another unit")
            return shown

    return await runtime.kept.answer(request, actor, LEAD, draw, lead_id)


@router.post("/{lead_id}/evidence", status_code=status.HTTP_201_CREATED, response_model=EvidencePublic)
async def attach_evidence(
    lead_id: str,
    actor: Officer,
    uow: UowDep,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File()],
    evidence_class: Annotated[EvidenceClass, Form()],
    evidence_type: Annotated[EvidenceType, Form()],
    description: Annotated[str | None, Form(max_length=2000)] = None,
) -> EvidencePublic:
    limit = runtime.settings.evidence_max_bytes  # type: ignore[attr-defined]
    content = await file.read(limit + 1)
    content_type = check_file(content, file.content_type or "", limit)
    item = await handlers.attach_evidence(
        commands.AttachEvidence(
            actor=actor,
            lead_id=lead_id,
            evidence_class=evidence_class.value,
            evidence_type=evidence_type.value,
            filename=(file.filename or "evidence")[:255],
            content_type=content_type,
            content=content,
            description=description,
        ),
        uow,
    )
    return EvidencePublic.of(item)


@router.post("/{lead_id}/assessment", response_model=LeadPublic)
async def assess(lead_id: str, body: AssessmentIn, actor: Judge, uow: UowDep, runtime: RuntimeDep) -> LeadPublic:
    """联合研判 recorded by a criminal judge."""
    await handlers.assess_lead(
        commands.AssessLead(actor=actor, lead_id=lead_id, conclusion=body.conclusion, reasons=body.reasons),
        uow,
    )
    return await _reload(runtime, lead_id)


@router.post("/{lead_id}/notice/correction", response_model=LeadPublic)
async def correct_notice(
    lead_id: str, body: NoticeCorrectionIn, actor: Officer, uow: UowDep, runtime: RuntimeDep
) -> LeadPublic:
    """Set right a wrongly recorded service time of the 告知书 (with the reason; kept as a correction), while the
    debtor's window runs: the window is counted again from the corrected time."""
    await handlers.correct_notice_service(
        commands.CorrectNoticeService(actor=actor, lead_id=lead_id, served_at=body.served_at, reason=body.reason), uow
    )
    return await _reload(runtime, lead_id)


@router.post("/{lead_id}/settlement-default", response_model=LeadPublic)
async def settlement_default(
    lead_id: str, body: DefaultIn, actor: Officer, uow: UowDep, runtime: RuntimeDep
) -> LeadPublic:
    """The debtor defaulted on the 和解协议: enforcement resumes where the lead stood (the police and procuratorate
    are told when the lead is with them)."""
    await handlers.default_settlement(commands.DefaultSettlement(actor=actor, lead_id=lead_id, reason=body.reason), uow)
    return await _reload(runtime, lead_id)


@router.post("/{lead_id}/particulars", response_model=LeadPublic)
async def particulars(
    lead_id: str, body: ParticularsIn, actor: Officer, uow: UowDep, runtime: RuntimeDep
) -> LeadPublic:
    """The 执行依据 and the creditor (申请执行人), which the referral letter states."""
    await handlers.record_particulars(
        commands.RecordParticulars(
            actor=actor, lead_id=lead_id, enforcement_basis=body.enforcement_basis, creditor=body.creditor
        ),
        uow,
    )
    return await _reload(runtime, lead_id)


@router.post("/{lead_id}/coercive-measures", response_model=LeadPublic)
async def coercive_measure(
    lead_id: str, body: CoerciveMeasureIn, actor: Officer, uow: UowDep, runtime: RuntimeDep
) -> LeadPublic:
    """A coercive measure already taken (罚款, 拘留, 限制消费, 失信名单…): the referral letter reports it."""
    measure = CoerciveMeasure(kind=body.kind, decided_on=body.decided_on, note=body.note)
    await handlers.add_coercive_measure(commands.AddCoerciveMeasure(actor=actor, lead_id=lead_id, measure=measure), uow)
    return await _reload(runtime, lead_id)


@router.post("/{lead_id}/reopening", response_model=LeadPublic)
async def reopen(lead_id: str, body: ReopeningIn, actor: Judge, uow: UowDep, runtime: RuntimeDep) -> LeadPublic:
    """重新研判: a lead assessed not suspected is opened again on new evidence (the reason and the judge are kept)."""
    await handlers.reopen_lead(commands.ReopenLead(actor=actor, lead_id=lead_id, reason=body.reason), uow)
    return await _reload(runtime, lead_id)


@router.post("/{lead_id}/notice", response_model=LeadPublic)
async def serve_notice(lead_id: str, body: NoticeIn, actor: Officer, uow: UowDep, runtime: RuntimeDep) -> LeadPublic:
    """《涉嫌拒执犯罪告知书》 served: the debtor's 5-day window starts (deadline kind debtor_performance)."""
    if body.served_at.tzinfo is None:
        raise DomainError("served_at needs a time zone, e.g. 2025-10-24T10:00:00+08:00", code="naive_time")
    await handlers.serve_notice(
        commands.ServeNotice(actor=actor, lead_id=lead_id, served_at=body.served_at, notice_number=body.notice_number),
        uow,
    )
    return await _reload(runtime, lead_id)


@router.post("/{lead_id}/payments", response_model=LeadPublic)
async def record_payment(lead_id: str, body: PaymentIn, actor: Officer, uow: UowDep, runtime: RuntimeDep) -> LeadPublic:
    """A payment; full payment closes the lead as 执结 and tells the police and procuratorate if they have it."""
    await handlers.record_payment(
        commands.RecordPayment(
            actor=actor,
            lead_id=lead_id,
            amount=body.amount,
            paid_on=body.paid_on,
            channel=body.channel,
            note=body.note,
            over_reason=body.over_reason,
        ),
        uow,
    )
    return await _reload(runtime, lead_id)


@router.post("/{lead_id}/settlements", response_model=LeadPublic)
async def record_settlement(
    lead_id: str, body: SettlementIn, actor: Officer, uow: UowDep, runtime: RuntimeDep
) -> LeadPublic:
    """和解协议: paid now and instalments for the rest; closes the lead as 执结."""
    await handlers.record_settlement(
        commands.RecordSettlement(
            actor=actor,
            lead_id=lead_id,
            signed_on=body.signed_on,
            paid_now=body.paid_now,
            instalments=[Instalment(due_on=i.due_on, amount=i.amount) for i in body.instalments],
            note=body.note,
        ),
        uow,
    )
    return await _reload(runtime, lead_id)


@router.post("/{lead_id}/referral", status_code=status.HTTP_201_CREATED, response_model=ReferralPublic)
async def refer_lead(
    lead_id: str, actor: Referrer, uow: UowDep, runtime: RuntimeDep, body: ReferralIn | None = None
) -> ReferralPublic:
    """案件移送 to the police of the court's county (a criminal judge may override the conditions in writing)."""
    referral = await handlers.refer_lead(
        commands.ReferLead(
            actor=actor,
            lead_id=lead_id,
            override_reason=body.override_reason if body else None,
            missing_evidence={k.value: v for k, v in body.missing_evidence.items()} if body else None,
        ),
        uow,
    )
    return ReferralPublic.of(referral)
