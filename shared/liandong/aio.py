"""Waiting with a limit in asyncio, without trusting the awaited work to honour its cancellation.

`asyncio.wait_for` waits for a cancelled call to finish; an aiokafka call that swallows its cancellation (the broker
being down, aio-libs/aiokafka#1101) would hang its caller — a request, a shutdown — forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


async def bounded(awaitable: Awaitable[T], seconds: float, what: str) -> T:
    """Await with a time limit. On timeout the work is cancelled but not waited for: `asyncio.wait_for` waits for a
    cancelled call to finish, and an aiokafka call that swallows its cancellation would hang the caller forever."""
    task = asyncio.ensure_future(awaitable)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if not done:
        task.cancel()
        raise TimeoutError(f"{what} did not finish within {seconds}s")
    return task.result()


async def cancel_within(task: asyncio.Task[Any], seconds: float, what: str) -> None:
    """Cancel a task and give it `seconds` to end; one that will not is abandoned (and logged), never waited on."""
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        log.warning("%s did not end within %ss of its cancellation; abandoned", what, seconds)
    elif not task.cancelled() and task.exception() is not None:
        log.warning("%s ended with %r", what, task.exception())
