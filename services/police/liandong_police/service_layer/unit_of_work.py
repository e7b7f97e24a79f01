"""The police unit of work: the shared SQL unit of work plus the police repositories."""

from __future__ import annotations

from liandong.persistence.uow import SqlUnitOfWork
from liandong_police.adapters.repository import (
    CaseRepository,
    EvidenceItemRepository,
    ReferralRepository,
    SupervisionNoticeRepository,
)


class PoliceUnitOfWork(SqlUnitOfWork):
    @property
    def referrals(self) -> ReferralRepository:
        return ReferralRepository(self)

    @property
    def evidence(self) -> EvidenceItemRepository:
        return EvidenceItemRepository(self)

    @property
    def cases(self) -> CaseRepository:
        return CaseRepository(self)

    @property
    def notices(self) -> SupervisionNoticeRepository:
        return SupervisionNoticeRepository(self)
