"""/supervision-cases: 立案监督 — cases opened on a court's request or on the procuratorate's own initiative, the
notices sent to the police (要求说明不立案理由, 通知立案 — a co-offender included —, 纠正违法, 催办), their answers and
the outcome."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, Field, model_validator

from liandong.api.deps import ApprovalIn, Page, PageDep, RuntimeDep, ShanghaiTime, StrictModel, unit_of_work_of
from liandong.contracts import CoOffender
from liandong.persistence.stamps import View
from liandong.sla.kinds import NOTICE_SUBJECT
from liandong.units import visible_units
from liandong_procuratorate.adapters import orm
from liandong_procuratorate.domain.supervision import Origin, SupervisionCase, SupervisionStatus
from liandong_procuratorate.entrypoints.api.deps import ChiefProsecutor, Prosecutor, Staff, UowDep
from liandong_procuratorate.service_layer import commands
from liandong_procuratorate.service_layer import supervision_handlers as handlers
from liandong_procuratorate.service_layer.supervision_handlers import load_supervision
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork

router = APIRouter(prefix="/supervision-cases", tags=["supervision"])

# the answers kept ready (liandong.api.kept): the inbox reads the supervision cases; a case's page, its row and the
# police's windows on its notices
SUPERVISION_CASES = View("supervision_cases", tables=(orm.supervision_cases.name,))
SUPERVISION_CASE = View(
    "supervision_case", tables=(orm.common.peer_windows.name,), by_id=((orm.supervision_cases.name, "id"),)
)
VIEWS = (SUPERVISION_CASES, SUPERVISION_CASE)


class PeerWindowBrief(BaseModel):
    kind: str
    state: str
    due_at: ShanghaiTime
    met_at: ShanghaiTime | None
    days_used: float | None


class SupervisionPublic(BaseModel):
    id: str
    correlation_id: str
    unit: str
    police_unit: str
    origin: Origin
    referral_id: str | None
    source_id: str | None
    court_request: dict[str, Any] | None
    opened_at: ShanghaiTime
    opened_by: str
    status: SupervisionStatus
    outcome: str | None
    notices: list[dict[str, Any]] = Field(description="each with the police's window to answer, where it applies")
    closed_at: ShanghaiTime | None
    closed_by: str | None
    close_note: str | None
    proposal: dict[str, Any] | None = Field(description="a notice to file awaiting the chief prosecutor's decision")

    @classmethod
    def of(cls, case: SupervisionCase, windows: dict[str, Any] | None = None) -> SupervisionPublic:
        values = {name: getattr(case, name) for name in cls.model_fields if name != "notices"}
        notices = [{**n, "police_window": (windows or {}).get(n["notice_id"])} for n in case.notices]
        return cls(**values, notices=notices)


class OpenIn(StrictModel):
    reasons: str = Field(min_length=1, max_length=5000)
    review_id: str | None = Field(default=None, max_length=64, description="the arrest review it arose from")
    prosecution_review_id: str | None = Field(default=None, max_length=64, description="or the prosecution review")
    correlation_id: str | None = Field(default=None, max_length=128, description="or the matter")

    @model_validator(mode="after")
    def _one_source(self) -> OpenIn:
        if sum(v is not None for v in (self.review_id, self.prosecution_review_id, self.correlation_id)) != 1:
            raise ValueError("give one of review_id, prosecution_review_id, correlation_id")
        return self


class ReasonsIn(StrictModel):
    reasons: str = Field(min_length=1, max_length=5000)


class AcceptIn(StrictModel):
    note: str = Field(min_length=1, max_length=5000, description="why the police's reasons stand")


class FilingNoticeIn(StrictModel):
    reasons: str = Field(min_length=1, max_length=5000)
    co_offender: CoOffender | None = Field(default=None, description="a person never referred, with the evidence")
    person_id: str | None = Field(
        default=None, max_length=64, description="or a person recorded on the arrest review the case arose from"
    )


class CorrectionIn(StrictModel):
    notice_id: str = Field(min_length=1, max_length=64, description="the notice left unanswered")
    violation: str = Field(min_length=1, max_length=5000)


class ReminderIn(StrictModel):
    case_id: str = Field(min_length=1, max_length=64)
    text: str = Field(min_length=1, max_length=5000)


async def _shown(runtime: RuntimeDep, supervision_id: str, actor: Staff) -> SupervisionPublic:
    """The supervision case's page after an act on it, kept for the next read of the page."""
    page = f"{router.prefix}/{supervision_id}"
    return await runtime.kept.drawn(
        actor, SUPERVISION_CASE, supervision_id, page, lambda: _drawn(runtime, supervision_id, actor)
    )


async def _drawn(runtime: RuntimeDep, supervision_id: str, actor: Staff) -> SupervisionPublic:
    async with unit_of_work_of(ProcuratorateUnitOfWork)(runtime) as uow:
        case = await load_supervision(uow, supervision_id, actor, for_update=False)
        windows = {}
        for notice in case.notices:
            window = await uow.deadlines.peer(subject_type=NOTICE_SUBJECT, subject_id=notice["notice_id"])
            if window is not None:
                windows[notice["notice_id"]] = PeerWindowBrief.model_validate(window, from_attributes=True)
        return SupervisionPublic.of(case, windows)


