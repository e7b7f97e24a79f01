"""The procuratorate unit of work: the shared SQL unit of work plus its repositories."""

from __future__ import annotations

from liandong.persistence.uow import SqlUnitOfWork
from liandong_procuratorate.adapters.repository import (
    ArrestReviewRepository,
    PoliceCaseRepository,
    ProsecutionRepository,
    SupervisionRepository,
    TimelineRepository,
)


class ProcuratorateUnitOfWork(SqlUnitOfWork):
    @property
    def timeline(self) -> TimelineRepository:
        return TimelineRepository(self)

    @property
    def reviews(self) -> ArrestReviewRepository:
        return ArrestReviewRepository(self)

    @property
    def supervision(self) -> SupervisionRepository:
        return SupervisionRepository(self)

    @property
    def police_cases(self) -> PoliceCaseRepository:
        return PoliceCaseRepository(self)

    @property
    def prosecutions(self) -> ProsecutionRepository:
        return ProsecutionRepository(self)
