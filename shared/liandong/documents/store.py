"""Documents stored once per act, with the SHA-256 of their PDF (the claim check another agency verifies), and read
back by record, by matter or by id. Rows are never updated: a correction is a new document naming the one it
corrects (`corrects`)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from liandong.clock import Clock
from liandong.documents.kinds import DocumentKind, number
from liandong.documents.render import Draft, html_of, pdf_of
from liandong.envelope import Agency
from liandong.pii import shows_personal_numbers
from liandong.sla.counting import SHANGHAI


class DocumentInfo(BaseModel):
    """A document as listed: everything but its HTML and PDF."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    title: str
    number: str
    agency: str
    issuer: str
    unit: str
    addressee: str
    record_type: str
    record_id: str
    correlation_id: str
    issued_at: datetime
    corrects: str | None
    origin: str
    announced: bool
    personal: bool  # names a person's identity number in full: a read of it is recorded
    sha256: str
    pages: int
    size_bytes: int


INFO_COLUMNS = tuple(DocumentInfo.model_fields)


@dataclass(frozen=True)
class Placement:
    """Where a document belongs: who issues it, the unit whose record it is (who may read it), the record, the
    matter."""

    agency: Agency
    unit: str
    record_type: str
    record_id: str
    correlation_id: str


class IssuesDocuments:
    """What a unit of work adds to `issue_document` and `next_number`: a document numbered as it is issued."""

    clock: Clock

    async def next_number(
        self, kind: str, scope: str, year: int, *, issued: Callable[[], Awaitable[int]] | None = None
    ) -> int:
        raise NotImplementedError

    async def issue_document(self, draft: Draft, place: Placement, *, corrects: str | None = None) -> DocumentInfo:
        raise NotImplementedError

    async def issue_numbered(
        self,
        kind: DocumentKind,
        place: Placement,
        draw: Callable[[str], Draft],
        *,
        scope: str | None = None,
        corrects: str | None = None,
    ) -> DocumentInfo:
        """The act's document numbered now (`document_number`), drawn by `draw` and issued with the act."""
        numbered = await self.document_number(kind, place.unit, scope=scope)
        return await self.issue_document(draw(numbered), place, corrects=corrects)

    async def document_number(self, kind: DocumentKind, unit: str, *, scope: str | None = None) -> str:
        """The next number of its kind for the unit (or `scope`, e.g. a court's code) and the year in Shanghai, in
        the agency's form (`kinds.number`), taken in the act's transaction: for an act that needs its document's
        number before the document is drawn."""
        year = self.clock.now().astimezone(SHANGHAI).year
        return number(kind, unit, year, await self.next_number(kind.name, scope or unit, year))


async def issue(
    session: AsyncSession,
    documents: Table,
    draft: Draft,
    place: Placement,
    *,
    issued_at: datetime,
    corrects: str | None = None,
) -> DocumentInfo:
    """Render the draft and store the document in the act's transaction (it commits, or vanishes, with the act)."""
    html = html_of(draft)
    pdf, pages = await pdf_of(html)
    personal = shows_personal_numbers(html.encode())
    info = described(draft, place, issued_at=issued_at, corrects=corrects, content=pdf, pages=pages, personal=personal)
    await session.execute(insert(documents).values(**info.model_dump(), html=html, pdf=pdf))
    return info


def described(
    draft: Draft,
    place: Placement,
    *,
    issued_at: datetime,
    corrects: str | None,
    content: bytes,
    pages: int,
    personal: bool,
) -> DocumentInfo:
    """A new document's particulars: its draft's, where it belongs, and the digest and size of its content."""
    return DocumentInfo(
        id=str(uuid.uuid4()),
        kind=draft.kind.name,
        title=draft.kind.title,
        number=draft.number,
        issuer=draft.issuer,
        addressee=draft.addressee,
        **place.__dict__,
        issued_at=issued_at,
        corrects=corrects,
        origin="issued",
        announced=False,
        personal=personal,
        sha256=hashlib.sha256(content).hexdigest(),
        pages=pages,
        size_bytes=len(content),
    )


def _info(row: Any) -> DocumentInfo:
    return DocumentInfo(**{name: row._mapping[name] for name in INFO_COLUMNS})


async def of_record(session: AsyncSession, documents: Table, record_type: str, record_id: str) -> list[DocumentInfo]:
    c = documents.c
    query = (
        select(*(c[name] for name in INFO_COLUMNS))
        .where(c.record_type == record_type, c.record_id == record_id)
        .order_by(c.issued_at, c.number)
    )
    return [_info(row) for row in await session.execute(query)]


async def of_matter(session: AsyncSession, documents: Table, correlation_id: str) -> list[DocumentInfo]:
    c = documents.c
    query = (
        select(*(c[name] for name in INFO_COLUMNS))
        .where(c.correlation_id == correlation_id)
        .order_by(c.issued_at, c.number)
    )
    return [_info(row) for row in await session.execute(query)]


async def one(session: AsyncSession, documents: Table, document_id: str) -> DocumentInfo | None:
    c = documents.c
    row = (await session.execute(select(*(c[name] for name in INFO_COLUMNS)).where(c.id == document_id))).first()
    return None if row is None else _info(row)


async def content(session: AsyncSession, documents: Table, document_id: str) -> tuple[str, bytes]:
    """The document's HTML and PDF, in one read."""
    row = (await session.execute(select(documents.c.html, documents.c.pdf).where(documents.c.id == document_id))).one()
    return row.html, bytes(row.pdf)