@router.get("", response_model=Page[SupervisionPublic])
async def inbox(
    request: Request,
    actor: Staff,
    uow: UowDep,
    runtime: RuntimeDep,
    page: PageDep,
    status: Annotated[SupervisionStatus | None, Query()] = None,
) -> Response:
    async def draw() -> Page[SupervisionPublic]:
        async with uow:
            items, total = await uow.supervision.search(
                units=visible_units(actor.unit), status=status, limit=page.limit, offset=page.offset
            )
            return page.of(items, total, SupervisionPublic.of)

    return await runtime.kept.answer(request, actor, SUPERVISION_CASES, draw)


@router.post("", response_model=SupervisionPublic, status_code=status.HTTP_201_CREATED)
async def open_case(body: OpenIn, actor: Prosecutor, uow: UowDep, runtime: RuntimeDep) -> SupervisionPublic:
    """立案监督 on the procuratorate's own initiative: from an arrest review, or a matter."""
    case = await handlers.open_supervision(
        commands.OpenSupervision(
            actor=actor,
            reasons=body.reasons,
            review_id=body.review_id,
            correlation_id=body.correlation_id,
            prosecution_review_id=body.prosecution_review_id,
        ),
        uow,
    )
    return await _shown(runtime, case.id, actor)


@router.get("/{supervision_id}", response_model=SupervisionPublic)
async def show(request: Request, supervision_id: str, actor: Staff, runtime: RuntimeDep) -> Response:
    return await runtime.kept.answer(
        request, actor, SUPERVISION_CASE, lambda: _drawn(runtime, supervision_id, actor), supervision_id
    )


@router.post("/{supervision_id}/explanation-demand", response_model=SupervisionPublic)
async def demand_explanation(
    supervision_id: str, body: ReasonsIn, actor: Prosecutor, uow: UowDep, runtime: RuntimeDep
) -> SupervisionPublic:
    """要求说明不立案理由通知书: the police answer within 7 days of receiving it."""
    command = commands.DemandExplanation(actor=actor, supervision_id=supervision_id, reasons=body.reasons)
    await handlers.demand_explanation(command, uow)
    return await _shown(runtime, supervision_id, actor)


@router.post("/{supervision_id}/acceptance", response_model=SupervisionPublic)
async def accept_explanation(
    supervision_id: str, body: AcceptIn, actor: Prosecutor, uow: UowDep, runtime: RuntimeDep
) -> SupervisionPublic:
    """不立案理由成立: the case closes."""
    await handlers.accept_explanation(
        commands.AcceptExplanation(actor=actor, supervision_id=supervision_id, note=body.note), uow
    )
    return await _shown(runtime, supervision_id, actor)


@router.post("/{supervision_id}/filing-notice", response_model=SupervisionPublic)
async def issue_filing_notice(
    supervision_id: str, body: FilingNoticeIn, actor: Prosecutor, uow: UowDep, runtime: RuntimeDep
) -> SupervisionPublic:
    """通知立案书 proposed — the referral's case (after the police's reasons, or the end of their 7 days to give them),
    or a co-offender's — for the chief prosecutor to decide (`/approval`); once issued the police file within 15
    days of receiving it."""
    await handlers.issue_filing_notice(
        commands.IssueFilingNotice(
            actor=actor,
            supervision_id=supervision_id,
            reasons=body.reasons,
            co_offender=body.co_offender.model_dump(mode="json") if body.co_offender else None,
            person_id=body.person_id,
        ),
        uow,
    )
    return await _shown(runtime, supervision_id, actor)


@router.post("/{supervision_id}/approval", response_model=SupervisionPublic)
async def decide_filing_notice(
    supervision_id: str, body: ApprovalIn, actor: ChiefProsecutor, uow: UowDep, runtime: RuntimeDep
) -> SupervisionPublic:
    """经检察长决定 (SPP Rules Art. 561): the proposed notice to file issued to the police, or rejected with a note."""
    await handlers.decide_filing_notice(
        commands.DecideProposal(actor=actor, record_id=supervision_id, approve=body.approve, note=body.note), uow
    )
    return await _shown(runtime, supervision_id, actor)


@router.post("/{supervision_id}/correction-notice", response_model=SupervisionPublic)
async def issue_correction(
    supervision_id: str, body: CorrectionIn, actor: Prosecutor, uow: UowDep, runtime: RuntimeDep
) -> SupervisionPublic:
    """纠正违法通知书 about a notice the police left unanswered past its window."""
    await handlers.issue_correction(
        commands.IssueCorrection(
            actor=actor, supervision_id=supervision_id, notice_id=body.notice_id, violation=body.violation
        ),
        uow,
    )
    return await _shown(runtime, supervision_id, actor)


@router.post("/{supervision_id}/reminders", response_model=SupervisionPublic)
async def send_reminder(
    supervision_id: str, body: ReminderIn, actor: Prosecutor, uow: UowDep, runtime: RuntimeDep
) -> SupervisionPublic:
    """催办函: a case filed under this supervision, not concluded three months after its filing."""
    await handlers.send_reminder(
        commands.SendReminder(actor=actor, supervision_id=supervision_id, case_id=body.case_id, text=body.text), uow
    )
    return await _shown(runtime, supervision_id, actor)
