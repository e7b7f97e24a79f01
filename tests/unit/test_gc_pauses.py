"""Garbage collection: what a service loads after it starts (the PDF stack) is warmed up and frozen with the rest,
so full collections do not walk it again and again; a warm-up that fails does not stop the service."""

from __future__ import annotations

import gc
import logging

import pytest

from liandong import gc_pauses


async def test_what_the_warm_up_loads_is_frozen_and_a_failed_warm_up_is_only_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    kept: list[list[list[int]]] = []

    async def loads() -> None:
        kept.append([[] for _ in range(5000)])  # lists: objects the collector tracks

    async def fails() -> None:
        raise RuntimeError("no CJK font")

    before = gc.get_freeze_count()
    with caplog.at_level(logging.WARNING, logger="liandong.gc_pauses"):
        await gc_pauses.freeze_when_warm(fails, loads)
    assert gc.get_freeze_count() >= before + 5000
    assert "warming up" in caplog.text
    assert "fails" in caplog.text
    loaded = kept[0][0]
    assert all(o is not loaded for o in gc.get_objects()), "what was loaded left the collector's generations"
