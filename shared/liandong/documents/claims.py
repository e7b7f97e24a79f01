"""Documents another agency announced: claimed with the event that carried their reference, fetched from the issuing
agency by the document fetcher and verified by their SHA-256 (like evidence), then kept in this agency's file.

- `announce`: the issuing side. An act's documents ride on the events of the same matter its unit of work emits
  (`Envelope.documents`); a document so announced may be fetched by the other agencies' services.
- `claim`: the receiving side, in the consumer's transaction: one claim per document not held yet, so the event and
  the promise to fetch its papers commit together (an event applied twice claims once).
- `DocumentFetcher`: a worker of every service; each due claim is tried against the issuing agency's
  `GET /documents/{id}.pdf`, and a verified PDF is stored as a document of origin `received` under the record the
  event was about (its aggregate), in the unit it was addressed to (its jurisdiction).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from liandong.clock import Clock
from liandong.documents.store import DocumentInfo
from liandong.envelope import DocumentRef, Envelope
from liandong.peers import PeerClient
from liandong.persistence.engine import upsert
from liandong.persistence.tables import CommonTables
from liandong.worker import PeriodicWorker

FETCHED = "fetched"


def ref_of(info: DocumentInfo) -> DocumentRef:
    return DocumentRef(
        id=info.id,
        kind=info.kind,
        title=info.title,
        number=info.number,
        issuer=info.issuer,
        addressee=info.addressee,
        corrects=info.corrects,
        sha256=info.sha256,
        pages=info.pages,
        size_bytes=info.size_bytes,
        issued_at=info.issued_at,
    )


async def announce(
    session: AsyncSession, tables: CommonTables, envelopes: Sequence[Envelope], issued: Sequence[DocumentInfo]
) -> list[Envelope]:
    """The envelopes, each carrying the references of the documents issued for its matter; those documents are
    marked announced (readable by the other agencies' services). Deadline events carry none."""
    if not issued:
        return list(envelopes)
    carried: list[Envelope] = []
    announced: set[str] = set()
    for envelope in envelopes:
        refs = tuple(ref_of(d) for d in issued if d.correlation_id == envelope.correlation_id)
        if refs and envelope.aggregate_type != "deadline":
            envelope = envelope.model_copy(update={"documents": refs})
            announced.update(r.id for r in refs)
        carried.append(envelope)
    if announced:
        documents = tables.documents
        await session.execute(update(documents).where(documents.c.id.in_(sorted(announced))).values(announced=True))
    return carried


async def claim(session: AsyncSession, tables: CommonTables, envelope: Envelope, now: datetime) -> None:
    """A claim for each document the event announces, unless it is claimed already."""
    claims = tables.document_claims
    for ref in envelope.documents:
        await session.execute(
            upsert(session, claims)
            .values(
                id=ref.id,
                source=envelope.producer.agency,
                unit=envelope.jurisdiction,
                record_type=envelope.aggregate_type,
                record_id=envelope.aggregate_id,
                correlation_id=envelope.correlation_id,
                event_id=str(envelope.event_id),
                ref=ref.model_dump_json(),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                claimed_at=now,
            )
            .on_conflict_do_nothing(index_elements=[claims.c.id])
        )


class DocumentFetcher(PeriodicWorker):
    """Fetches every due claim from its issuing agency, verifies it and files it; retries with backoff."""

    def __init__(
        self,
        *,
        uow_factory: Callable[[], Any],
        peers: Mapping[str, PeerClient],
        clock: Clock,
        interval_seconds: float = 2.0,
        batch_size: int = 20,
    ) -> None:
        super().__init__("document-fetcher", interval_seconds)
        self._uow_factory = uow_factory
        self._peers = dict(peers)
        self._clock = clock
        self._batch = batch_size

    async def run_once(self) -> int:
        """Try every claim that is due; returns how many were tried. The fetches happen between two short
        transactions (the claims read, then the results written), never inside one."""
        now = self._clock.now()
        async with self._uow_factory() as uow:
            claims = uow.tables.document_claims
            due = (
                await uow.session.execute(
                    select(claims)
                    .where(
                        claims.c.status != FETCHED,
                        claims.c.next_attempt_at <= now,
                        claims.c.source.in_(sorted(self._peers)),
                    )
                    .order_by(claims.c.next_attempt_at)
                    .limit(self._batch)
                )
            ).all()
        tried = []
        for row in due:
            ref = DocumentRef.model_validate_json(row.ref)
            tried.append(
                (
                    row,
                    ref,
                    await self._peers[row.source].fetch(f"/documents/{ref.id}.pdf", ref.sha256, row.attempts, now),
                )
            )
        if tried:
            async with self._uow_factory() as uow:
                session: AsyncSession = uow.session
                tables: CommonTables = uow.tables
                for row, ref, values in tried:
                    content = values.pop("content", None)
                    values.pop("content_type", None)
                    if isinstance(content, bytes):  # verified: filed once, whichever replica fetched it first
                        filed = upsert(session, tables.documents).values(**_received(row, ref, content))
                        await session.execute(filed.on_conflict_do_nothing(index_elements=[tables.documents.c.id]))
                    claims = tables.document_claims
                    await session.execute(update(claims).where(claims.c.id == row.id).values(**values))
                await uow.commit()
        return len(due)

    async def run_round(self) -> bool:
        return await self.run_once() >= self._batch

    async def on_stop(self) -> None:
        for peer in self._peers.values():
            await peer.close()


def _received(claim: Any, ref: DocumentRef, pdf: bytes) -> dict[str, Any]:
    """The document row of a verified PDF another agency issued: filed under the record its event was about."""
    return {
        "id": ref.id,
        "kind": ref.kind,
        "title": ref.title,
        "number": ref.number,
        "agency": claim.source,
        "issuer": ref.issuer,
        "unit": claim.unit,
        "addressee": ref.addressee,
        "record_type": claim.record_type,
        "record_id": claim.record_id,
        "correlation_id": claim.correlation_id,
        "issued_at": ref.issued_at,
        "corrects": ref.corrects,
        "origin": "received",
        "announced": False,
        "sha256": ref.sha256,
        "pages": ref.pages,
        "size_bytes": len(pdf),
        "html": "",
        "pdf": pdf,
    }


async def claims_status(session: AsyncSession, tables: CommonTables, now: datetime, limit: int = 100) -> dict[str, Any]:
    """The documents announced here and not fetched yet: how many, the oldest's age, and each with its last error."""
    claims = tables.document_claims
    waiting = claims.c.status != FETCHED
    count, oldest = (await session.execute(select(func.count(), func.min(claims.c.claimed_at)).where(waiting))).one()
    rows: Sequence[Any] = []  # /healthz and /metrics ask for the count and age only (limit 0): no second read
    if limit:
        rows = (await session.execute(select(claims).where(waiting).order_by(claims.c.claimed_at).limit(limit))).all()
    return {
        "unfetched": int(count or 0),
        "oldest_unfetched_seconds": round((now - oldest).total_seconds(), 1) if oldest is not None else None,
        "claims": [
            {
                "document_id": row.id,
                "source": row.source,
                "number": (ref := DocumentRef.model_validate_json(row.ref)).number,
                "title": ref.title,
                "correlation_id": row.correlation_id,
                "status": row.status,
                "attempts": row.attempts,
                "next_attempt_at": row.next_attempt_at.isoformat(),
                "last_error": row.last_error,
            }
            for row in rows
        ],
    }
