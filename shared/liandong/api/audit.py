"""/audit: the service's audit trail of one subject (a lead, a referral, a case, a matter…), for its supervisors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import Field
from sqlalchemy import func, select

from liandong import audit
from liandong.api.auth import spec_roles
from liandong.api.deps import Page, PageDep, PublicModel, RuntimeDep, ShanghaiTime
from liandong.api.errors import ApiError
from liandong.security import Principal
from liandong.units import CITY_CODE

router = APIRouter(tags=["audit"])


Auditor = Annotated[
    Principal, Depends(spec_roles(lambda spec: spec.audit_roles, "the audit trail is read by the roles"))
]


class AuditEntryOut(PublicModel):
    seq: int
    at: ShanghaiTime
    actor: str
    role: str
    unit: str
    action: str
    subject_type: str
    subject_id: str
    request_id: str | None
    change_digest: str
    hash: str


@router.get("/audit", response_model=Page[AuditEntryOut])
async def audit_trail(
    runtime: RuntimeDep,
    reader: Auditor,
    page: PageDep,
    subject_id: Annotated[str, Query(min_length=1, max_length=200, description="a lead, referral, case or matter id")],
    since: Annotated[datetime | None, Query(description="entries at or after this time")] = None,
) -> Page[AuditEntryOut]:
    """Who did what to the subject, when, and at whose request, oldest first. A county's supervisor reads the acts of
    their own unit; the city's read all. The chain itself is checked with `python -m liandong audit verify`."""
    log = runtime.tables.audit_log
    query = select(log).where(log.c.subject_id == subject_id)
    if reader.unit != CITY_CODE:
        query = query.where(log.c.unit == reader.unit)
    if since is not None:
        query = query.where(log.c.at >= since)
    async with runtime.session_factory() as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        rows = (await session.execute(query.order_by(log.c.seq).limit(page.limit).offset(page.offset))).all()
    return Page(
        items=[AuditEntryOut.of(row) for row in rows], total=int(total or 0), limit=page.limit, offset=page.offset
    )


class PersonalDataReadOut(PublicModel):
    at: ShanghaiTime
    actor: str
    role: str
    unit: str
    path: str = Field(description="what was read (the record's address)")
    request_id: str | None


@router.get("/audit/reads", response_model=Page[PersonalDataReadOut])
async def personal_data_reads(
    runtime: RuntimeDep,
    reader: Auditor,
    page: PageDep,
    actor: Annotated[str | None, Query(max_length=200, description="reads by this account")] = None,
    path: Annotated[str | None, Query(max_length=500, description="reads of this record, e.g. /leads/{id}")] = None,
    since: Annotated[datetime | None, Query(description="reads at or after this time")] = None,
    until: Annotated[datetime | None, Query(description="reads before this time")] = None,
) -> Page[PersonalDataReadOut]:
    """Who read a record showing identity or phone numbers in full, and when, newest first. A county's supervisor
    lists the reads by their unit's staff; the city's list all."""
    reads = runtime.tables.personal_data_reads
    query = select(reads)
    if reader.unit != CITY_CODE:
        query = query.where(reads.c.unit == reader.unit)
    for column, value in ((reads.c.actor, actor), (reads.c.path, path)):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(reads.c.at >= since)
    if until is not None:
        query = query.where(reads.c.at < until)
    async with runtime.session_factory() as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        rows = (await session.execute(query.order_by(reads.c.id.desc()).limit(page.limit).offset(page.offset))).all()
    items = [PersonalDataReadOut.model_validate(dict(row._mapping)) for row in rows]
    return Page(items=items, total=int(total or 0), limit=page.limit, offset=page.offset)


class RowDifferenceOut(PublicModel):
    subject_type: str
    subject_id: str
    table: str
    seq: int = Field(description="the entry of the last act that wrote the record")
    action: str
    at: ShanghaiTime
    reason: str


class RowsVerdictOut(PublicModel):
    checked: int = Field(description="records recomputed against the row digest of the last act that wrote them")
    differing: list[RowDifferenceOut]


class ChainVerdictOut(PublicModel):
    intact: bool = Field(description="the chain fits, and (with rows=true) every record matches its last act")
    entries: int = Field(description="entries checked and found intact")
    broken_at: int | None = Field(description="the seq of the first entry that does not fit")
    reason: str
    rows: RowsVerdictOut | None = None


@router.get("/audit/verify", response_model=ChainVerdictOut)
async def verify_chain(
    runtime: RuntimeDep,
    reader: Auditor,
    rows: Annotated[bool, Query(description="also recompute each record's row against its last act")] = False,
) -> ChainVerdictOut:
    """Recompute the whole hash chain (the same check as `python -m liandong audit verify [--rows]`): intact, or
    the first entry edited, removed or inserted; with rows=true, every record whose row was changed or deleted
    outside any act. City-level auditors only: it reads every entry."""
    if reader.unit != CITY_CODE:
        raise ApiError(403, "forbidden", "the whole chain is verified at the city level")
    async with runtime.session_factory() as session:
        verdict = await audit.verify(session, runtime.tables)
        checked = await audit.verify_rows(session, runtime.tables, runtime.spec.metadata) if rows else None
    rows_out = (
        None
        if checked is None
        else RowsVerdictOut(
            checked=checked.checked, differing=[RowDifferenceOut(**vars(d)) for d in checked.differences]
        )
    )
    return ChainVerdictOut(
        intact=verdict.intact and (checked is None or checked.intact),
        entries=verdict.entries,
        broken_at=verdict.broken_at,
        reason=verdict.reason,
        rows=rows_out,
    )
