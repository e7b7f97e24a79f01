"""/cases: the bureau's criminal cases — suspects, the investigation log, detentions (刑事拘留), arrest requests
(提请批准逮捕) and the execution of the procuratorate's decisions. A case is opened by a filing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from liandong.api.deps import Page, PageDep, RuntimeDep, unit_of_work_of
from liandong.persistence.stamps import View
from liandong.pii import mask_suspects
from liandong.units import visible_units
from liandong_police.adapters import orm
from liandong_police.entrypoints.api.deps import BureauHead, Investigator, Staff, UowDep
from liandong_police.entrypoints.api.schemas import (
    ArrestRequestIn,
    CasePublic,
    CaseSummary,
    CustodyEndIn,
    CustodyExtensionIn,
    DetentionExtensionIn,
    DetentionIn,
    ExecutionIn,
    LogEntryIn,
    ReconsiderationIn,
    SuspectIn,
    TransferIn,
    WithdrawalIn,
    WithdrawalNoticeIn,
)
from liandong_police.service_layer import case_handlers, commands
from liandong_police.service_layer.case_handlers import (
    CUSTODY,
    DETENTION,
    EXECUTION,
    custody_subject,
    execution_subject,
    load_case,
)
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork

router = APIRouter(prefix="/cases", tags=["cases"])

# the answers kept ready (liandong.api.kept): a page of cases reads the cases; a case's page, its row and the windows
CASES = View("cases", tables=(orm.cases.name, orm.case_log.name))
CASE = View("case", tables=(orm.common.deadlines.name,), by_id=((orm.cases.name, "id"), (orm.case_log.name, "case_id")))
VIEWS = (CASES, CASE)


async def _shown(runtime: RuntimeDep, case_id: str, actor: Staff) -> CasePublic:
    """The case's page after an act on it, kept for the next read of the page."""
    return await runtime.kept.drawn(
        actor, CASE, case_id, f"{router.prefix}/{case_id}", lambda: _drawn(runtime, case_id, actor)
    )


async def _drawn(runtime: RuntimeDep, case_id: str, actor: Staff) -> CasePublic:
    async with unit_of_work_of(PoliceUnitOfWork)(runtime) as uow:
        case = await load_case(uow, case_id, actor, for_update=False, with_log=True)
        subjects = [("case", case.id)]
        subjects += [(DETENTION, d["detention_id"]) for d in case.detentions]
        subjects += [(CUSTODY, custody_subject(case.id, s["suspect_id"])) for s in case.suspects]
        subjects += [
            (EXECUTION, execution_subject(r["request_id"], suspect_id))
            for r in case.arrest_requests
            for suspect_id in r["decisions"]
        ]
        windows = await runtime.deadlines.of_subjects(uow, subjects, units=visible_units(actor.unit))
        return CasePublic.of(case, windows=windows)


