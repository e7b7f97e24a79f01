"""The papers of a record and the file of a matter, at every agency:

- `GET /{records}/{id}/documents`: the documents of one record (e.g. `/leads/{id}/documents`), in order;
- `GET /documents/{id}` its particulars, `GET /documents/{id}.pdf` the PDF, `GET /documents/{id}.html` for the screen;
- `GET /matters/{correlation_id}/file`: the matter's file catalogue (卷宗目录) — every document and evidence file of
  the matter this agency holds, in order, with number, title, date, pages and digest;
- `GET /matters/{correlation_id}/file.zip`: those files with the catalogue as a PDF.

Staff of the record's unit (and the city) read them. Another agency's service (scope `documents:read`) reads the PDF
of a document announced on an event — the claim check of liandong.documents.claims — and nothing else. A document
that names a person's identity number in full is a read of personal data, recorded like a record's detail.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from liandong.api.auth import CurrentPrincipal, staff_or_service
from liandong.api.deps import RuntimeDep, ShanghaiTime
from liandong.documents import store
from liandong.documents.render import catalogue_html, chinese_date, pdf_of
from liandong.errors import Forbidden, NotFound
from liandong.runtime import Runtime, ServiceSpec
from liandong.security import Principal
from liandong.sla.counting import SHANGHAI
from liandong.units import can_see

DocumentId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
CorrelationId = Annotated[str, Path(max_length=128)]
DocumentReader = Annotated[Principal, Depends(staff_or_service("documents:read"))]


class DocumentOut(store.DocumentInfo):
    """A document's particulars as the API shows them: its time in Shanghai, and where its PDF is."""

    issued_at: ShanghaiTime
    pdf_url: str

    @classmethod
    def of(cls, info: store.DocumentInfo) -> DocumentOut:
        return cls(**info.model_dump(), pdf_url=f"/documents/{info.id}.pdf")


@dataclass(frozen=True)
class MatterFile:
    """An evidence file of a matter, as a service's records hold it (for the catalogue)."""

    title: str
    at: datetime
    unit: str
    sha256: str
    filename: str
    content_type: str
    size_bytes: int
    content: Callable[[AsyncSession], Awaitable[bytes | None]]


class CatalogueEntry(BaseModel):
    seq: int
    kind: str  # document | evidence
    origin: str  # issued | received (a document); collected (an evidence file)
    issuer: str | None  # the issuing body of a document
    number: str | None
    title: str
    date: str  # the Shanghai day, 2026年12月7日
    at: ShanghaiTime
    pages: int | None
    sha256: str
    size_bytes: int
    url: str


class MatterFileCatalogue(BaseModel):
    correlation_id: str
    agency: str
    entries: list[CatalogueEntry]


def _readable(actor: Principal, unit: str) -> bool:
    return can_see(actor.unit, unit)


async def _document(runtime: Runtime, actor: Principal, document_id: str) -> store.DocumentInfo:
    async with runtime.uow() as uow:
        info = await store.one(uow.session, runtime.tables.documents, document_id)
    if info is None:
        raise NotFound(f"no document {document_id}")
    if actor.kind == "service":  # another agency fetching what was announced to it
        if not (info.announced and info.origin == "issued"):
            raise Forbidden(f"document {document_id} was not announced to other agencies")
    elif not _readable(actor, info.unit):
        raise Forbidden(f"document {document_id} belongs to another unit")
    return info


async def _content(runtime: Runtime, document_id: str) -> tuple[str, bytes]:
    async with runtime.uow() as uow:
        return await store.content(uow.session, runtime.tables.documents, document_id)


async def _record_personal_read(request: Request, actor: Principal, info: store.DocumentInfo) -> None:
    if info.personal:
        await request.app.state.record_read(actor, request.url.path, getattr(request.state, "request_id", None))


def _filename(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text)


def _disposition(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}


router = APIRouter(tags=["documents"])


@router.get("/documents/{document_id}.pdf", response_class=Response)
async def document_pdf(
    request: Request, document_id: DocumentId, runtime: RuntimeDep, actor: DocumentReader
) -> Response:
    info = await _document(runtime, actor, document_id)
    _, pdf = await _content(runtime, document_id)
    await _record_personal_read(request, actor, info)
    headers = {"X-Content-SHA256": info.sha256, **_disposition(_filename(f"{info.title}{info.number}.pdf"))}
    return Response(content=pdf, media_type="application/pdf", headers=headers)


@router.get("/documents/{document_id}.html", response_class=HTMLResponse)
async def document_html(
    request: Request, document_id: DocumentId, runtime: RuntimeDep, actor: CurrentPrincipal
) -> HTMLResponse:
    info = await _document(runtime, actor, document_id)
    if info.origin != "issued":
        raise NotFound(f"document {document_id} was received from {info.issuer}: its PDF is the document kept")
    html, _ = await _content(runtime, document_id)
    await _record_personal_read(request, actor, info)
    return HTMLResponse(html)


@router.get("/documents/{document_id}", response_model=DocumentOut)
async def document(document_id: DocumentId, runtime: RuntimeDep, actor: CurrentPrincipal) -> DocumentOut:
    return DocumentOut.of(await _document(runtime, actor, document_id))


