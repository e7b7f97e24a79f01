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
