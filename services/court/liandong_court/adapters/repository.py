"""Repositories: load and add aggregates through the unit of work, which collects their events."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select

from liandong.persistence.uow import SqlUnitOfWork
from liandong_court.adapters.orm import leads, referrals
from liandong_court.domain.model import Lead, LeadStatus, Referral, ReferralStatus


class LeadRepository:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def add(self, lead: Lead) -> None:
        self._uow.session.add(lead)
        self._uow.track(lead)

    async def get(self, lead_id: str, *, for_update: bool = False) -> Lead | None:
        lead = await self._uow.session.get(Lead, lead_id, with_for_update=for_update)
        if lead is not None:
            self._uow.track(lead)
        return lead

    async def search(
        self, *, units: Collection[str], status: LeadStatus | None, limit: int, offset: int
    ) -> tuple[Sequence[Lead], int]:
        query = select(Lead).where(leads.c.unit.in_(units))
        if status is not None:
            query = query.where(leads.c.status == status)
        total = await self._uow.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await self._uow.session.scalars(
            query.order_by(leads.c.created_at.desc(), leads.c.id).limit(limit).offset(offset)
        )
        return rows.all(), int(total or 0)


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
        total = await self._uow.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await self._uow.session.scalars(
            query.order_by(referrals.c.submitted_at.desc(), referrals.c.id).limit(limit).offset(offset)
        )
        return rows.all(), int(total or 0)
