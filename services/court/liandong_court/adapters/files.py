"""The evidence files of a matter as the court holds them, for the matter's file catalogue (卷宗目录)."""

from __future__ import annotations

from functools import partial

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from liandong.api.documents import MatterFile
from liandong.console.labels import VALUES
from liandong_court.adapters.orm import evidence, evidence_blobs, leads


async def _content(sha256: str, session: AsyncSession) -> bytes | None:
    data = await session.scalar(select(evidence_blobs.c.content).where(evidence_blobs.c.sha256 == sha256))
    return None if data is None else bytes(data)


async def matter_files(session: AsyncSession, correlation_id: str) -> list[MatterFile]:
    """Every evidence file of the matter's lead (a matter is its lead: the correlation id is the lead's id)."""
    rows = await session.execute(
        select(evidence, leads.c.unit)
        .join(leads, leads.c.id == evidence.c.lead_id)
        .where(evidence.c.lead_id == correlation_id)
        .order_by(evidence.c.uploaded_at, evidence.c.filename)
    )
    return [
        MatterFile(
            title=f"证据材料：{VALUES.get(row.evidence_type, row.evidence_type)}（{row.filename}）",
            at=row.uploaded_at,
            unit=row.unit,
            sha256=row.sha256,
            filename=row.filename,
            content_type=row.content_type,
            size_bytes=row.size_bytes,
            content=partial(_content, row.sha256),
        )
        for row in rows
    ]
