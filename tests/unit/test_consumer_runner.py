"""The inbox consumer runner, one message at a time, with a fake dead-letter producer and a real SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from liandong.clock import ManualClock
from liandong.contracts import ReferralReceivedV1
from liandong.envelope import Envelope, ProducerRef
from liandong.logs import JsonFormatter
from liandong.messaging import stages
from liandong.messaging.consumer import ConsumerRunner
from liandong.messaging.handlers import Delivery, EventHandlers, Outcome, PoisonMessage
from liandong.persistence.engine import create_engine, session_factory
from liandong.pii import scrub
from liandong_procuratorate.adapters.orm import common, timeline
from liandong_procuratorate.bootstrap import spec
from liandong_procuratorate.service_layer.event_handlers import on_hand_off
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork
from tests.support.fakes import ProducerFactory, Record
from tests.support.kafka_io import poll_until
from tests.support.outbox import count, no_translation, receipt_envelope
from tests.unit.conftest import migrated_sqlite

Handler = Callable[[Delivery[Any], ProcuratorateUnitOfWork], Awaitable[Outcome]]


class Harness:
    def __init__(
        self, runner: ConsumerRunner[ProcuratorateUnitOfWork], dlt: ProducerFactory, runner_sessions: object
    ) -> None:
        self.runner = runner
        self.dlt = dlt
        self.sessions = runner_sessions
        self.offset = 0

    async def deliver(self, value: bytes | None, key: bytes | None = b"k", topic: str = "police.referrals") -> None:
        self.offset += 1
        await self.runner._process(Record(topic, 0, self.offset, key, value))

    async def inbox(self) -> list[tuple[str, str]]:
        async with self.sessions() as session:  # type: ignore[operator]
            rows = await session.execute(select(common.inbox.c.event_id, common.inbox.c.outcome))
            return [tuple(r) for r in rows]

    async def timeline_rows(self) -> int:
        return await count(self.sessions, timeline)  # type: ignore[arg-type]

    def dead_letters(self) -> list[dict[str, bytes]]:
        return [dict(s.headers) for s in self.dlt.sent]


@pytest.fixture
async def harness_factory(tmp_path: Path, clock: ManualClock) -> Callable[[Handler], Harness]:
    engine = create_engine(await migrated_sqlite(spec(), tmp_path / "p.db"))
    sessions = session_factory(engine)

    def make(handler: Handler) -> Harness:
        dlt = ProducerFactory()
        runner = ConsumerRunner(
            name="liandong.test",
            group_id="liandong.test",
            handlers=EventHandlers[ProcuratorateUnitOfWork]().on(ReferralReceivedV1, handler),
            uow_factory=lambda: ProcuratorateUnitOfWork(
                session_factory=sessions, tables=common, clock=clock, translate=no_translation
            ),
            consumer_factory=lambda: None,
            producer_factory=dlt,
            dead_letter_topic="liandong.test.dlt",
            clock=clock,
            max_handler_attempts=3,
            retry_delay=0.001,
        )
        return Harness(runner, dlt, sessions)

    return make


async def test_the_same_event_delivered_twice_is_applied_once(harness_factory: Callable[[Handler], Harness]) -> None:
    h = harness_factory(on_hand_off)
    envelope = receipt_envelope()
    await h.deliver(envelope.to_json().encode())
    await h.deliver(envelope.to_json().encode())
    assert await h.inbox() == [(str(envelope.event_id), "applied")]
    assert await h.timeline_rows() == 1
    assert h.dead_letters() == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"not json at all", b"malformed_envelope"),
        (None, b"malformed_envelope"),
        (receipt_envelope().model_copy(update={"schema_version": 9}).to_json().encode(), b"unknown_schema_version"),
        (
            receipt_envelope().model_copy(update={"payload": {"referral_id": 1}}).to_json().encode(),
            b"contract_violation",
        ),
    ],
)
async def test_messages_that_can_never_apply_go_to_the_dead_letter_topic_and_the_next_one_is_applied(
    harness_factory: Callable[[Handler], Harness], value: bytes | None, reason: bytes
) -> None:
    h = harness_factory(on_hand_off)
    await h.deliver(value)
    good = receipt_envelope()
    await h.deliver(good.to_json().encode())
    (dead,) = h.dead_letters()
    assert dead["dlt.reason"] == reason
    assert dead["dlt.source"] == b"police.referrals/0/1"
    assert h.dlt.sent[0].value == value
    assert h.dlt.sent[0].topic == "liandong.test.dlt"
    assert await h.inbox() == [(str(good.event_id), "applied")]


async def test_an_event_on_another_topic_than_its_contracts_is_dead_lettered(
    harness_factory: Callable[[Handler], Harness],
) -> None:
    """A police receipt written on the procuratorate's deadline topic is not applied, whoever wrote it."""
    h = harness_factory(on_hand_off)
    await h.deliver(receipt_envelope().to_json().encode(), topic="procuratorate.deadlines")
    assert [d["dlt.reason"] for d in h.dead_letters()] == [b"wrong_topic"]
    assert await h.inbox() == []


