"""The court's unit of work: the shared SQL unit of work plus the court's repositories."""

from __future__ import annotations

from liandong.persistence.uow import SqlUnitOfWork
from liandong_court.adapters.repository import LeadRepository, ReferralRepository


class CourtUnitOfWork(SqlUnitOfWork):
    @property
    def leads(self) -> LeadRepository:
        return LeadRepository(self)

    @property
    def referrals(self) -> ReferralRepository:
        return ReferralRepository(self)
