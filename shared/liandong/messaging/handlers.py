"""The door events come in by: a registry from contract class to the service-layer handler that applies it.

A handler is `async def on_x(event: Delivery[XV1], uow: MyUnitOfWork) -> Outcome`; the consumer runner opens the
unit of work (the inbox row shares its transaction), calls the handler, and commits. A service declares what it
consumes as `EventHandlers[MyUnitOfWork]().on(XV1, on_x)…`, and subscribes to the topics of those contracts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Self, TypeVar

from liandong.contracts.base import Contract
from liandong.envelope import Envelope
from liandong.persistence.uow import SqlUnitOfWork


class Outcome(StrEnum):
    APPLIED = "applied"
    STALE = "stale"  # already superseded: ignored, recorded
    PARKED = "parked"  # cannot apply yet in this state: recorded for follow-up, not retried


class PoisonMessage(Exception):
    """Raised by a handler for a message that can never be applied; it goes to the dead-letter topic."""


P = TypeVar("P", bound=Contract)
P_co = TypeVar("P_co", bound=Contract, covariant=True)
U = TypeVar("U", bound=SqlUnitOfWork)


@dataclass(frozen=True)
class Delivery(Generic[P_co]):
    """One event as it arrived: the envelope, its payload parsed into its contract, and where it came from."""

    envelope: Envelope
    payload: P_co
    topic: str
    partition: int
    offset: int


class EventHandlers(Generic[U]):
    """Contract class → handler, for one service's unit of work."""

    def __init__(self) -> None:
        self._by_contract: dict[type[Contract], Callable[[Delivery[Any], U], Awaitable[Outcome]]] = {}
        self._event_types: set[str] = set()

    def on(self, contract: type[P], handler: Callable[[Delivery[P], U], Awaitable[Outcome]]) -> Self:
        if contract in self._by_contract:
            raise ValueError(f"{contract.__name__} already has a handler")
        self._by_contract[contract] = handler
        self._event_types.add(contract.event_type)
        return self

    def copy(self) -> EventHandlers[U]:
        clone: EventHandlers[U] = EventHandlers()
        clone._by_contract.update(self._by_contract)
        clone._event_types.update(self._event_types)
        return clone

    def handler_for(self, contract: type[Contract]) -> Callable[[Delivery[Any], U], Awaitable[Outcome]] | None:
        return self._by_contract.get(contract)

    def handles(self, event_type: str) -> bool:
        return event_type in self._event_types

    @property
    def contracts(self) -> list[type[Contract]]:
        return list(self._by_contract)

    def topics(self) -> list[str]:
        """The topics to subscribe to: those the handled contracts travel on."""
        return list(dict.fromkeys(c.topic for c in self._by_contract))

    def __len__(self) -> int:
        return len(self._by_contract)