async def test_an_event_from_an_agency_that_does_not_own_the_topic_is_dead_lettered(
    harness_factory: Callable[[Handler], Harness],
) -> None:
    """Only the police write police.referrals: a receipt claiming another producer is forged."""
    h = harness_factory(on_hand_off)
    forged = receipt_envelope().model_copy(update={"producer": ProducerRef(agency="procuratorate", unit="421224")})
    await h.deliver(forged.to_json().encode())
    (dead,) = h.dead_letters()
    assert dead["dlt.reason"] == b"producer_not_owner"
    assert b"written by the police" in dead["dlt.error"]
    assert await h.timeline_rows() == 0


async def test_event_types_without_a_handler_are_passed_over(harness_factory: Callable[[Handler], Harness]) -> None:
    h = harness_factory(on_hand_off)
    other = receipt_envelope().model_copy(update={"event_type": "police.case.filed"})
    await h.deliver(other.to_json().encode())
    assert await h.inbox() == []
    assert h.dead_letters() == []


async def test_a_handler_declaring_poison_dead_letters_without_a_trace_in_the_database(
    harness_factory: Callable[[Handler], Harness],
) -> None:
    async def poison(delivery: Delivery[Any], uow: ProcuratorateUnitOfWork) -> Outcome:
        await on_hand_off(delivery, uow)
        raise PoisonMessage("cannot ever apply")

    h = harness_factory(poison)
    await h.deliver(receipt_envelope().to_json().encode())
    assert [d["dlt.reason"] for d in h.dead_letters()] == [b"poison"]
    assert await h.inbox() == []
    assert await h.timeline_rows() == 0


async def test_an_event_that_touches_another_matters_records_is_dead_lettered_and_nothing_of_it_stays(
    harness_factory: Callable[[Handler], Harness],
) -> None:
    """An event's correlation id must be the matter of every record its handler loads or writes: one tagged with
    another matter (the right units, the wrong matter) is rolled back with its inbox row and dead-lettered."""
    first = receipt_envelope(correlation_id="lead-1")

    async def amend_the_first_entry(delivery: Delivery[Any], uow: ProcuratorateUnitOfWork) -> Outcome:
        if delivery.envelope.event_id == first.event_id:
            return await on_hand_off(delivery, uow)
        entry = await uow.timeline.get(str(first.event_id), for_update=True)
        assert entry is not None
        entry.summary = "改写"
        return Outcome.APPLIED

    h = harness_factory(amend_the_first_entry)
    await h.deliver(first.to_json().encode())
    await h.deliver(receipt_envelope(first.payload["referral_id"], correlation_id="lead-2").to_json().encode())
    assert [d["dlt.reason"] for d in h.dead_letters()] == [b"poison"]
    assert b"lead-1" in h.dead_letters()[0]["dlt.error"]
    assert await h.inbox() == [(str(first.event_id), "applied")]
    async with h.sessions() as session:  # type: ignore[operator]
        assert await session.scalar(select(timeline.c.summary)) != "改写"

    await h.deliver(receipt_envelope(first.payload["referral_id"], correlation_id="lead-1").to_json().encode())
    assert len(await h.inbox()) == 2, "the same act in its own matter is applied"


