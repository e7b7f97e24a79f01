"""FastAPI dependencies every service uses: the runtime, its clock, and pagination."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Annotated, Any, Generic, Self, TypeVar

from fastapi import Depends, Query, Request
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from liandong.api.bounds import MAX_OFFSET
from liandong.persistence.uow import SqlUnitOfWork
from liandong.runtime import Runtime
from liandong.sla.counting import SHANGHAI

T = TypeVar("T")
S = TypeVar("S")

ShanghaiTime = Annotated[datetime, PlainSerializer(lambda v: v.astimezone(SHANGHAI).isoformat(), return_type=str)]
"""Times are stored in UTC and shown to staff in Asia/Shanghai."""


# Dependencies are `async def`: FastAPI runs a plain `def` dependency in a worker thread, a hop per request.
async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


class PageParams(BaseModel):
    limit: int
    offset: int

    def of(self, items: Iterable[S], total: int, show: Callable[[S], T]) -> Page[T]:
        """This page of a search that found `total`: its items, each as `show` makes it."""
        return Page(items=[show(item) for item in items], total=total, limit=self.limit, offset=self.offset)


async def page_params(
    limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    """Every list the API answers. Lists show no personal number in full: whatever an item holds — its own fields,
    its suspects, defendants, filed suspects or an arrest request's suspects — identity and phone numbers are masked
    on the way out, in the one place every answer passes through (`liandong.api.personal_data`; a record's own page
    may show them to its unit's staff)."""

    model_config = ConfigDict(frozen=True)

    items: list[T]
    total: int
    limit: int
    offset: int


class PublicModel(BaseModel):
    """Response bodies read straight from a domain object or a row, attribute by attribute."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, source: Any) -> Self:
        return cls.model_validate(source)


class StrictModel(BaseModel):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ApprovalIn(StrictModel):
    """A head's decision on a proposal (the bureau head's on a filing decision, the chief prosecutor's on a
    non-prosecution or a notice to file): approved, or returned with the reason."""

    approve: bool
    note: str | None = Field(default=None, max_length=2000, description="why the proposal goes back (approve=false)")

    @model_validator(mode="after")
    def _a_return_says_why(self) -> ApprovalIn:
        if not self.approve and not (self.note and self.note.strip()):
            raise ValueError("a returned proposal says why (note)")
        return self


U = TypeVar("U", bound=SqlUnitOfWork)


def unit_of_work_of(kind: type[U]) -> Callable[[Runtime], U]:
    """A dependency giving a fresh unit of work of the service's own class."""

    def unit_of_work(runtime: RuntimeDep) -> U:
        uow = runtime.uow()
        if not isinstance(uow, kind):
            raise TypeError(f"the service's unit of work is {type(uow).__name__}, not {kind.__name__}")
        return uow

    return unit_of_work


def uow_dependency(kind: type[U]) -> Callable[[Runtime], Awaitable[U]]:
    """The unit of work as a FastAPI dependency (`Depends(uow_dependency(CourtUnitOfWork))`)."""
    make = unit_of_work_of(kind)

    async def unit_of_work(runtime: RuntimeDep) -> U:
        return make(runtime)

    return unit_of_work
