"""Waiting with a limit must not trust the awaited work to honour its cancellation (aiokafka's calls may not)."""

from __future__ import annotations

import asyncio

import pytest

from liandong.aio import bounded, cancel_within


def stubborn(release: asyncio.Event) -> asyncio.Task[str]:
    """Work that swallows every cancellation until it is released (as a hung aiokafka call can)."""

    async def work() -> str:
        while True:
            try:
                await release.wait()
                return "done"
            except asyncio.CancelledError:
                continue

    return asyncio.create_task(work())


async def test_bounded_gives_up_on_work_that_ignores_its_cancellation() -> None:
    release = asyncio.Event()
    task = stubborn(release)
    with pytest.raises(TimeoutError, match="stubborn call did not finish"):
        await bounded(task, 0.05, "stubborn call")
    assert not task.done(), "abandoned, not waited for"
    release.set()
    assert await task == "done"


async def test_bounded_returns_the_result_in_time() -> None:
    release = asyncio.Event()
    release.set()
    assert await bounded(stubborn(release), 5, "quick call") == "done"


async def test_cancel_within_returns_even_when_the_task_will_not_end() -> None:
    release = asyncio.Event()
    task = stubborn(release)
    await asyncio.sleep(0)  # yield once, so that the task is running when it is cancelled
    await cancel_within(task, 0.05, "stubborn task")
    assert not task.done()
    release.set()
    assert await task == "done"