async def test_transient_failures_are_retried_in_place_until_they_pass(
    harness_factory: Callable[[Handler], Harness],
) -> None:
    failures = {"left": 4}  # more than max_handler_attempts: transient errors never dead-letter

    async def flaky(delivery: Delivery[Any], uow: ProcuratorateUnitOfWork) -> Outcome:
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))
        return await on_hand_off(delivery, uow)

    h = harness_factory(flaky)
    envelope = receipt_envelope()
    await h.deliver(envelope.to_json().encode())
    assert failures["left"] == 0
    assert await h.inbox() == [(str(envelope.event_id), "applied")]
    assert h.dead_letters() == []


async def test_a_handler_that_keeps_failing_is_dead_lettered_after_its_attempts(
    harness_factory: Callable[[Handler], Harness],
) -> None:
    calls = {"n": 0}

    async def broken(delivery: Delivery[Any], uow: ProcuratorateUnitOfWork) -> Outcome:
        calls["n"] += 1
        raise ValueError("bug")

    h = harness_factory(broken)
    await h.deliver(receipt_envelope().to_json().encode())
    assert calls["n"] == 3
    assert [d["dlt.reason"] for d in h.dead_letters()] == [b"handler_failed"]
    assert await h.inbox() == []


async def test_the_state_guard_outcome_is_recorded(harness_factory: Callable[[Handler], Harness]) -> None:
    async def stale(delivery: Delivery[Any], uow: ProcuratorateUnitOfWork) -> Outcome:
        return Outcome.STALE

    h = harness_factory(stale)
    envelope: Envelope = receipt_envelope()
    await h.deliver(envelope.to_json().encode())
    assert await h.inbox() == [(str(envelope.event_id), "stale")]


class HangingConsumer:
    """A consumer whose first poll never returns, like aiokafka after some broker restarts."""

    def __init__(self, hang: bool, partitions: set[object] | None = None) -> None:
        self.hang = hang
        self.partitions = partitions or set()
        self.stopped = False

    def subscribe(self, topics: list[str], listener: object) -> None:
        self.topics = topics

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self.stopped = True

    def assignment(self) -> set[object]:
        return self.partitions

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[object, list[object]]:
        if self.hang:
            await asyncio.Event().wait()
        await asyncio.sleep(timeout_ms / 1000)
        return {}

    async def commit(self, offsets: object) -> None:
        return None


def watched(name: str, factory: Callable[[], HangingConsumer], clock: ManualClock, **kw: Any) -> ConsumerRunner[Any]:
    """A runner over fake consumers that never deliver, for the watchdog's tests."""
    return ConsumerRunner(
        name=name,
        group_id=name,
        handlers=EventHandlers[Any]().on(ReferralReceivedV1, _never_called),
        uow_factory=lambda: None,
        consumer_factory=factory,
        producer_factory=ProducerFactory(),
        dead_letter_topic=f"{name}.dlt",
        clock=clock,
        **kw,
    )


async def test_the_watchdog_replaces_a_consumer_whose_poll_hangs(tmp_path: Path, clock: ManualClock) -> None:
    made: list[HangingConsumer] = []

    def factory() -> HangingConsumer:
        made.append(HangingConsumer(hang=not made))
        return made[-1]

    runner = watched(
        "liandong.watchdog",
        factory,
        clock,
        stall_seconds=0.3,
        restart_when_unassigned=False,
    )
    await runner.start()
    try:
        await poll_until(lambda: _true(len(made) >= 2 and runner.healthy), 10, "a fresh consumer polling again")
        assert made[0].stopped, "the hung consumer was stopped"
        assert runner.restarts >= 1
        assert runner.status()["healthy"] is True
    finally:
        await runner.stop()
    assert made[-1].stopped


async def _never_called(delivery: Delivery[Any], uow: Any) -> Outcome:
    raise AssertionError("no message is delivered in this test")


async def _true(value: bool) -> bool:
    return value


