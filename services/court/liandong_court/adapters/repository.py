"""Repositories of the court: leads and referrals."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select

from liandong.persistence.repository import Repository
from liandong_court.adapters.orm import leads, referrals
from liandong_court.domain.model import Lead, LeadStatus, Referral, ReferralStatus


class LeadRepository(Repository[Lead]):
    model = Lead

    async def search(
        self, *, units: Collection[str], status: LeadStatus | None, limit: int, offset: int
    ) -> tuple[Sequence[Lead], int]:
        query = select(Lead).where(leads.c.unit.in_(units))
        if status is not None:
            query = query.where(leads.c.status == status)
        return await self.page(query, leads.c.created_at.desc(), leads.c.id, limit=limit, offset=offset)


class ReferralRepository(Repository[Referral]):
    model = Referral

    async def for_lead(self, lead_id: str) -> Sequence[Referral]:
        rows = await self._uow.session.scalars(
            select(Referral).where(referrals.c.lead_id == lead_id).order_by(referrals.c.submitted_at)
        )
        return rows.all()

    async def search(
        self, *, units: Collection[str], status: ReferralStatus | None, limit: int, offset: int
    ) -> tuple[Sequence[Referral], int]:
        query = select(Referral).where(referrals.c.court_unit.in_(units))
        if status is not None:
            query = query.where(referrals.c.status == status)
        return await self.page(query, referrals.c.submitted_at.desc(), referrals.c.id, limit=limit, offset=offset)
