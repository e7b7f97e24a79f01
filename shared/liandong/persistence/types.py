"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Enum
from sqlalchemy.types import TypeDecorator

from liandong.clock import utc


class Money(TypeDecorator[Decimal]):
    """Yuan as a Decimal in Python, whole fen (cents) as BIGINT in the database: exact on every backend."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        fen = (Decimal(value) * 100).to_integral_exact()
        return int(fen)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, also on SQLite (which forgets the zone)."""

    impl = DateTime
    cache_ok = True

    def __init__(self, timezone: bool = True) -> None:
        super().__init__(timezone=timezone)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        return utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else utc(value)


class JsonValues(TypeDecorator[tuple[Any, ...]]):
    """A tuple of value objects stored as a JSON list; each value says how it becomes JSON and back."""

    impl = JSON
    cache_ok = True

    def __init__(self, load: Callable[[dict[str, Any]], Any], dump: Callable[[Any], dict[str, Any]]) -> None:
        super().__init__()
        self.load = load
        self.dump = dump

    def process_bind_param(self, value: Sequence[Any] | None, dialect: Dialect) -> list[dict[str, Any]] | None:
        return None if value is None else [self.dump(v) for v in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Any, ...] | None:
        return None if value is None else tuple(self.load(v) for v in value)


def str_enum(values: type[StrEnum], length: int = 32) -> Enum:
    """A StrEnum stored as its values in a VARCHAR (no database enum type to migrate)."""
    return Enum(values, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])
