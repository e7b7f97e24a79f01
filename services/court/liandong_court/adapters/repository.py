"""Repositories of the court."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast, func, or_, select

from liandong.persistence.engine import upsert
from liandong.persistence.repository import Repository
from liandong_court.adapters.orm import (
    enforcement_cases,
    evidence,
    evidence_blobs,
    leads,
    payments,
    police_cases,
    publicity_pieces,
    referrals,
    settlements,
    trials,
    typical_cases,
)
from liandong_court.domain.cases import ClosureType, EnforcementCase
from liandong_court.domain.leads import Lead, LeadSource, LeadStatus
from liandong_court.domain.police_cases import PoliceCase
from liandong_court.domain.publicity import Channel, PublicityPiece, TypicalCase
from liandong_court.domain.records import Evidence, Payment, Settlement
from liandong_court.domain.referrals import Referral, ReferralStatus
from liandong_court.domain.trials import Trial, TrialStatus


class EnforcementCaseRepository(Repository[EnforcementCase]):
    model = EnforcementCase

    async def by_number(self, case_number: str) -> EnforcementCase | None:
        case: EnforcementCase | None = await self._uow.session.scalar(
            select(EnforcementCase).where(enforcement_cases.c.case_number == case_number)
        )
        return case

    async def screen(
        self,
        *,
        units: Collection[str],
        closure_type: ClosureType | None,
        closed_since: date | None,
        category: str | None,
        min_unpaid: Decimal | None,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[EnforcementCase], int]:
        c = enforcement_cases.c
        query = select(EnforcementCase).where(c.unit.in_(units))
        if closure_type is not None:
            query = query.where(c.closure_type == closure_type)
        if closed_since is not None:
            query = query.where(c.closure_date >= closed_since)
        if category is not None:
            query = query.where(cast(c.focus_categories, String).contains(f'"{category}"'))
        if min_unpaid is not None:
            query = query.where(c.amount_owed - c.amount_paid >= int(min_unpaid * 100))
        return await self.page(query, c.closure_date.desc(), c.case_number, limit=limit, offset=offset)


class LeadRepository(Repository[Lead]):
    model = Lead

    async def search(
        self,
        *,
        units: Collection[str],
        status: LeadStatus | None,
        source: LeadSource | None = None,
        text: str | None = None,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[Lead], int]:
        query = select(Lead).where(leads.c.unit.in_(units))
        if status is not None:
            query = query.where(leads.c.status == status)
        if source is not None:
            query = query.where(leads.c.source == source)
        if text:
            like = f"%{text}%"
            query = query.where(
                or_(leads.c.enforcement_case_number.like(like), cast(leads.c.suspects, String).like(like))
            )
        return await self.page(query, leads.c.created_at.desc(), leads.c.id, limit=limit, offset=offset)


class PoliceCaseRepository(Repository[PoliceCase]):
    model = PoliceCase

    async def for_lead(self, lead_id: str) -> Sequence[PoliceCase]:
        rows = await self._uow.session.scalars(
            select(PoliceCase).where(police_cases.c.lead_id == lead_id).order_by(police_cases.c.opened_at)
        )
        return rows.all()


class TrialRepository(Repository[Trial]):
    model = Trial

    async def for_lead(self, lead_id: str) -> Sequence[Trial]:
        rows = await self._uow.session.scalars(select(Trial).where(trials.c.lead_id == lead_id).order_by(trials.c.id))
        return rows.all()

    async def for_review(self, review_id: str) -> Trial | None:
        trial = await self._uow.session.scalar(select(Trial).where(trials.c.review_id == review_id))
        if trial is not None:
            self._uow.track(trial)
        return trial

    async def search(
        self, *, units: Collection[str], status: TrialStatus | None, limit: int, offset: int
    ) -> tuple[Sequence[Trial], int]:
        query = select(Trial).where(trials.c.court_unit.in_(units))
        if status is not None:
            query = query.where(trials.c.status == status)
        return await self.page(query, trials.c.received_at.desc(), trials.c.id, limit=limit, offset=offset)


class PublicityRepository(Repository[PublicityPiece]):
    model = PublicityPiece

    async def search(
        self, *, units: Collection[str], channel: Channel | None, limit: int, offset: int
    ) -> tuple[Sequence[PublicityPiece], int]:
        query = select(PublicityPiece).where(publicity_pieces.c.unit.in_(units))
        if channel is not None:
            query = query.where(publicity_pieces.c.channel == channel)
        order = publicity_pieces.c.published_on.desc()
        return await self.page(query, order, publicity_pieces.c.id, limit=limit, offset=offset)


class TypicalCaseRepository(Repository[TypicalCase]):
    model = TypicalCase

    async def search(self, *, units: Collection[str], limit: int, offset: int) -> tuple[Sequence[TypicalCase], int]:
        query = select(TypicalCase).where(typical_cases.c.unit.in_(units))
        order = typical_cases.c.marked_on.desc()
        return await self.page(query, order, typical_cases.c.lead_id, limit=limit, offset=offset)


class ReferralRepository(Repository[Referral]):
    model = Referral

    async def for_lead(self, lead_id: str) -> Sequence[Referral]:
        rows = await self._uow.session.scalars(
            select(Referral).where(referrals.c.lead_id == lead_id).order_by(referrals.c.submitted_at)
        )
        return rows.all()

    async def letters_issued(self, court_code: str, year: int) -> int:
        """Letters numbered before the counter existed (the counter starts after them)."""
        prefix = f"({year}){court_code}执移"
        count = await self._uow.session.scalar(
            select(func.count()).select_from(referrals).where(referrals.c.letter_number.like(f"{prefix}%"))
        )
        return int(count or 0)

    async def search(
        self, *, units: Collection[str], status: ReferralStatus | None, limit: int, offset: int
    ) -> tuple[Sequence[Referral], int]:
        query = select(Referral).where(referrals.c.court_unit.in_(units))
        if status is not None:
            query = query.where(referrals.c.status == status)
        return await self.page(query, referrals.c.submitted_at.desc(), referrals.c.id, limit=limit, offset=offset)


class PaymentRepository(Repository[Payment]):
    model = Payment

    async def for_lead(self, lead_id: str) -> Sequence[Payment]:
        rows = await self._uow.session.scalars(
            select(Payment).where(payments.c.lead_id == lead_id).order_by(payments.c.recorded_at)
        )
        return rows.all()


class SettlementRepository(Repository[Settlement]):
    model = Settlement

    async def for_lead(self, lead_id: str) -> Sequence[Settlement]:
        rows = await self._uow.session.scalars(
            select(Settlement).where(settlements.c.lead_id == lead_id).order_by(settlements.c.recorded_at)
        )
        return rows.all()


class EvidenceRepository(Repository[Evidence]):
    model = Evidence

    async def for_lead(self, lead_id: str) -> Sequence[Evidence]:
        rows = await self._uow.session.scalars(
            select(Evidence).where(evidence.c.lead_id == lead_id).order_by(evidence.c.uploaded_at)
        )
        return rows.all()

    async def on_lead(self, lead_id: str, sha256: str) -> Evidence | None:
        found: Evidence | None = await self._uow.session.scalar(
            select(Evidence).where(evidence.c.lead_id == lead_id, evidence.c.sha256 == sha256)
        )
        return found

    async def citing(self, sha256: str) -> Sequence[Any]:
        """(lead unit, lead id, referred?) for every lead that cites this digest."""
        rows = await self._uow.session.execute(
            select(leads.c.unit, leads.c.id, evidence.c.content_type, evidence.c.filename)
            .join(leads, leads.c.id == evidence.c.lead_id)
            .where(evidence.c.sha256 == sha256)
        )
        return rows.all()

    async def referred_units(self, sha256: str) -> set[str]:
        rows = await self._uow.session.execute(
            select(referrals.c.police_unit)
            .join(evidence, evidence.c.lead_id == referrals.c.lead_id)
            .where(evidence.c.sha256 == sha256)
        )
        return {r[0] for r in rows}

    async def store_content(self, sha256: str, content: bytes) -> None:
        """Keep the content once per digest (a second upload of the same file stores nothing new)."""
        values = {"sha256": sha256, "content": content, "size_bytes": len(content)}
        await self._uow.session.execute(
            upsert(self._uow.session, evidence_blobs).values(values).on_conflict_do_nothing()
        )

    async def content(self, sha256: str) -> bytes | None:
        data: bytes | None = await self._uow.session.scalar(
            select(evidence_blobs.c.content).where(evidence_blobs.c.sha256 == sha256)
        )
        return data
