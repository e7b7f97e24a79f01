"""A case's investigation log, an entry a row (SQLite and PostgreSQL): entries come back in the order they were
written, a page of cases counts them, each entry is an audited record of its own, and recording one neither rewrites
the log nor waits for the case: investigators recording at once all get their entries in, even while another act
holds the case."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from liandong import audit
from liandong.clock import ManualClock
from liandong.deadlines.engine import DeadlineEngine
from liandong.security import Principal
from liandong_police.adapters.orm import case_log, common, metadata
from liandong_police.adapters.translators import translate
from liandong_police.bootstrap import spec
from liandong_police.domain.cases import Case, LogKind, LogNotLoaded
from liandong_police.entrypoints.api.schemas import CasePublic, CaseSummary
from liandong_police.service_layer import commands
from liandong_police.service_layer.case_handlers import load_case, record_investigation
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork
from tests.integration.conftest import Database, migrated

OPENED = datetime(2025, 10, 9, 2, 0, tzinfo=UTC)
INVESTIGATOR = Principal(username="tongshan.investigator", agency="police", role="investigator", unit="421224")
CONCURRENT = 20


def units_of_work(db: Database, clock: ManualClock) -> Callable[[], PoliceUnitOfWork]:
    engine = DeadlineEngine(agency="police", tables=common, clock=clock)

    def uow() -> PoliceUnitOfWork:
        return PoliceUnitOfWork(
            session_factory=db.sessions, tables=common, clock=clock, translate=translate, deadline_engine=engine
        )

    return uow


async def opened(uow: PoliceUnitOfWork, number: int = 1) -> str:
    case = Case(
        id=f"case-{number}",
        referral_id=None,
        correlation_id=f"lead-{number}",
        police_unit="421224",
        case_number=f"通山公（刑）立字〔2025〕{number}号",
        suspects=[{"suspect_id": "s-1", "name": "陈某某", "kind": "person", "role": "debtor", "custody": "free"}],
        opened_at=OPENED,
        opened_by="tongshan.head",
    )
    async with uow:
        uow.cases.add(case)
        await uow.commit()
    return case.id


def entry(case_id: str, n: int) -> commands.RecordInvestigation:
    return commands.RecordInvestigation(
        actor=INVESTIGATOR,
        case_id=case_id,
        kind=LogKind.BANK_RECORDS.value,
        summary=f"调取银行流水 第{n}批",
        collected_at=datetime.fromisoformat(f"2025-10-09T10:{n:02d}:00+08:00"),  # the filing's morning, in Shanghai
        evidence=(f"流水-{n}",),
    )


async def test_entries_come_back_in_order_counted_and_audited(database_url: str) -> None:
    db = await migrated(spec(), database_url)
    clock = ManualClock(OPENED + timedelta(days=1))
    uow = units_of_work(db, clock)
    try:
        case_id = await opened(uow())
        other = await opened(uow(), 2)
        for n in (1, 2, 3):
            clock.advance(timedelta(hours=1))
            await record_investigation(entry(case_id, n), uow())

        async with uow() as reading:
            bare = await load_case(reading, case_id, INVESTIGATOR, for_update=False)
            with pytest.raises(LogNotLoaded):
                _ = bare.log  # never an empty log in its place
            case = await load_case(reading, case_id, INVESTIGATOR, for_update=False, with_log=True)
            summaries = await reading.cases.log_summaries([case_id, other])
            listed = CaseSummary.of_case(case, summaries[case_id]).model_dump(mode="json")
            page = CasePublic.of(case).model_dump(mode="json")
        assert [e["summary"] for e in case.log] == ["调取银行流水 第1批", "调取银行流水 第2批", "调取银行流水 第3批"]
        assert case.log[0]["collected_at"] == "2025-10-09T10:01:00+08:00"  # as written, with its offset
        assert case.log[0]["evidence"] == ["流水-1"]
        assert datetime.fromisoformat(case.log[-1]["recorded_at"]) == clock.now()
        assert summaries == {case_id: (3, clock.now())}
        assert (listed["log_entries"], datetime.fromisoformat(listed["last_logged_at"])) == (3, clock.now())
        assert [e["kind"] for e in page["log"]] == ["bank_records"] * 3

        async with uow() as reading:  # each entry is an audited record: its row's digest is in the chain
            seqs = list(await reading.session.scalars(select(case_log.c.seq).order_by(case_log.c.seq)))
            named = set(
                await reading.session.scalars(
                    select(common.audit_log.c.subject_id).where(common.audit_log.c.subject_type == "LogEntry")
                )
            )
            case_rows_written = list(
                await reading.session.scalars(
                    select(common.audit_log.c.subject_id).where(
                        common.audit_log.c.subject_type == "Case", common.audit_log.c.row_digest.is_not(None)
                    )
                )
            )
            verdict = await audit.verify_rows(reading.session, common, metadata)
        assert named == {str(s) for s in seqs}
        assert sorted(case_rows_written) == sorted([case_id, other]), "the cases' rows written once each: opened"
        assert verdict.differences == []
        async with db.engine.begin() as connection:
            await connection.execute(update(case_log).where(case_log.c.seq == seqs[1]).values(summary="改过的摘要"))
        async with uow() as reading:
            verdict = await audit.verify_rows(reading.session, common, metadata)
        assert [(d.subject_type, d.subject_id, d.table) for d in verdict.differences] == [
            ("LogEntry", str(seqs[1]), "case_log")
        ]
    finally:
        await db.engine.dispose()


async def test_entries_recorded_at_once_are_all_kept(database_url: str) -> None:
    db = await migrated(spec(), database_url)
    clock = ManualClock(OPENED + timedelta(days=1))
    uow = units_of_work(db, clock)
    try:
        case_id = await opened(uow())
        await asyncio.gather(*(record_investigation(entry(case_id, n), uow()) for n in range(CONCURRENT)))
        async with uow() as reading:
            case = await load_case(reading, case_id, INVESTIGATOR, for_update=False, with_log=True)
        assert sorted(e["summary"] for e in case.log) == sorted(f"调取银行流水 第{n}批" for n in range(CONCURRENT))
        assert len({e["entry_id"] for e in case.log}) == CONCURRENT
    finally:
        await db.engine.dispose()


async def test_an_entry_does_not_wait_for_an_act_holding_the_case(postgres_url: str) -> None:
    """PostgreSQL: while another act holds the case (an arrest request, a transfer: SELECT … FOR UPDATE until it
    commits), an entry is still recorded at once — the log's table is written, the case's row neither read for update
    nor rewritten."""
    db = await migrated(spec(), postgres_url)
    uow = units_of_work(db, ManualClock(OPENED + timedelta(days=1)))
    try:
        case_id = await opened(uow())
        async with db.engine.connect() as holder:
            await holder.execute(text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": case_id})
            recorded = await asyncio.wait_for(record_investigation(entry(case_id, 1), uow()), timeout=30)
            await holder.rollback()
        assert recorded.id == case_id
        async with uow() as reading:
            summaries = await reading.cases.log_summaries([case_id])
        assert summaries[case_id][0] == 1
    finally:
        await db.engine.dispose()