async def _catalogue(
    runtime: Runtime, actor: Principal, correlation_id: str
) -> tuple[list[CatalogueEntry], list[store.DocumentInfo], list[MatterFile]]:
    async with runtime.uow() as uow:
        documents = await store.of_matter(uow.session, runtime.tables.documents, correlation_id)
        files = await runtime.spec.matter_files(uow.session, correlation_id) if runtime.spec.matter_files else []
    if not documents and not files:
        raise NotFound(f"no file of matter {correlation_id} here")
    documents = [d for d in documents if _readable(actor, d.unit)]
    files = [f for f in files if _readable(actor, f.unit)]
    if not documents and not files:
        raise Forbidden(f"matter {correlation_id} is of another unit")
    lines: list[tuple[datetime, int, Any]] = [(d.issued_at, 0, d) for d in documents] + [(f.at, 1, f) for f in files]
    lines.sort(key=lambda line: (line[0], line[1]))
    entries = []
    for seq, (at, _, item) in enumerate(lines, start=1):
        day = chinese_date(at.astimezone(SHANGHAI).date())
        if isinstance(item, store.DocumentInfo):
            entries.append(
                CatalogueEntry(
                    seq=seq,
                    kind="document",
                    origin=item.origin,
                    issuer=item.issuer,
                    number=item.number,
                    title=item.title,
                    date=day,
                    at=at,
                    pages=item.pages,
                    sha256=item.sha256,
                    size_bytes=item.size_bytes,
                    url=f"/documents/{item.id}.pdf",
                )
            )
        else:
            entries.append(
                CatalogueEntry(
                    seq=seq,
                    kind="evidence",
                    origin="collected",
                    issuer=None,
                    number=None,
                    title=item.title,
                    date=day,
                    at=at,
                    pages=None,
                    sha256=item.sha256,
                    size_bytes=item.size_bytes,
                    url=f"/evidence/{item.sha256}",
                )
            )
    return entries, documents, files


@router.get("/matters/{correlation_id}/file", response_model=MatterFileCatalogue)
async def matter_file(
    correlation_id: CorrelationId, runtime: RuntimeDep, actor: CurrentPrincipal
) -> MatterFileCatalogue:
    entries, _, _ = await _catalogue(runtime, actor, correlation_id)
    return MatterFileCatalogue(correlation_id=correlation_id, agency=runtime.agency, entries=entries)


@router.get("/matters/{correlation_id}/file.zip", response_class=Response)
async def matter_file_zip(
    request: Request, correlation_id: CorrelationId, runtime: RuntimeDep, actor: CurrentPrincipal
) -> Response:
    """The matter's files in catalogue order, each named by its place, title and number, with 00-卷宗目录.pdf."""
    entries, documents, files = await _catalogue(runtime, actor, correlation_id)
    by_digest = {d.sha256: d for d in documents}
    evidence = {f.sha256: f for f in files}
    rows = [(str(e.seq), e.number or "", e.title, e.date, str(e.pages) if e.pages is not None else "") for e in entries]
    catalogue, _ = await pdf_of(
        catalogue_html(
            "卷宗目录",
            ("序号", "文号", "题名", "日期", "页数"),
            rows,
            [e.sha256 for e in entries],
            f"案件关联号 {correlation_id} · {runtime.spec.title}",
        )
    )
    buffer = io.BytesIO()
    personal = False
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("00-卷宗目录.pdf", catalogue)
        async with runtime.uow() as uow:
            for entry in entries:
                if entry.kind == "document":
                    info = by_digest[entry.sha256]
                    _, data = await store.content(uow.session, runtime.tables.documents, info.id)
                    personal = personal or info.personal
                    name = f"{entry.seq:02d}-{info.title}-{info.number}.pdf"
                else:
                    item = evidence[entry.sha256]
                    data = await item.content(uow.session) or b""
                    name = f"{entry.seq:02d}-{item.filename}"
                archive.writestr(_filename(name), data)
    if personal:
        await request.app.state.record_read(actor, request.url.path, getattr(request.state, "request_id", None))
    return Response(
        content=buffer.getvalue(),
        media_type="application/zip",
        headers=_disposition(_filename(f"卷宗-{correlation_id}.zip")),
    )


def record_documents(app: FastAPI, runtime_spec: ServiceSpec) -> None:
    """`GET /{records}/{id}/documents` for each (collection, record type) the service names (`documents_of`)."""
    for collection, record_type in runtime_spec.documents_of:
        app.add_api_route(
            f"/{collection}/{{record_id}}/documents",
            _lister(record_type),
            methods=["GET"],
            response_model=list[DocumentOut],
            tags=["documents"],
            name=f"{record_type}_documents",
            summary=f"The documents of a {record_type.replace('_', ' ')}, in order",
        )


def _lister(record_type: str) -> Callable[..., Awaitable[list[DocumentOut]]]:
    async def list_documents(
        runtime: RuntimeDep, actor: CurrentPrincipal, record_id: str = Path(max_length=128)
    ) -> list[DocumentOut]:
        async with runtime.uow() as uow:
            found = await store.of_record(uow.session, runtime.tables.documents, record_type, record_id)
        if any(not _readable(actor, d.unit) for d in found):
            raise Forbidden(f"the {record_type} {record_id} belongs to another unit")
        return [DocumentOut.of(d) for d in found]

    return list_documents
