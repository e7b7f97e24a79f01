"""The periodic worker's loop: a wake-up that comes while a round runs is not lost (the relay's commit after its
claim is published by the next round at once, not after the idle pause)."""

from __future__ import annotations

import asyncio

from liandong.worker import PeriodicWorker
from tests.support.kafka_io import poll_until


class Rounds(PeriodicWorker):
    """Counts rounds; the first one is woken in the middle, as a commit landing after the relay's claim would."""

    def __init__(self) -> None:
        super().__init__("rounds", interval_seconds=60.0)  # an idle pause far longer than the test may take
        self.rounds = 0
        self.first_done = asyncio.Event()

    async def run_round(self) -> bool:
        self.rounds += 1
        if self.rounds == 1:
            await asyncio.sleep(0)  # the round is under way …
            self.wake()  # … when a commit wakes the worker
            self.first_done.set()
        return False


async def test_a_wake_up_during_a_round_starts_the_next_round_at_once() -> None:
    worker = Rounds()
    worker.start()
    try:

        async def second_round() -> bool:
            return worker.rounds >= 2

        await poll_until(second_round, 5, "the round after the wake-up, long before the 60 s pause")
    finally:
        await worker.stop()


async def test_an_idle_worker_waits_for_its_pause_or_a_wake_up() -> None:
    worker = Rounds()
    worker.start()
    try:
        await poll_until(lambda: asyncio.sleep(0, worker.rounds >= 2), 5, "the woken second round")
        assert worker.rounds == 2, "nothing woke it again: it waits for the pause"
        worker.wake()

        async def third_round() -> bool:
            return worker.rounds >= 3

        await poll_until(third_round, 5, "the round after a wake-up from outside")
    finally:
        await worker.stop()


class Blocking(PeriodicWorker):
    """Rounds that wait on a gate, as a relay's round waits on the broker's acknowledgement."""

    def __init__(self, lanes: int) -> None:
        super().__init__("blocking", interval_seconds=60.0, lanes=lanes)
        self.gate = asyncio.Event()
        self.running_now = 0
        self.most_at_once = 0
        self.rounds = 0

    async def run_round(self) -> bool:
        self.rounds += 1
        self.running_now += 1
        self.most_at_once = max(self.most_at_once, self.running_now)
        try:
            await self.gate.wait()
        finally:
            self.running_now -= 1
        return False


async def test_a_wake_up_while_one_lane_waits_starts_a_round_in_another() -> None:
    worker = Blocking(lanes=2)
    worker.start()
    try:
        await poll_until(lambda: asyncio.sleep(0, worker.running_now == 2), 5, "both lanes' first rounds")
        worker.gate.set()
        await poll_until(lambda: asyncio.sleep(0, worker.running_now == 0 and worker.rounds == 2), 5, "both idle")
        worker.gate.clear()
        worker.wake()  # one lane takes it up …
        await poll_until(lambda: asyncio.sleep(0, worker.running_now == 1), 5, "the woken round")
        worker.wake()  # … and a second wake-up, while it waits, starts the other lane at once
        await poll_until(lambda: asyncio.sleep(0, worker.running_now == 2), 5, "a round in the other lane")
        assert worker.rounds == 4, "one round per wake-up, not one per lane"
    finally:
        worker.gate.set()
        await worker.stop()
    assert not worker.running


async def test_one_lane_runs_one_round_at_a_time_and_keeps_the_wake_up() -> None:
    worker = Blocking(lanes=1)
    worker.start()
    try:
        await poll_until(lambda: asyncio.sleep(0, worker.running_now == 1), 5, "the first round")
        worker.wake()
        await asyncio.sleep(0)
        assert (worker.running_now, worker.rounds) == (1, 1), "the wake-up waits for the round in progress"
        worker.gate.set()
        await poll_until(lambda: asyncio.sleep(0, worker.rounds == 2), 5, "the kept wake-up's round")
        assert worker.most_at_once == 1
    finally:
        worker.gate.set()
        await worker.stop()
