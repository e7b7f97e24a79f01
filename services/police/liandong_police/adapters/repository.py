"""Repositories of the police: the referral inbox."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select

from liandong.persistence.uow import SqlUnitOfWork
from liandong_police.adapters.orm import referrals
from liandong_police.domain.model import Referral, ReferralStatus, receipt_number


class ReferralRepository:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def add(self, referral: Referral) -> None:
        self._uow.session.add(referral)
        self._uow.track(referral)

    async def get(self, referral_id: str, *, for_update: bool = False) -> Referral | None:
        referral = await self._uow.session.get(Referral, referral_id, with_for_update=for_update)
        if referral is not None:
            self._uow.track(referral)
        return referral

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
        total = await self._uow.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await self._uow.session.scalars(
            query.order_by(referrals.c.arrived_at.desc(), referrals.c.id).limit(limit).offset(offset)
        )
        return rows.all(), int(total or 0)
