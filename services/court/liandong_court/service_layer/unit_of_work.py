"""The court's unit of work: the shared SQL unit of work plus the court's repositories."""

from __future__ import annotations

from liandong.persistence.uow import SqlUnitOfWork
from liandong_court.adapters.repository import (
    EnforcementCaseRepository,
    EvidenceRepository,
    LeadRepository,
    PaymentRepository,
    PoliceCaseRepository,
    PublicityRepository,
    ReferralRepository,
    SettlementRepository,
    TrialRepository,
    TypicalCaseRepository,
)


class CourtUnitOfWork(SqlUnitOfWork):
    @property
    def cases(self) -> EnforcementCaseRepository:
        return EnforcementCaseRepository(self)

    @property
    def leads(self) -> LeadRepository:
        return LeadRepository(self)

    @property
    def referrals(self) -> ReferralRepository:
        return ReferralRepository(self)

    @property
    def payments(self) -> PaymentRepository:
        return PaymentRepository(self)

    @property
    def settlements(self) -> SettlementRepository:
        return SettlementRepository(self)

    @property
    def evidence(self) -> EvidenceRepository:
        return EvidenceRepository(self)

    @property
    def police_cases(self) -> PoliceCaseRepository:
        return PoliceCaseRepository(self)

    @property
    def trials(self) -> TrialRepository:
        return TrialRepository(self)

    @property
    def publicity(self) -> PublicityRepository:
        return PublicityRepository(self)

    @property
    def typical_cases(self) -> TypicalCaseRepository:
        return TypicalCaseRepository(self)
