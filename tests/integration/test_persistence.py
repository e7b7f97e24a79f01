"""Migrations, the unit of work and column types on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from liandong.clock import ManualClock
from liandong.contracts.common import PartyKind, SuspectRole
from liandong.envelope import Envelope, ProducerRef
from liandong.persistence import migrations
from liandong.persistence.engine import read_only_engine, session_factory
from liandong.persistence.uow import (
    IdempotencyClaim,
    IdempotencyKeyTaken,
    ReadOnlyUnitOfWork,
    current_idempotency_claim,
)
from liandong_court.adapters.orm import common, leads
from liandong_court.adapters.translators import translate
from liandong_court.bootstrap import spec as court_spec
from liandong_court.domain.leads import Assessment, Lead, LeadSource
from liandong_court.domain.values import Suspect
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork
from liandong_police.bootstrap import spec as police_spec
from liandong_procuratorate.bootstrap import spec as procuratorate_spec
from tests.integration.conftest import Database, migrated
from tests.support.letters import CREDITOR, ENFORCEMENT_BASIS, NOT_YET_PROVED
from tests.support.outbox import count as count_rows
from tests.unit.test_prosecution_handlers import paid

pytestmark = pytest.mark.asyncio
CLOCK = ManualClock(datetime(2025, 10, 10, 2, 0, tzinfo=UTC))


def new_lead(lead_id: str) -> Lead:
    """A lead assessed 'suspected', its 告知书 served, which a criminal judge may refer at once with a written
    reason."""
    lead = Lead(
        id=lead_id,
        unit="421222",
        enforcement_case_number="(2024)鄂1222执123号",
        source=LeadSource.CASE_SCREENING,
        suspects=(Suspect(name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR),),
        amount_owed=Decimal("1234567.89"),
        amount_paid=Decimal("0.01"),
        summary="拒不履行",
        created_at=CLOCK.now(),
        created_by="tongcheng.officer",
        enforcement_basis=ENFORCEMENT_BASIS,
        creditor=CREDITOR,
    )
    lead.assess(Assessment.SUSPECTED, "有履行能力", by="tongcheng.judge", at=CLOCK.now())
    now = CLOCK.now()
    lead.serve_notice(number=f"告知书-{lead_id}", served_at=now, due_at=now + timedelta(days=5), now=now)
    return lead


def uow(db: Database) -> CourtUnitOfWork:
    return CourtUnitOfWork(session_factory=db.sessions, tables=common, clock=CLOCK, translate=translate)


async def count(db: Database, table: object) -> int:
    return await count_rows(db.sessions, table)


@pytest.mark.parametrize("service", ["court", "police", "procuratorate"])
async def test_every_service_schema_migrates_and_a_second_upgrade_is_a_no_op(database_url: str, service: str) -> None:
    spec = {"court": court_spec, "police": police_spec, "procuratorate": procuratorate_spec}[service]()
    db = await migrated(spec, database_url)
    await migrations.upgrade_async(spec.migrations, database_url)
    async with db.engine.connect() as connection:
        names = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"outbox", "inbox", "idempotency_keys", "users", "deadlines", "alembic_version"} <= names
    await db.engine.dispose()


async def test_state_and_its_events_commit_together(court_db: Database) -> None:
    async with uow(court_db) as work:
        lead = new_lead("lead-1")
        work.leads.add(lead)
        work.referrals.add(
            lead.refer(
                referred_by="tongcheng.officer",
                at=CLOCK.now(),
                letter_number=f"L-{lead.id}",
                evidence=[],
                override_reason="急需移送",
                missing_evidence=NOT_YET_PROVED,
            )
        )
        await work.commit()
    assert await count(court_db, leads) == 1
    assert await count(court_db, common.outbox) == 1
    async with court_db.sessions() as session:
        row = (await session.execute(select(common.outbox))).one()
    assert row.event_type == "court.referral.submitted"
    assert row.correlation_id == "lead-1"
    assert row.topic == "court.referrals"


async def test_nothing_is_written_without_a_commit(court_db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with uow(court_db) as work:
            lead = new_lead("lead-2")
            work.leads.add(lead)
            work.referrals.add(
                lead.refer(
                    referred_by="tongcheng.officer",
                    at=CLOCK.now(),
                    letter_number=f"L-{lead.id}",
                    evidence=[],
                    override_reason="急需移送",
                    missing_evidence=NOT_YET_PROVED,
                )
            )
            await work.session.flush()
            raise RuntimeError("crash before commit")
    assert await count(court_db, leads) == 0
    assert await count(court_db, common.outbox) == 0


async def test_a_page_carries_the_total_and_a_page_past_the_end_still_counts(court_db: Database) -> None:
    async with uow(court_db) as work:
        for n in range(5):
            lead = new_lead(f"lead-page-{n}")
            lead.created_at = CLOCK.now() + timedelta(minutes=n)
            work.leads.add(lead)
        await work.commit()
    async with uow(court_db) as work:
        search = functools.partial(work.leads.search, units=["421222"], status=None)
        first, total = await search(limit=2, offset=0)
        assert ([lead.id for lead in first], total) == (["lead-page-4", "lead-page-3"], 5), "newest first"
        last, total = await search(limit=2, offset=4)
        assert ([lead.id for lead in last], total) == (["lead-page-0"], 5)
        assert await search(limit=2, offset=9) == ([], 5), "past the end: no items, the total all the same"
        assert await work.leads.search(units=["421224"], status=None, limit=2, offset=0) == ([], 0)


async def test_a_unit_of_work_made_for_a_read_reads_and_refuses_to_commit(court_db: Database) -> None:
    async with uow(court_db) as work:
        work.leads.add(new_lead("lead-read"))
        await work.commit()
    reader = CourtUnitOfWork(
        session_factory=session_factory(read_only_engine(court_db.engine)),
        tables=common,
        clock=CLOCK,
        translate=translate,
        read_only=True,
    )
    async with reader as work:
        lead = await work.leads.get("lead-read")
        assert lead is not None
        assert lead.unit == "421222"
        lead.summary = "changed"
        with pytest.raises(ReadOnlyUnitOfWork):
            await work.commit()
    async with uow(court_db) as work:
        stored = await work.leads.get("lead-read")
        assert stored is not None
        assert stored.summary == "拒不履行", "nothing written"


async def test_money_and_times_come_back_exactly(court_db: Database) -> None:
    async with uow(court_db) as work:
        work.leads.add(new_lead("lead-3"))
        await work.commit()
    async with uow(court_db) as work:
        lead = await work.leads.get("lead-3")
        assert lead is not None
        assert lead.amount_owed == Decimal("1234567.89")
        assert lead.amount_paid == Decimal("0.01")
        assert lead.created_at == CLOCK.now()
        assert lead.created_at.tzinfo is not None


async def test_an_idempotency_key_is_recorded_with_the_change_and_a_second_use_writes_nothing(
    court_db: Database,
) -> None:
    token = current_idempotency_claim.set(IdempotencyClaim(scope="alice", key="k-1", fingerprint="f" * 64))
    try:
        async with uow(court_db) as work:
            work.leads.add(new_lead("lead-4"))
            await work.commit()
    finally:
        current_idempotency_claim.reset(token)
    token = current_idempotency_claim.set(IdempotencyClaim(scope="alice", key="k-1", fingerprint="f" * 64))
    try:
        with pytest.raises(IdempotencyKeyTaken):
            async with uow(court_db) as work:
                lead = new_lead("lead-5")
                work.leads.add(lead)
                work.referrals.add(
                    lead.refer(
                        referred_by="alice",
                        at=CLOCK.now(),
                        letter_number=f"L-{lead.id}",
                        evidence=[],
                        override_reason="急需移送",
                        missing_evidence=NOT_YET_PROVED,
                    )
                )
                await work.commit()
    finally:
        current_idempotency_claim.reset(token)
    assert await count(court_db, leads) == 1
    assert await count(court_db, common.outbox) == 0
    assert await count(court_db, common.idempotency_keys) == 1


async def test_the_events_applied_for_a_matter_come_back_oldest_first(court_db: Database) -> None:
    """What an aggregate opened later reads of the events that came before it (`received`)."""

    def envelope(matter: str, amount: str, day: int) -> Envelope:
        return Envelope.wrap(
            paid(amount),
            producer=ProducerRef(agency="court", unit="421222"),
            jurisdiction="421222",
            aggregate_id=matter,
            correlation_id=matter,
            occurred_at=datetime(2025, 10, day, 2, 0, tzinfo=UTC),
        )

    rows = [
        (envelope("lead-9", "2", 12), "applied"),
        (envelope("lead-9", "1", 11), "applied"),
        (envelope("lead-9", "3", 13), "stale"),  # not applied: not part of what is known
        (envelope("lead-8", "4", 11), "applied"),  # another matter
    ]
    async with court_db.sessions() as session:
        for env, outcome in rows:
            await session.execute(
                common.inbox.insert().values(
                    consumer="c",
                    event_id=str(env.event_id),
                    event_type=env.event_type,
                    correlation_id=env.correlation_id,
                    outcome=outcome,
                    received_at=CLOCK.now(),
                    occurred_at=env.occurred_at,
                    envelope=env.model_dump_json(),
                )
            )
        await session.commit()
    async with uow(court_db) as work:
        known = await work.received("lead-9", "court.enforcement.performed")
        assert [e.payload["amount_paid"] for e in known] == ["1", "2"]
        assert await work.received("lead-9", "court.referral.submitted") == []


@pytest.mark.postgres
async def test_a_connection_the_database_dropped_is_replaced_before_use(postgres_url: str) -> None:
    """Connections are checked when they come back from idleness, not on every request (ping_when_idle)."""
    from sqlalchemy import text

    from liandong.persistence.engine import create_engine as make_engine
    from liandong.persistence.engine import ping_when_idle

    busy = make_engine(postgres_url, pool_size=1)  # the default: checked after 10 s idle
    idle = make_engine(postgres_url, pool_size=1)
    ping_when_idle(idle, 0.0)  # checked whenever it was put back
    pings: list[str] = []

    def counted(name: str, real: Callable[[Any], bool]) -> Callable[[Any], bool]:
        def ping(connection: Any) -> bool:
            pings.append(name)
            return real(connection)

        return ping

    for name, engine in (("busy", busy), ("idle", idle)):
        engine.dialect.do_ping = counted(name, engine.dialect.do_ping)  # type: ignore[method-assign,assignment]
    try:
        for engine in (busy, idle):
            for _ in range(3):
                async with engine.connect() as connection:
                    assert await connection.scalar(text("SELECT 1")) == 1
        assert pings.count("busy") == 0, "a connection in steady use is not pinged"
        assert pings.count("idle") >= 2

        async with idle.connect() as connection:
            pid = await connection.scalar(text("SELECT pg_backend_pid()"))
        async with busy.connect() as other:
            await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        async with idle.connect() as connection:  # the dropped connection is found out and replaced
            assert await connection.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await busy.dispose()
        await idle.dispose()


@pytest.mark.postgres
async def test_replicas_starting_together_seed_the_development_accounts_once(postgres_url: str) -> None:
    """Two replicas of a service in development start at the same moment: both come up, each account exists once."""
    from liandong.accounts import seed_accounts
    from liandong.persistence.engine import create_engine as make_engine
    from liandong.persistence.engine import session_factory as make_sessions
    from liandong_police.adapters.orm import common as police_tables
    from liandong_police.bootstrap import DEV_ACCOUNTS
    from liandong_police.bootstrap import spec as police

    db = await migrated(police(), postgres_url)
    engines = [make_engine(postgres_url, pool_size=1) for _ in range(2)]
    try:

        async def seed(engine: Any) -> list[str]:
            async with make_sessions(engine)() as session:
                return await seed_accounts(session, police_tables, DEV_ACCOUNTS, "pw", CLOCK)

        first, second = await asyncio.gather(*(seed(e) for e in engines))
        assert sorted(first + second) == sorted(a.username for a in DEV_ACCOUNTS)
        async with db.sessions() as session:
            count = await session.scalar(select(func.count()).select_from(police_tables.users))
        assert count == len(DEV_ACCOUNTS)
    finally:
        for engine in engines:
            await engine.dispose()
        await db.engine.dispose()
