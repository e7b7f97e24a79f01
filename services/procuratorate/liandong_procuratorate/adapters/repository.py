"""Repository of the matter timeline."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from liandong.clock import utc
from liandong.persistence.repository import Repository
from liandong_procuratorate.adapters.orm import (
    arrest_reviews,
    police_cases,
    prosecution_reviews,
    supervision_cases,
    timeline,
)
from liandong_procuratorate.domain.model import PoliceCaseRecord, TimelineEntry
from liandong_procuratorate.domain.prosecutions import ProsecutionReview, ProsecutionStatus
from liandong_procuratorate.domain.reviews import ArrestReview, ReviewStatus
from liandong_procuratorate.domain.supervision import SupervisionCase, SupervisionStatus

REFERRAL_SUBMITTED = "court.referral.submitted"


class TimelineRepository(Repository[TimelineEntry]):
    model = TimelineEntry

    async def for_matter(self, correlation_id: str) -> Sequence[TimelineEntry]:
        rows = await self._uow.session.scalars(
            select(TimelineEntry)
            .where(timeline.c.correlation_id == correlation_id)
            .order_by(timeline.c.occurred_at, timeline.c.event_id)
        )
        return rows.all()

    async def matter_units(self, correlation_id: str) -> set[str]:
        """The units a matter belongs to: the county of its referral (the court's, whose bureau it went to)."""
        rows = await self._uow.session.scalars(
            select(timeline.c.jurisdiction).where(
                timeline.c.correlation_id == correlation_id, timeline.c.event_type == REFERRAL_SUBMITTED
            )
        )
        return set(rows.all())

    async def matters(self, *, units: Collection[str], limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        """One row per matter referred in the given units: first and last hand-off, and how many."""
        referred_here = select(timeline.c.correlation_id).where(
            timeline.c.event_type == REFERRAL_SUBMITTED, timeline.c.jurisdiction.in_(units)
        )
        grouped = (
            select(
                timeline.c.correlation_id,
                func.min(timeline.c.jurisdiction).label("jurisdiction"),
                func.min(timeline.c.occurred_at).label("first_at"),
                func.max(timeline.c.occurred_at).label("last_at"),
                func.count().label("entries"),
            )
            .where(timeline.c.correlation_id.in_(referred_here))
            .group_by(timeline.c.correlation_id)
        )
        total = await self._uow.session.scalar(select(func.count()).select_from(grouped.subquery()))
        rows = (
            await self._uow.session.execute(
                grouped.order_by(func.max(timeline.c.occurred_at).desc()).limit(limit).offset(offset)
            )
        ).all()
        return [
            {
                "correlation_id": r.correlation_id,
                "jurisdiction": r.jurisdiction,
                "first_at": _aware(r.first_at),
                "last_at": _aware(r.last_at),
                "entries": r.entries,
            }
            for r in rows
        ], int(total or 0)


class ArrestReviewRepository(Repository[ArrestReview]):
    model = ArrestReview

    async def for_request(self, request_id: str) -> ArrestReview | None:
        review = await self._uow.session.scalar(select(ArrestReview).where(arrest_reviews.c.request_id == request_id))
        if review is not None:
            self._uow.track(review)
        return review

    async def search(
        self, *, units: Collection[str], status: ReviewStatus | None, limit: int, offset: int
    ) -> tuple[Sequence[ArrestReview], int]:
        query = select(ArrestReview).where(arrest_reviews.c.unit.in_(units))
        if status is not None:
            query = query.where(arrest_reviews.c.status == status)
        return await self.page(
            query, arrest_reviews.c.received_at.desc(), arrest_reviews.c.id, limit=limit, offset=offset
        )


class SupervisionRepository(Repository[SupervisionCase]):
    model = SupervisionCase

    async def for_source(self, source_id: str) -> SupervisionCase | None:
        """The case opened from a court's request or an arrest review (one per source)."""
        case = await self._uow.session.scalar(
            select(SupervisionCase).where(supervision_cases.c.source_id == source_id).with_for_update()
        )
        if case is not None:
            self._uow.track(case)
        return case

    async def of_matter(self, correlation_id: str) -> Sequence[SupervisionCase]:
        rows = await self._uow.session.scalars(
            select(SupervisionCase).where(supervision_cases.c.correlation_id == correlation_id)
        )
        return rows.all()

    async def search(
        self, *, units: Collection[str], status: SupervisionStatus | None, limit: int, offset: int
    ) -> tuple[Sequence[SupervisionCase], int]:
        query = select(SupervisionCase).where(supervision_cases.c.unit.in_(units))
        if status is not None:
            query = query.where(supervision_cases.c.status == status)
        return await self.page(
            query, supervision_cases.c.opened_at.desc(), supervision_cases.c.id, limit=limit, offset=offset
        )


class ProsecutionRepository(Repository[ProsecutionReview]):
    model = ProsecutionReview

    async def for_case(self, case_id: str) -> ProsecutionReview | None:
        review = await self._uow.session.scalar(
            select(ProsecutionReview).where(prosecution_reviews.c.case_id == case_id).with_for_update()
        )
        if review is not None:
            self._uow.track(review)
        return review

    async def of_matter(self, correlation_id: str) -> Sequence[ProsecutionReview]:
        rows = await self._uow.session.scalars(
            select(ProsecutionReview).where(prosecution_reviews.c.correlation_id == correlation_id).with_for_update()
        )
        reviews = rows.all()
        for review in reviews:
            self._uow.track(review)
        return reviews

    async def search(
        self, *, units: Collection[str], status: ProsecutionStatus | None, limit: int, offset: int
    ) -> tuple[Sequence[ProsecutionReview], int]:
        query = select(ProsecutionReview).where(prosecution_reviews.c.unit.in_(units))
        if status is not None:
            query = query.where(prosecution_reviews.c.status == status)
        order = prosecution_reviews.c.received_at.desc()
        return await self.page(query, order, prosecution_reviews.c.id, limit=limit, offset=offset)


class PoliceCaseRepository(Repository[PoliceCaseRecord]):
    model = PoliceCaseRecord

    async def of_matter(self, correlation_id: str) -> Sequence[PoliceCaseRecord]:
        rows = await self._uow.session.scalars(
            select(PoliceCaseRecord).where(police_cases.c.correlation_id == correlation_id)
        )
        return rows.all()


def _aware(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite returns aggregates of datetimes as text
        value = datetime.fromisoformat(value)
    return utc(value)
