"""Repositories of the police: the referral inbox."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select

from liandong.persistence.repository import Repository
from liandong_police.adapters.orm import referrals
from liandong_police.domain.model import Referral, ReferralStatus, receipt_number


class ReferralRepository(Repository[Referral]):
    model = Referral

    async def next_receipt_sequence(self, unit: str, year: int) -> int:
        prefix = receipt_number(unit, year, 0)[: -len("00000号")]
        count = await self._uow.session.scalar(
            select(func.count()).select_from(referrals).where(referrals.c.receipt_number.like(f"{prefix}%"))
        )
        return int(count or 0) + 1

    async def search(
        self, *, units: Collection[str], status: ReferralStatus | None, limit: int, offset: int
    ) -> tuple[Sequence[Referral], int]:
        query = select(Referral).where(referrals.c.police_unit.in_(units))
        if status is not None:
            query = query.where(referrals.c.status == status)
        return await self.page(query, referrals.c.arrived_at.desc(), referrals.c.id, limit=limit, offset=offset)
