"""What a database's integrity error says, in the same words on SQLite and PostgreSQL: the API answers every such
conflict 409 in the error model (nothing was written: the unit of work rolled back), never 500."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w., ]+)")


@dataclass(frozen=True)
class Violation:
    """The rule the database refused the write under: `unique` (the value names another record already) or another
    integrity rule (a reference, a check), with the table and columns where the database says them."""

    kind: str
    table: str | None = None
    columns: tuple[str, ...] = field(default_factory=tuple)
    constraint: str | None = None

    @property
    def subject(self) -> str:
        where = ", ".join(self.columns) or self.constraint or "a value"
        return f"{self.table}: {where}" if self.table else where


def violation(exc: IntegrityError) -> Violation:
    """The violation behind an integrity error (asyncpg's exception names its constraint and table; SQLite's message
    names the table and columns)."""
    cause = exc.orig.__cause__ if exc.orig is not None else None
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is not None:  # asyncpg
        kind = "unique" if sqlstate == "23505" else "integrity"
        detail = str(getattr(cause, "detail", "") or "")
        columns = re.match(r"Key \((?P<columns>[^)]*)\)", detail)
        return Violation(
            kind=kind,
            table=getattr(cause, "table_name", None),
            columns=tuple(c.strip() for c in columns["columns"].split(",")) if columns else (),
            constraint=getattr(cause, "constraint_name", None),
        )
    message = str(exc.orig)
    unique = _SQLITE_UNIQUE.search(message)
    if unique:
        qualified = [c.strip() for c in unique["columns"].split(",")]
        table = qualified[0].split(".")[0] if "." in qualified[0] else None
        return Violation(kind="unique", table=table, columns=tuple(c.split(".")[-1] for c in qualified))
    return Violation(kind="integrity")
