"""/enforcement-cases: import (one, or many from JSON or CSV) and screening for the lead database."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from liandong.api.bounds import MAX_AMOUNT, LegalDate
from liandong.api.deps import Page, PageDep, RuntimeDep, unit_of_work_of
from liandong.errors import DomainError, Forbidden, NotFound
from liandong.security import Principal
from liandong.units import can_see, visible_units
from liandong_court.domain.cases import ClosureType, FocusCategory
from liandong_court.domain.values import Suspect
from liandong_court.entrypoints.api.case_import import (
    MAX_ROWS,
    UnreadableImport,
    rows_from_csv,
    rows_from_json,
    validation_errors,
)
from liandong_court.entrypoints.api.deps import Officer, Staff, UowDep
from liandong_court.entrypoints.api.schemas import (
    CaseCreate,
    CasePublic,
    ImportReport,
    ImportRow,
    LeadFromCase,
    LeadPublic,
)
from liandong_court.service_layer import commands, handlers
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork

router = APIRouter(prefix="/enforcement-cases", tags=["enforcement cases"])


def _command(body: CaseCreate, actor: Principal) -> commands.ImportCase:
    return commands.ImportCase(
        actor=actor,
        unit=body.unit or actor.unit,
        case_number=body.case_number,
        creditor=body.creditor,
        debtors=[d.model_dump(mode="json") for d in body.debtors],
        amount_owed=body.amount_owed,
        amount_paid=body.amount_paid,
        closure_type=body.closure_type,
        closure_date=body.closure_date,
        focus_categories=[c.value for c in body.focus_categories],
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CasePublic)
async def import_case(body: CaseCreate, actor: Officer, uow: UowDep, runtime: RuntimeDep) -> CasePublic:
    case = await handlers.import_case(_command(body, actor), uow)
    return CasePublic.of(case)


@router.post("/import", response_model=ImportReport, responses={422: {"model": ImportReport}})
async def import_many(request: Request, actor: Officer, runtime: RuntimeDep) -> JSONResponse:
    """Bulk import: a JSON array of cases, or CSV (Content-Type: text/csv). Each row is imported or rejected on its
    own; the report says which and why. 422 when no row could be imported."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("text/csv", "application/csv"):
        rows = rows_from_csv(raw)
    elif content_type == "application/json":
        rows = rows_from_json(raw)
    else:
        raise UnreadableImport("send application/json or text/csv", code="unsupported_media_type")
    if not rows:
        raise UnreadableImport("the import holds no rows")
    if len(rows) > MAX_ROWS:
        raise UnreadableImport(f"at most {MAX_ROWS} rows per import")
    report: list[ImportRow] = []
    for number, data in rows:
        case_number = data.get("case_number") if isinstance(data, dict) else None
        if isinstance(data, dict) and "__error__" in data:
            report.append(
                ImportRow(
                    row=number,
                    case_number=None,
                    status="rejected",
                    errors=[{"msg": data["__error__"], "type": "malformed_row"}],
                )
            )
            continue
        try:
            body = CaseCreate.model_validate(data)
            case = await handlers.import_case(_command(body, actor), unit_of_work_of(CourtUnitOfWork)(runtime))
        except ValidationError as exc:
            report.append(
                ImportRow(row=number, case_number=case_number, status="rejected", errors=validation_errors(exc))
            )
        except DomainError as exc:
            report.append(
                ImportRow(
                    row=number,
                    case_number=case_number,
                    status="rejected",
                    errors=[{"msg": exc.message, "type": exc.code}],
                )
            )
        else:
            report.append(ImportRow(row=number, case_number=case.case_number, status="created", case_id=case.id))
    created = sum(r.status == "created" for r in report)
    result = ImportReport(created=created, rejected=len(report) - created, rows=report)
    return JSONResponse(result.model_dump(mode="json"), status_code=200 if created else 422)


@router.get("", response_model=Page[CasePublic])
async def screen(
    actor: Staff,
    uow: UowDep,
    page: PageDep,
    closure_type: Annotated[ClosureType | None, Query()] = None,
    closed_since: Annotated[LegalDate | None, Query(description="closed on or after")] = None,
    category: Annotated[FocusCategory | None, Query()] = None,
    min_unpaid: Annotated[Decimal | None, Query(ge=0, le=MAX_AMOUNT, max_digits=16, decimal_places=2)] = None,
    unit: Annotated[str | None, Query()] = None,
) -> Page[CasePublic]:
    """Screening: e.g. 终本 cases closed since 2022 in the livelihood category with at least ¥10,000 unpaid."""
    units = visible_units(actor.unit)
    if unit is not None:
        if unit not in units:
            raise Forbidden(f"your unit {actor.unit} cannot see unit {unit}")
        units = frozenset({unit})
    async with uow:
        items, total = await uow.cases.screen(
            units=units,
            closure_type=closure_type,
            closed_since=closed_since,
            category=category.value if category else None,
            min_unpaid=min_unpaid,
            limit=page.limit,
            offset=page.offset,
        )
        return page.of(items, total, lambda c: CasePublic.of(c, masked=True))


@router.get("/{case_id}", response_model=CasePublic)
async def show(case_id: str, actor: Staff, uow: UowDep) -> CasePublic:
    async with uow:
        case = await uow.cases.get(case_id)
        if case is None:
            raise NotFound(f"no enforcement case {case_id}")
        if not can_see(actor.unit, case.unit):
            raise Forbidden(f"case {case.case_number} belongs to another unit")
        return CasePublic.of(case)


@router.post("/{case_id}/lead", status_code=status.HTTP_201_CREATED, response_model=LeadPublic)
async def lead_from_case(
    case_id: str, body: LeadFromCase, actor: Officer, uow: UowDep, runtime: RuntimeDep
) -> LeadPublic:
    """Put a screened case into the lead database (拒执案件动态库), its debtors (and units' representatives) as
    suspects."""
    lead = await handlers.create_lead_from_case(
        commands.CreateLeadFromCase(
            actor=actor,
            case_id=case_id,
            summary=body.summary,
            extra_suspects=[Suspect(**s.model_dump()) for s in body.extra_suspects],
            enforcement_basis=body.enforcement_basis,
        ),
        uow,
    )
    return LeadPublic.of(lead)