async def test_the_watchdog_replaces_a_member_left_without_partitions(clock: ManualClock) -> None:
    made: list[HangingConsumer] = []

    def factory() -> HangingConsumer:
        # the first member never gets partitions (aiokafka#1187); the next one does
        made.append(HangingConsumer(hang=False, partitions=set() if not made else {("police.referrals", 0)}))
        return made[-1]

    runner = watched(
        "liandong.orphan",
        factory,
        clock,
        stall_seconds=0.3,
        join_grace_seconds=0.3,  # no group here: nothing to wait for
    )
    await runner.start()
    try:
        await poll_until(lambda: _true(len(made) >= 2), 10, "a new member after the empty assignment")
        assert made[0].stopped
        assert runner.restarts >= 1
    finally:
        await runner.stop()


async def test_a_member_without_partitions_has_the_join_grace_before_it_is_replaced(clock: ManualClock) -> None:
    """A new member's join may wait for a predecessor that left uncleanly to time out: replaced sooner than that, it
    would leave another such predecessor, and the group would never settle (seen after a broker restart)."""
    made: list[tuple[HangingConsumer, float]] = []
    loop = asyncio.get_running_loop()

    def factory() -> HangingConsumer:
        consumer = HangingConsumer(hang=False, partitions=set() if not made else {("police.referrals", 0)})
        made.append((consumer, loop.time()))
        return consumer

    runner = watched(
        "liandong.joining",
        factory,
        clock,
        stall_seconds=0.8,  # the poll watchdog stays quick (a poll waits 0.5 s)…
        join_grace_seconds=2.0,  # …while a member without partitions waits out the grace
    )
    await runner.start()
    try:
        await poll_until(lambda: _true(len(made) >= 2), 10, "a new member after the grace")
        assert made[1][1] - made[0][1] >= 2.0
    finally:
        await runner.stop()


async def test_a_dead_letters_error_carries_no_input_value_nor_personal_number(
    harness_factory: Callable[[Handler], Harness], caplog: pytest.LogCaptureFixture
) -> None:
    """A contract violation names where and what, never the values the sender put there: an identity number sent in
    the wrong field reaches neither the dead letter's header nor the service's log."""
    h = harness_factory(on_hand_off)
    leaky = {"referral_id": "42122219800101123X", "police_unit": "13912345678"}
    await h.deliver(receipt_envelope().model_copy(update={"payload": leaky}).to_json().encode())
    (dead,) = h.dead_letters()
    assert dead["dlt.reason"] == b"contract_violation"
    error = dead["dlt.error"].decode()
    assert "receipt_number: Field required" in error, error
    for leaked in ("42122219800101123X", "13912345678", "input_value"):
        assert leaked not in error
    logged = "\n".join(JsonFormatter("court").format(r) for r in caplog.records)
    for leaked in ("42122219800101123X", "13912345678"):
        assert leaked not in logged


def test_personal_numbers_are_masked_in_any_text_that_leaves_the_process() -> None:
    line = "debtor 42122219800101123X, phone 13912345678, case (2024)鄂1222执123号, amount 123456789012"
    assert scrub(line) == "debtor 421222********123X, phone 139****5678, case (2024)鄂1222执123号, amount 123456789012"


async def test_the_consumer_reports_each_stage_of_an_event_to_an_installed_recorder(
    harness_factory: Callable[[Handler], Harness],
) -> None:
    """The hop benchmark's breakdown: taken up, handler started, inbox committed — in that order, once each."""
    seen: list[tuple[str, str]] = []
    stages.install(lambda event_id, stage: seen.append((event_id, stage)))
    try:
        envelope = receipt_envelope()
        await harness_factory(on_hand_off).deliver(envelope.to_json().encode())
    finally:
        stages.uninstall()
    event_id = str(envelope.event_id)
    assert seen == [(event_id, "consumer_received"), (event_id, "handler_started"), (event_id, "inbox_committed")]
    stages.mark("inbox_committed", ["after-uninstall"])
    assert len(seen) == 3, "nothing is recorded once the recorder is gone"
