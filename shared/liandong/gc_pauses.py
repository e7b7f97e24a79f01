"""Garbage-collection pauses as a metric: a collection stops the event loop, and with it every request and the
relay, the consumer and the tracker of the process; a long one shows as a latency spike nobody can explain from the
request logs. `liandong_gc_pause_seconds{generation}` counts them by length."""

from __future__ import annotations

import gc
import time
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
