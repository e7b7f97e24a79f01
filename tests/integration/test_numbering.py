"""Numbered documents under concurrency: staff acting at the same moment all succeed, and the numbers are unique and
consecutive (a counter per unit, kind and year, taken in the act's own transaction), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from liandong.clock import ManualClock
from liandong.contracts import ReferralSubmittedV1, Suspect
from liandong.contracts.common import PartyKind, SuspectRole
from liandong.deadlines.engine import DeadlineEngine
from liandong.security import Principal
from liandong_court.adapters.orm import common as court_tables
from liandong_court.adapters.translators import translate as court_translate
from liandong_court.bootstrap import spec as court_spec
from liandong_court.domain.leads import Assessment, LeadSource
from liandong_court.domain.values import Suspect as LeadSuspect
from liandong_court.service_layer import commands as court_commands
from liandong_court.service_layer import handlers as court_handlers
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork
from liandong_police.adapters.orm import common as police_tables
from liandong_police.adapters.translators import translate as police_translate
from liandong_police.bootstrap import spec as police_spec
from liandong_police.service_layer import commands as police_commands
from liandong_police.service_layer import handlers as police_handlers
from liandong_police.service_layer.event_handlers import on_referral_submitted
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork
from tests.integration.conftest import Database, migrated
from tests.support.deliveries import delivery
from tests.support.letters import CREDITOR, ENFORCEMENT_BASIS, NOT_YET_PROVED

CONCURRENT = 50
T0 = datetime(2025, 10, 9, 2, 0, tzinfo=UTC)
OFFICER = Principal(username="tongcheng.officer", agency="court", role="enforcement_officer", unit="421222")
JUDGE = Principal(username="tongcheng.judge", agency="court", role="criminal_judge", unit="421222")
INVESTIGATOR = Principal(username="tongcheng.investigator", agency="police", role="investigator", unit="421222")
HEAD = Principal(username="tongcheng.head", agency="police", role="bureau_head", unit="421222")


def sequence_numbers(numbers: list[str], pattern: str) -> list[int]:
    return sorted(int(re.fullmatch(pattern, n)[1]) for n in numbers)  # type: ignore[index]


def court_units_of_work(db: Database, clock: ManualClock) -> Callable[[], CourtUnitOfWork]:
    engine = DeadlineEngine(agency="court", tables=court_tables, clock=clock)

    def uow() -> CourtUnitOfWork:
        return CourtUnitOfWork(
            session_factory=db.sessions,
            tables=court_tables,
            clock=clock,
            translate=court_translate,
            deadline_engine=engine,
        )

    return uow


async def assessed_leads(uow: Callable[[], CourtUnitOfWork]) -> list[str]:
    """CONCURRENT leads at the Tongcheng court, each assessed as suspected."""
    lead_ids = []
    for i in range(CONCURRENT):
        lead = await court_handlers.create_lead(
            court_commands.CreateLead(
                actor=OFFICER,
                unit="421222",
                enforcement_case_number=f"(2024)鄂1222执{i + 1}号",
                source=LeadSource.CASE_SCREENING,
                suspects=[LeadSuspect(name=f"被执行人{i}", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR)],
                amount_owed=Decimal("10000"),
                amount_paid=Decimal("0"),
                summary="拒不履行",
                enforcement_basis=ENFORCEMENT_BASIS,
                creditor=CREDITOR,
            ),
            uow(),
        )
        await court_handlers.assess_lead(
            court_commands.AssessLead(JUDGE, lead.id, Assessment.SUSPECTED, "有履行能力"), uow()
        )
        lead_ids.append(lead.id)
    return lead_ids


async def test_fifty_referrals_at_one_court_at_once_all_get_consecutive_letters(database_url: str) -> None:
    db: Database = await migrated(court_spec(), database_url)
    clock = ManualClock(T0)
    uow = court_units_of_work(db, clock)
    try:
        lead_ids = await assessed_leads(uow)
        for i, lead_id in enumerate(lead_ids):
            await court_handlers.serve_notice(court_commands.ServeNotice(OFFICER, lead_id, T0, f"告知书-{i}"), uow())
        clock.advance(timedelta(days=10))  # every debtor's window has passed

        referrals = await asyncio.gather(
            *(
                court_handlers.refer_lead(court_commands.ReferLead(OFFICER, lead_id, None, NOT_YET_PROVED), uow())
                for lead_id in lead_ids
            )
        )

        letters = [r.letter_number for r in referrals]
        assert len(set(letters)) == CONCURRENT
        assert sequence_numbers(letters, r"\(2025\)鄂1222执移(\d+)号") == list(range(1, CONCURRENT + 1))
        # each act issued its 移送函 under the letter's number, stored once with its digest
        async with uow() as reading:
            documents = [d for r in referrals for d in await reading.documents_of("referral", r.id)]
        assert sorted(d.number for d in documents) == sorted(letters)
        assert len({d.sha256 for d in documents}) == CONCURRENT
    finally:
        await db.engine.dispose()


async def test_fifty_notices_at_one_court_at_once_are_numbered_consecutively(database_url: str) -> None:
    """告知书 served together without a number of their own: the court numbers them, consecutively, each document
    under its number."""
    db: Database = await migrated(court_spec(), database_url)
    uow = court_units_of_work(db, ManualClock(T0))
    try:
        lead_ids = await assessed_leads(uow)
        served = await asyncio.gather(
            *(court_handlers.serve_notice(court_commands.ServeNotice(OFFICER, i, T0), uow()) for i in lead_ids)
        )
        numbers = [lead.notice_number or "" for lead in served]
        assert sequence_numbers(numbers, r"\(2025\)鄂1222执告(\d+)号") == list(range(1, CONCURRENT + 1))
        async with uow() as reading:
            documents = [d for i in lead_ids for d in await reading.documents_of("lead", i)]
        assert sorted(d.number for d in documents) == sorted(numbers)
    finally:
        await db.engine.dispose()


async def test_fifty_registrations_at_one_bureau_at_once_all_get_consecutive_receipts(database_url: str) -> None:
    db: Database = await migrated(police_spec(), database_url)
    clock = ManualClock(T0)
    engine = DeadlineEngine(agency="police", tables=police_tables, clock=clock)

    def uow() -> PoliceUnitOfWork:
        return PoliceUnitOfWork(
            session_factory=db.sessions,
            tables=police_tables,
            clock=clock,
            translate=police_translate,
            deadline_engine=engine,
        )

    try:
        ids = [f"ref-{i}" for i in range(CONCURRENT)]
        async with uow() as arrivals:
            for referral_id in ids:
                letter = ReferralSubmittedV1(
                    referral_id=referral_id,
                    lead_id=f"lead-{referral_id}",
                    letter_number=f"(2025)鄂1222执移{referral_id}号",
                    court_code="鄂1222",
                    court_unit="421222",
                    police_unit="421222",
                    enforcement_case_number="(2024)鄂1222执1号",
                    enforcement_summary="拒不履行",
                    amount_owed=Decimal("10000"),
                    amount_paid=Decimal("0"),
                    suspects=[Suspect(name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR)],
                    submitted_at=T0,
                    submitted_by="tongcheng.officer",
                )
                await on_referral_submitted(delivery(letter, agency="court"), arrivals)
            await arrivals.commit()

        registered = await asyncio.gather(
            *(
                police_handlers.register_referral(police_commands.RegisterReferral(INVESTIGATOR, rid), uow())
                for rid in ids
            )
        )
        receipts = [r.receipt_number or "" for r in registered]
        assert sequence_numbers(receipts, r"通城公（刑）受字〔2025〕(\d+)号") == list(range(1, CONCURRENT + 1))

        proposed = [police_commands.ProposeDecision(INVESTIGATOR, rid, "file") for rid in ids]
        await asyncio.gather(*(police_handlers.propose_decision(p, uow()) for p in proposed))
        approvals = [police_commands.ApproveDecision(HEAD, rid, approve=True) for rid in ids]
        filed = await asyncio.gather(*(police_handlers.approve_decision(a, uow()) for a in approvals))
        cases = [r.case_number or "" for r in filed]
        assert sequence_numbers(cases, r"通城公（刑）立字〔2025〕(\d+)号") == list(range(1, CONCURRENT + 1))
        async with uow() as reading:  # each act's paper bears its number: the receipt and the filing decision
            receipts_issued = [d.number for i in ids for d in await reading.documents_of("referral", i)]
            filings = [d for r in filed for d in await reading.documents_of("case", r.case_id or "")]
        assert sorted(receipts_issued) == sorted(receipts)
        assert sorted(d.number for d in filings) == sorted(cases)
        assert {d.title for d in filings} == {"立案决定书"}
    finally:
        await db.engine.dispose()
