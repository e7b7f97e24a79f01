"""Where an event is on its way from one agency's outbox to another's inbox, for the hop benchmark: the relay and
the consumer report each stage to a recorder when one is installed (`tests/bench/bench_hop.py`), and to nothing
otherwise — in a service, `mark` is one check of a module global.

Stages, in order: outbox_committed (the producing act's commit returned; the bench marks it), relay_claimed (the
relay's claim query returned the row), broker_acked (the broker acknowledged the batch), consumer_received (the
consumer took the record up), handler_started (its inbox row inserted, the handler called), inbox_committed (the
handler's transaction committed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

STAGES = (
    "outbox_committed",
    "relay_claimed",
    "broker_acked",
    "consumer_received",
    "handler_started",
    "inbox_committed",
)

Recorder = Callable[[str, str], None]  # (event id, stage)
_recorder: list[Recorder] = []


def install(recorder: Recorder) -> None:
    _recorder[:] = [recorder]


def uninstall() -> None:
    _recorder.clear()


def mark(stage: str, event_ids: Iterable[str]) -> None:
    if _recorder:
        for event_id in event_ids:
            _recorder[0](event_id, stage)