@router.get("", response_model=Page[CaseSummary])
async def list_cases(
    request: Request,
    actor: Staff,
    uow: UowDep,
    runtime: RuntimeDep,
    page: PageDep,
    referral_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    async def draw() -> Page[CaseSummary]:
        async with uow:
            items, total = await uow.cases.search(
                units=visible_units(actor.unit), referral_id=referral_id, limit=page.limit, offset=page.offset
            )
            logs = await uow.cases.log_summaries([c.id for c in items])
            return page.of(
                items,
                total,
                lambda c: CaseSummary.of_case(c, logs.get(c.id, (0, None)), suspects=mask_suspects(c.suspects)),
            )

    return await runtime.kept.answer(request, actor, CASES, draw)


@router.get("/{case_id}", response_model=CasePublic)
async def show_case(request: Request, case_id: str, actor: Staff, runtime: RuntimeDep) -> Response:
    return await runtime.kept.answer(request, actor, CASE, lambda: _drawn(runtime, case_id, actor), case_id)


@router.post("/{case_id}/suspects", response_model=CasePublic)
async def add_suspect(
    case_id: str, body: SuspectIn, actor: Investigator, uow: UowDep, runtime: RuntimeDep
) -> CasePublic:
    """A suspect the investigation found: a unit's legal representative is a suspect of their own (`represents`)."""
    await case_handlers.add_suspect(
        commands.AddSuspect(
            actor=actor,
            case_id=case_id,
            name=body.name,
            kind=body.kind,
            role=body.role.value,
            id_number=body.id_number,
            represents=body.represents,
        ),
        uow,
    )
    return await _shown(runtime, case_id, actor)


@router.post("/{case_id}/log", response_model=CasePublic)
async def record_investigation(
    case_id: str, body: LogEntryIn, actor: Investigator, uow: UowDep, runtime: RuntimeDep
) -> CasePublic:
    """The investigation log: bank records, property registers, interviews, seizures — what, by whom, when."""
    await case_handlers.record_investigation(
        commands.RecordInvestigation(
            actor=actor,
            case_id=case_id,
            kind=body.kind.value,
            summary=body.summary,
            collected_at=body.collected_at,
            evidence=tuple(body.evidence),
        ),
        uow,
    )
    return await _shown(runtime, case_id, actor)


@router.post("/{case_id}/detentions", response_model=CasePublic)
async def detain(case_id: str, body: DetentionIn, actor: Investigator, uow: UowDep, runtime: RuntimeDep) -> CasePublic:
    """刑事拘留 of a person suspect: the 3-day window to request arrest approval starts (a custody period)."""
    await case_handlers.detain(
        commands.Detain(
            actor=actor, case_id=case_id, suspect_id=body.suspect_id, detained_at=body.detained_at, place=body.place
        ),
        uow,
    )
    return await _shown(runtime, case_id, actor)


@router.post("/{case_id}/detentions/{detention_id}/extension", response_model=CasePublic)
async def extend_detention_window(
    case_id: str, detention_id: str, body: DetentionExtensionIn, actor: BureauHead, uow: UowDep, runtime: RuntimeDep
) -> CasePublic:
    """CPL Art. 91: the window to request arrest approval extended by 1 to 4 days, or to 30 days for a roving,
    repeated or gang offender — approved by a head of the bureau (县级以上公安机关负责人, MPS Rules Art. 129)."""
    await case_handlers.extend_detention_window(
        commands.ExtendDetentionWindow(
            actor=actor,
            case_id=case_id,
            detention_id=detention_id,
            reason=body.reason,
            extra_days=body.extra_days,
            ground=body.ground,
        ),
        uow,
    )
    return await _shown(runtime, case_id, actor)


@router.post("/{case_id}/custody-ends", response_model=CasePublic)
async def end_custody(
    case_id: str, body: CustodyEndIn, actor: BureauHead, uow: UowDep, runtime: RuntimeDep
) -> CasePublic:
    """A detained person released (不需要逮捕), or on bail or under residential surveillance (需要逮捕而证据还不足)
    instead of an arrest request (MPS Rules Art. 131), decided by a head of the bureau: the detention ends and its
    window to request arrest approval with it; the court and the procuratorate are told."""
    await case_handlers.end_custody(
        commands.EndCustody(
            actor=actor,
            case_id=case_id,
            suspect_id=body.suspect_id,
            outcome=body.outcome,
            reason=body.reason,
            ended_at=body.ended_at,
        ),
        uow,
    )
    return await _shown(runtime, case_id, actor)


@router.post("/{case_id}/custody-extensions", response_model=CasePublic)
async def extend_custody(
    case_id: str, body: CustodyExtensionIn, actor: BureauHead, uow: UowDep, runtime: RuntimeDep
) -> CasePublic:
    """An arrested suspect's investigation custody (two months from the arrest, CPL Art. 156) extended as the
    procuratorate approved it: to 3 months (Art. 156), 5 (Art. 158), 7 (Art. 159), each in its turn."""
    await case_handlers.extend_custody(
        commands.ExtendCustody(
            actor=actor,
            case_id=case_id,
            suspect_id=body.suspect_id,
            article=body.article,
            approved_by=body.approved_by,
            reason=body.reason,
        ),
        uow,
    )
    return await _shown(runtime, case_id, actor)


@router.post("/{case_id}/arrest-requests", response_model=CasePublic)
async def request_arrest(
    case_id: str, body: ArrestRequestIn, actor: Investigator, uow: UowDep, runtime: RuntimeDep
) -> CasePublic:
    """提请批准逮捕书 to the procuratorate for persons of the case, detained or not, with the file manifest."""
    await case_handlers.request_arrest(
        commands.RequestArrest(actor=actor, case_id=case_id, suspect_ids=tuple(body.suspect_ids)), uow
    )
    return await _shown(runtime, case_id, actor)


@router.post("/{case_id}/arrest-requests/{request_id}/executions", response_model=CasePublic)
async def execute_decision(
    case_id: str, request_id: str, body: ExecutionIn, actor: Investigator, uow: UowDep, runtime: RuntimeDep
) -> CasePublic:
    """The decision executed for one suspect: an approved arrest at once (or not executed, with the reason — the
    suspect not found, absconded: MPS Rules Art. 142); after a refusal the person held released or the measure
    changed. The execution receipt goes to the procuratorate now, or later (`…/receipt`): within 3 days of the
    execution (Art. 140, 142), or of the refusal's receipt (Art. 141)."""
    await case_handlers.execute_decision(
        commands.ExecuteDecision(
            actor=actor,
            case_id=case_id,
            request_id=request_id,
            suspect_id=body.suspect_id,
            outcome=body.outcome,
            executed_at=body.executed_at,
            failure_reason=body.failure_reason,
            receipt_now=body.receipt,
        ),
        uow,
    )
    return await _shown(runtime, case_id, actor)


@router.post("/{case_id}/arrest-requests/{request_id}/reconsideration", response_model=CasePublic)
async def request_reconsideration(
    case_id: str, request_id: str, body: ReconsiderationIn, actor: BureauHead, uow: UowDep, runtime: RuntimeDep
) -> CasePublic:
    """要求复议 of a refused arrest with the procuratorate that refused it, then — upheld — 提请复核 with the city's
    (CPL Art. 92), each within 5 days of the decision's receipt (MPS Rules Art. 143–144)."""
    await case_handlers.request_reconsideration(
        commands.RequestReconsideration(
            actor=actor,
            case_id=case_id,
            request_id=request_id,
            suspect_id=body.suspect_id,
            stage=body.stage,
            reasons=body.reasons,
        ),
        uow,
    )
    return await _shown(runtime, case_id, actor)


@router.post("/{case_id}/arrest-requests/{request_id}/executions/{suspect_id}/receipt", response_model=CasePublic)
async def send_receipt(
    case_id: str, request_id: str, suspect_id: str, actor: Investigator, uow: UowDep, runtime: RuntimeDep
) -> CasePublic:
    """执行回执 of an execution recorded earlier, to the procuratorate."""
    await case_handlers.send_receipt(
        commands.SendExecutionReceipt(actor=actor, case_id=case_id, request_id=request_id, suspect_id=suspect_id), uow
    )
    return await _shown(runtime, case_id, actor)


@router.post("/{case_id}/transfer", response_model=CasePublic)
async def transfer(case_id: str, body: TransferIn, actor: Investigator, uow: UowDep, runtime: RuntimeDep) -> CasePublic:
    """起诉意见书: the case to the procuratorate for prosecution, with the file (again after a supplementary
    investigation)."""
    suspects = tuple(body.suspect_ids) if body.suspect_ids is not None else None
    await case_handlers.transfer_case(commands.TransferCase(actor=actor, case_id=case_id, suspect_ids=suspects), uow)
    return await _shown(runtime, case_id, actor)


@router.post("/{case_id}/withdrawal", response_model=CasePublic)
async def withdraw(case_id: str, body: WithdrawalIn, actor: BureauHead, uow: UowDep, runtime: RuntimeDep) -> CasePublic:
    """撤销案件 (a head of the bureau): the court is to be told, with the reasons, within 7 days."""
    await case_handlers.withdraw_case(
        commands.WithdrawCase(actor=actor, case_id=case_id, ground=body.ground.value, reasons=body.reasons), uow
    )
    return await _shown(runtime, case_id, actor)


@router.post("/{case_id}/withdrawal-notice", response_model=CasePublic)
async def notify_withdrawal(
    case_id: str, body: WithdrawalNoticeIn, actor: Investigator, uow: UowDep, runtime: RuntimeDep
) -> CasePublic:
    """The withdrawal served on the court."""
    await case_handlers.notify_withdrawal(
        commands.NotifyWithdrawal(actor=actor, case_id=case_id, notified_at=body.notified_at), uow
    )
    return await _shown(runtime, case_id, actor)
