"""Garbage collection and the event loop: a collection stops it, and with it every request and the relay, the
consumer and the tracker of the process; a long one shows as a latency spike nobody can explain from the request
logs. `liandong_gc_pause_seconds{generation}` counts the pauses by length, and `freeze_startup` keeps the oldest
collections short: the hundreds of thousands of objects a service makes at start-up (modules, routes, mappers,
validators) live as long as the process, yet a full collection walks them all every time — 50-100 ms each under
load. Frozen, they are left out of every collection."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import Histogram

PAUSES = Histogram(
    "liandong_gc_pause_seconds",
    "Garbage-collection pauses of the process",
    ["generation"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
_started: list[float] = []


def _measure(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started.append(time.perf_counter())
    elif _started:
        PAUSES.labels(str(info.get("generation", "?"))).observe(time.perf_counter() - _started.pop())


def watch() -> None:
    """Observe every collection of this process (once)."""
    if _measure not in gc.callbacks:
        gc.callbacks.append(_measure)


async def freeze_when_warm(*warm_ups: Callable[[], Awaitable[object]]) -> None:
    """After start-up, in the background: load what the first acts would load lazily (the PDF stack is the largest:
    left out of the start-up's freeze, its objects made every full collection 25-45 ms under load, measured), then
    freeze again. A warm-up that fails is logged; the service runs without it."""
    for warm in warm_ups:
        try:
            await warm()
        except Exception:
            logging.getLogger(__name__).warning("warming up %s failed", warm.__qualname__, exc_info=True)
    freeze_startup()


def freeze_startup() -> None:
    """Once the service has started: collect what start-up left, then move the survivors out of the collector's
    generations for good (gc.freeze)."""
    gc.collect()
    gc.freeze()
