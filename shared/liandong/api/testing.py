"""Development and test environments that ask for it (TESTING_CLOCK_CONTROL=true: the demo, the end-to-end tests,
chaos): read and move the service's clock, so windows pass. Administrators only: moving the time expires every token
and fires breaches at the other agencies."""

from __future__ import annotations

from datetime import timedelta
from typing import Self

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field, model_validator

from liandong.api.auth import Admin
from liandong.api.deps import RuntimeDep, ShanghaiTime, StrictModel
from liandong.api.errors import ApiError
from liandong.clock import OffsetClock


class ClockMove(StrictModel):
    """Forward by `advance_seconds`, or to the instant `to` (e.g. a window's `due_at`); exactly one of them. Time
    never runs backwards: an instant already passed leaves the clock where it is."""

    advance_seconds: float | None = Field(default=None, gt=0, le=10 * 365 * 86400)
    to: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_move(self) -> Self:
        if (self.advance_seconds is None) == (self.to is None):
            raise ValueError("give exactly one of advance_seconds and to")
        return self


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
    async def now(runtime: RuntimeDep, _: Admin) -> ClockNow:
        clock = _clock(runtime)
        return ClockNow(now=clock.now(), offset_seconds=clock.offset.total_seconds())

    @router.post("/clock", response_model=ClockNow)
    async def advance(body: ClockMove, runtime: RuntimeDep, _: Admin) -> ClockNow:
        clock = _clock(runtime)
        if body.to is not None:
            clock.advance_to(body.to)
        else:
            clock.advance(timedelta(seconds=body.advance_seconds or 0))
        runtime.relay.wake()
        return ClockNow(now=clock.now(), offset_seconds=clock.offset.total_seconds())

    return router
