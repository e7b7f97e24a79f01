"""Repositories of the police: the referral inbox and the evidence fetched from the court."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from liandong.persistence.repository import Repository
from liandong.persistence.uow import SqlUnitOfWork
from liandong_police.adapters.orm import case_log, cases, evidence_items, referrals, supervision_notices
from liandong_police.domain.cases import LOG_FIELDS, Case, log_entry
from liandong_police.domain.model import Referral, ReferralStatus
from liandong_police.domain.supervision import NoticeStatus, SupervisionNotice

FETCHED = "fetched"


class ReferralRepository(Repository[Referral]):
    model = Referral

    async def _count_like(self, column: Any, prefix: str) -> int:
        count = await self._uow.session.scalar(
            select(func.count()).select_from(referrals).where(column.like(f"{prefix}%"))
        )
        return int(count or 0)

    async def receipts_issued(self, unit: str, year: int) -> int:
        """Receipts numbered in the register's first form, before the counter existed (it starts after them)."""
        return await self._count_like(referrals.c.receipt_number, f"{unit}公受〔{year}〕")

    async def case_numbers_issued(self, unit: str, year: int) -> int:
        """Case numbers given by the service before the counter existed, in the register's first form."""
        return await self._count_like(referrals.c.case_number, f"{unit}公立〔{year}〕")

    async def search(
        self, *, units: Collection[str], status: ReferralStatus | None, limit: int, offset: int
    ) -> tuple[Sequence[Referral], int]:
        query = select(Referral).where(referrals.c.police_unit.in_(units))
        if status is not None:
            query = query.where(referrals.c.status == status)
        return await self.page(query, referrals.c.arrived_at.desc(), referrals.c.id, limit=limit, offset=offset)


class CaseRepository(Repository[Case]):
    model = Case

    async def search(
        self, *, units: Collection[str], referral_id: str | None, limit: int, offset: int
    ) -> tuple[Sequence[Case], int]:
        query = select(Case).where(cases.c.police_unit.in_(units))
        if referral_id is not None:
            query = query.where(cases.c.referral_id == referral_id)
        return await self.page(query, cases.c.opened_at.desc(), cases.c.id, limit=limit, offset=offset)

    async def with_log(self, case: Case) -> Case:
        """The case with its investigation log read, oldest entry first (an act that sends or shows it whole)."""
        shown = [case_log.c[name] for name in LOG_FIELDS]
        rows = await self._uow.session.execute(
            select(*shown).where(case_log.c.case_id == case.id).order_by(case_log.c.seq)
        )
        return case.with_log([log_entry(dict(zip(LOG_FIELDS, row, strict=True))) for row in rows])

    async def log_summaries(self, case_ids: Collection[str]) -> dict[str, tuple[int, datetime | None]]:
        """Each case's entry count and when its latest entry was recorded (cases without entries are left out)."""
        if not case_ids:
            return {}
        rows = await self._uow.session.execute(
            select(case_log.c.case_id, func.count(), func.max(case_log.c.recorded_at))
            .where(case_log.c.case_id.in_(case_ids))
            .group_by(case_log.c.case_id)
        )
        return {case_id: (int(count), latest) for case_id, count, latest in rows}

    async def number_taken(self, number: str) -> bool:
        """Whether a case of the register already bears this 立案 number (a number names one case)."""
        found = await self._uow.session.scalar(select(cases.c.id).where(cases.c.case_number == number).limit(1))
        return found is not None


class SupervisionNoticeRepository(Repository[SupervisionNotice]):
    model = SupervisionNotice

    async def search(
        self, *, units: Collection[str], status: NoticeStatus | None, limit: int, offset: int
    ) -> tuple[Sequence[SupervisionNotice], int]:
        query = select(SupervisionNotice).where(supervision_notices.c.police_unit.in_(units))
        if status is not None:
            query = query.where(supervision_notices.c.status == status)
        order = supervision_notices.c.received_at.desc()
        return await self.page(query, order, supervision_notices.c.id, limit=limit, offset=offset)


class EvidenceItemRepository:
    """Evidence rows are records, not aggregates: plain table access."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def expect(self, referral_id: str, manifest: list[dict[str, Any]], at: datetime) -> None:
        """Queue the files of a referral for fetching (the referral, added in this unit of work, is written first)."""
        if manifest:
            await self._uow.session.flush()
            await self._uow.session.execute(
                insert(evidence_items),
                [
                    {
                        "referral_id": referral_id,
                        "sha256": item["sha256"],
                        "evidence_class": item["evidence_class"],
                        "evidence_type": item["evidence_type"],
                        "filename": item["filename"],
                        "content_type": item["content_type"],
                        "size_bytes": item["size_bytes"],
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": at,
                    }
                    for item in manifest
                ],
            )

    async def for_referral(self, referral_id: str) -> Sequence[Any]:
        columns = [c for c in evidence_items.c if c.name != "content"]
        return (
            await self._uow.session.execute(
                select(*columns).where(evidence_items.c.referral_id == referral_id).order_by(evidence_items.c.sha256)
            )
        ).all()

    async def content(self, referral_id: str, sha256: str) -> Any:
        return (
            await self._uow.session.execute(
                select(evidence_items.c.content, evidence_items.c.content_type, evidence_items.c.status).where(
                    evidence_items.c.referral_id == referral_id, evidence_items.c.sha256 == sha256
                )
            )
        ).first()

    async def due(self, now: datetime, limit: int) -> Sequence[Any]:
        return (
            await self._uow.session.execute(
                select(evidence_items.c.referral_id, evidence_items.c.sha256, evidence_items.c.attempts)
                .where(evidence_items.c.status != FETCHED, evidence_items.c.next_attempt_at <= now)
                .order_by(evidence_items.c.next_attempt_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()

    async def update(self, referral_id: str, sha256: str, **values: Any) -> None:
        await self._uow.session.execute(
            update(evidence_items)
            .where(evidence_items.c.referral_id == referral_id, evidence_items.c.sha256 == sha256)
            .values(**values)
        )
