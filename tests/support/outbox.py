"""Helpers to put envelopes in an outbox and to build test envelopes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from liandong.clock import Clock
from liandong.contracts import ReferralReceivedV1
from liandong.envelope import Envelope, ProducerRef
from liandong.persistence.tables import CommonTables
from liandong.persistence.uow import SqlUnitOfWork


def receipt_envelope(referral_id: str | None = None, *, correlation_id: str = "lead-1") -> Envelope:
    referral_id = referral_id or str(uuid.uuid4())
    return Envelope.wrap(
        ReferralReceivedV1(
            referral_id=referral_id,
            police_unit="421222",
            receipt_number=f"421222公受〔2025〕{uuid.uuid4().int % 100000:05d}号",
            received_at=datetime(2025, 10, 10, 7, 0, tzinfo=UTC),
            registered_by="tongcheng.investigator",
        ),
        producer=ProducerRef(agency="police", unit="421222"),
        jurisdiction="421222",
        aggregate_id=referral_id,
        correlation_id=correlation_id,
        occurred_at=datetime(2025, 10, 10, 7, 0, tzinfo=UTC),
    )


def no_translation(event: object) -> list[Envelope]:
    return []


async def put_in_outbox(
    sessions: async_sessionmaker[AsyncSession], tables: CommonTables, clock: Clock, envelopes: list[Envelope]
) -> None:
    uow = SqlUnitOfWork(session_factory=sessions, tables=tables, clock=clock, translate=no_translation)
    async with uow:
        for envelope in envelopes:
            uow.emit(envelope)
        await uow.commit()


async def count(sessions: async_sessionmaker[AsyncSession], query: object) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(query)) or 0)  # type: ignore[arg-type]
