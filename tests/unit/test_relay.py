"""The outbox relay against a fake producer: order, marking, and never losing a row."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from liandong.clock import ManualClock
from liandong.envelope import Envelope
from liandong.messaging.relay import OutboxRelay
from liandong.persistence.engine import create_engine, session_factory
from liandong_court.adapters.orm import common
from liandong_court.bootstrap import spec
from tests.support.fakes import FakeProducer, ProducerFactory
from tests.support.outbox import put_in_outbox, receipt_envelope
from tests.unit.conftest import migrated_sqlite


async def make_relay(tmp_path: Path, clock: ManualClock, producers: ProducerFactory) -> OutboxRelay:
    engine = create_engine(await migrated_sqlite(spec(), tmp_path / "court.db"))
    return OutboxRelay(
        name="test",
        session_factory=session_factory(engine),
        outbox=common.outbox,
        producer_factory=producers,
        clock=clock,
        batch_size=50,
    )


async def test_committed_rows_are_published_once_with_key_and_headers(tmp_path: Path, clock: ManualClock) -> None:
    producers = ProducerFactory()
    relay = await make_relay(tmp_path, clock, producers)
    envelopes = [receipt_envelope() for _ in range(3)]
    await put_in_outbox(relay._sessions, common, clock, envelopes)

    assert await relay.run_once() == 3
    assert await relay.run_once() == 0
    sent = producers.sent
    assert [Envelope.model_validate_json(s.value).event_id for s in sent] == [e.event_id for e in envelopes]
    assert all(s.topic == "police.referrals" for s in sent)
    assert sent[0].key == envelopes[0].aggregate_id.encode()
    assert dict(sent[0].headers)["event_type"] == b"police.referral.received"
    async with relay._sessions() as session:
        published = (await session.execute(select(common.outbox.c.published_at))).scalars().all()
    assert published == [clock.now()] * 3


async def test_one_aggregate_goes_out_in_order_even_across_batches(tmp_path: Path, clock: ManualClock) -> None:
    producers = ProducerFactory()
    relay = await make_relay(tmp_path, clock, producers)
    first, second, third = (receipt_envelope("agg-a") for _ in range(3))
    other = receipt_envelope("agg-b")
    await put_in_outbox(relay._sessions, common, clock, [first, second, other, third])

    while await relay.run_once():
        pass
    order = [Envelope.model_validate_json(s.value).event_id for s in producers.sent]
    assert sorted(order, key=str) == sorted([first.event_id, second.event_id, third.event_id, other.event_id], key=str)
    a_order = [e for e in order if e in {first.event_id, second.event_id, third.event_id}]
    assert a_order == [first.event_id, second.event_id, third.event_id]


async def test_a_failed_publish_backs_off_keeps_the_rows_and_recreates_the_producer(
    tmp_path: Path, clock: ManualClock
) -> None:
    producers = ProducerFactory(fail_first=1)
    relay = await make_relay(tmp_path, clock, producers)
    envelope = receipt_envelope()
    await put_in_outbox(relay._sessions, common, clock, [envelope])

    assert await relay.run_once() == 0
    assert producers.made[0].stopped, "the failed producer is dropped"
    async with relay._sessions() as session:
        row = (await session.execute(select(common.outbox))).one()
    assert row.published_at is None
    assert row.attempts == 1
    assert row.next_attempt_at > clock.now()
    assert "broker away" in row.last_error
    assert relay.consecutive_failures == 1

    assert await relay.run_once() == 0, "nothing is due before the backoff has passed"
    clock.advance(timedelta(minutes=1))
    assert await relay.run_once() == 1
    assert len(producers.made) == 2, "a new producer was made for the retry"
    assert [Envelope.model_validate_json(s.value).event_id for s in producers.sent] == [envelope.event_id]
    assert relay.consecutive_failures == 0


async def backing_off(relay: OutboxRelay, clock: ManualClock, envelope: Envelope) -> None:
    """The row of `envelope` waits 30 s more, as after a failed publish."""
    async with relay._sessions() as session:
        await session.execute(
            update(common.outbox)
            .where(common.outbox.c.event_id == str(envelope.event_id))
            .values(next_attempt_at=clock.now() + timedelta(seconds=30))
        )
        await session.commit()


async def test_a_burst_of_one_aggregate_goes_out_in_one_batch_up_to_a_row_still_backing_off(
    tmp_path: Path, clock: ManualClock
) -> None:
    producers = ProducerFactory()
    relay = await make_relay(tmp_path, clock, producers)
    burst = [receipt_envelope("agg-a") for _ in range(6)]
    await put_in_outbox(relay._sessions, common, clock, burst)
    await backing_off(relay, clock, burst[4])  # the fifth row is still backing off from an earlier failure

    assert await relay.run_once() == 4, "the head and the three rows after it, not past the one backing off"
    assert await relay.run_once() == 0, "the rest waits for that row"
    clock.advance(timedelta(minutes=1))
    assert await relay.run_once() == 2
    assert [Envelope.model_validate_json(s.value).event_id for s in producers.sent] == [e.event_id for e in burst]


async def test_an_aggregate_whose_first_row_backs_off_waits_while_the_others_go(
    tmp_path: Path, clock: ManualClock
) -> None:
    producers = ProducerFactory()
    relay = await make_relay(tmp_path, clock, producers)
    waiting = [receipt_envelope("agg-b") for _ in range(3)]
    going = [receipt_envelope("agg-c") for _ in range(2)]
    await put_in_outbox(relay._sessions, common, clock, [waiting[0], going[0], waiting[1], going[1], waiting[2]])
    await backing_off(relay, clock, waiting[0])

    assert await relay.run_once() == 2, "agg-c's rows; none of agg-b's before its first"
    clock.advance(timedelta(minutes=1))
    assert await relay.run_once() == 3
    sent = [Envelope.model_validate_json(s.value).event_id for s in producers.sent]
    assert sent == [e.event_id for e in going + waiting]


async def test_a_relay_that_reaches_the_database_again_is_no_longer_failing(tmp_path: Path, clock: ManualClock) -> None:
    """Rounds that could not reach the database count as failures; the first claim after it is back — even of
    nothing to publish — ends them (health no longer says `relay failing`, the relay polls at its idle pace)."""
    import pytest

    relay = await make_relay(tmp_path, clock, ProducerFactory())
    reachable = relay._sessions

    def refused() -> object:
        raise ConnectionRefusedError("the database is restarting")

    relay._sessions = refused  # type: ignore[assignment]
    for _ in range(3):
        with pytest.raises(ConnectionRefusedError) as failed:
            await relay.run_round()
        relay.round_failed(failed.value)
    assert relay.consecutive_failures == 3
    assert relay.pause() > relay._idle
    relay._sessions = reachable
    assert await relay.run_once() == 0
    assert relay.consecutive_failures == 0
    assert relay.pause() == relay._idle


class HeldProducer(FakeProducer):
    """A broker that takes its time: every send waits until the test lets it through."""

    def __init__(self, through: asyncio.Event) -> None:
        super().__init__()
        self.through = through
        self.waiting = asyncio.Event()

    async def send(
        self, topic: str, value: bytes, key: bytes | None = None, headers: list[tuple[str, bytes]] | None = None
    ) -> asyncio.Future[Any]:
        self.waiting.set()
        await self.through.wait()
        return await super().send(topic, value, key, headers)


async def test_on_sqlite_a_slow_broker_never_holds_the_databases_write_lock(tmp_path: Path, clock: ManualClock) -> None:
    """SQLite locks the whole database for a write transaction: the relay publishes between two short ones, so staff
    writes go on while a publish waits for the broker (up to the send timeout during an outage)."""
    through = asyncio.Event()
    producer = HeldProducer(through)
    engine = create_engine(await migrated_sqlite(spec(), tmp_path / "court.db"))
    sessions = session_factory(engine)
    relay = OutboxRelay(
        name="test",
        session_factory=sessions,
        outbox=common.outbox,
        producer_factory=lambda: producer,
        clock=clock,
        hold_claim=False,
    )
    await put_in_outbox(sessions, common, clock, [receipt_envelope()])
    publishing = asyncio.create_task(relay.run_once())
    await asyncio.wait_for(producer.waiting.wait(), 5)  # the publish is waiting on the broker

    # a staff act commits meanwhile, at once: the database is not locked by the relay
    await asyncio.wait_for(put_in_outbox(sessions, common, clock, [receipt_envelope()]), 2)

    through.set()
    assert await publishing == 1
    async with sessions() as session:
        published = (await session.execute(select(common.outbox.c.published_at).order_by(common.outbox.c.seq))).all()
    assert [p for (p,) in published] == [clock.now(), None], "the first marked; the second waits its turn"
    assert await relay.run_once() == 1
    await engine.dispose()
