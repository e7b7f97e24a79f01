"""Test environments only (ENVIRONMENT=test): move the service's clock, so end-to-end tests let windows pass."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from pydantic import BaseModel, Field

from liandong.api.deps import RuntimeDep, ShanghaiTime, StrictModel
from liandong.api.errors import ApiError
from liandong.clock import OffsetClock


class ClockMove(StrictModel):
    advance_seconds: float = Field(gt=0, le=10 * 365 * 86400)


class ClockNow(BaseModel):
    now: ShanghaiTime
    offset_seconds: float


def testing_router() -> APIRouter:
    router = APIRouter(prefix="/testing", tags=["testing"])

    def _clock(runtime: RuntimeDep) -> OffsetClock:
        if not isinstance(runtime.clock, OffsetClock):
            raise ApiError(409, "clock_not_movable", "this service's clock cannot be moved")
        return runtime.clock

    @router.get("/clock", response_model=ClockNow)
    async def now(runtime: RuntimeDep) -> ClockNow:
        clock = _clock(runtime)
        return ClockNow(now=clock.now(), offset_seconds=clock.offset.total_seconds())

    @router.post("/clock", response_model=ClockNow)
    async def advance(body: ClockMove, runtime: RuntimeDep) -> ClockNow:
        clock = _clock(runtime)
        clock.advance(timedelta(seconds=body.advance_seconds))
        runtime.relay.wake()
        return ClockNow(now=clock.now(), offset_seconds=clock.offset.total_seconds())

    return router
