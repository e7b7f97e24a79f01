"""Every unique rule of every service's schema, provoked on SQLite and PostgreSQL: the database's refusal reads the
same on both, and the API answers it 409 in the error model — never 500 (a conflict no domain rule caught first)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from liandong.api.errors import install_error_handlers
from liandong.persistence.integrity import violation
from liandong.runtime import AGENCY_SERVICES, ServiceSpec, service_spec
from tests.integration.conftest import migrated

Rule = tuple[sa.Table, tuple[str, ...], dict[str, Any]]


def unique_rules(spec: ServiceSpec) -> Iterator[Rule]:
    """(table, columns, the values a partial index's condition asks) of each unique constraint and unique index other
    than a primary key."""
    for table in spec.metadata.sorted_tables:
        primary = tuple(c.name for c in table.primary_key.columns)
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint):
                columns = tuple(c.name for c in constraint.columns)
                if columns != primary:
                    yield table, columns, {}
        for index in table.indexes:
            if index.unique:
                yield table, tuple(c.name for c in index.columns), condition(index)


def condition(index: sa.Index) -> dict[str, Any]:
    """A partial index's `column = value` condition as values (the rows it covers)."""
    where = index.dialect_options["sqlite"].get("where")
    if where is None:
        return {}
    assert isinstance(where, sa.BinaryExpression), f"{index.name}: a condition this test cannot read"
    return {where.left.name: where.right.effective_value}


def value(column: sa.Column[Any], distinct: int) -> Any:
    """A value of the column's type: the same for the rule's columns (distinct=0), another for the rest."""
    type_ = column.type.impl if isinstance(column.type, sa.types.TypeDecorator) else column.type
    if isinstance(type_, sa.Enum) and type_.enums:
        return type_.enums[0]
    kind: Any = dict if isinstance(type_, sa.JSON) else type_.python_type
    if kind is str:
        length = getattr(column.type, "length", None) or 36
        return f"v{distinct}-{uuid.uuid4().hex}"[:length] if distinct else "same"
    if kind is int:
        return distinct + 1 if distinct else 7
    if kind is bool:
        return False
    if kind is datetime:
        return datetime(2026, 1, 1, tzinfo=UTC)
    if kind is date:
        return date(2026, 1, 1)
    if kind is Decimal:
        return Decimal("1")
    if kind is bytes:
        return b"x"
    if kind is dict:
        return {}
    raise AssertionError(f"no sample value for {column}")


def row(table: sa.Table, rule: tuple[str, ...], distinct: int, covered: dict[str, Any]) -> dict[str, Any]:
    values = dict(covered)
    for column in table.columns:
        needed = not column.nullable and column.server_default is None and column.default is None
        if (column.autoincrement is True and column.primary_key) or column.name in covered:
            continue
        if column.name in rule:
            values[column.name] = value(column, 0)
        elif needed or column.primary_key:
            values[column.name] = value(column, distinct)
    return values


def raising(exc: IntegrityError) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/act")
    async def act() -> None:
        raise exc

    return app


async def insert(session: AsyncSession, table: sa.Table, values: dict[str, Any]) -> None:
    """The row, after a parent row for each of its references (with the value it refers to)."""
    for key in table.foreign_keys:
        referred = values.get(key.parent.name)
        parent = key.column.table
        if referred is None:
            continue
        exists = await session.scalar(sa.select(sa.func.count()).where(key.column == referred))
        if not exists:
            await insert(session, parent, {**row(parent, (), 3, {}), key.column.name: referred})
    await session.execute(table.insert().values(values))


@pytest.mark.parametrize("agency", AGENCY_SERVICES)
async def test_each_unique_rule_is_a_409_in_the_error_model(agency: str, database_url: str) -> None:
    spec = service_spec(agency)
    db = await migrated(spec, database_url)
    provoked = []
    try:
        for table, rule, covered in unique_rules(spec):
            async with db.sessions() as session, session.begin():
                await insert(session, table, row(table, rule, 1, covered))
            with pytest.raises(IntegrityError) as refused:
                async with db.sessions() as session, session.begin():
                    await insert(session, table, row(table, rule, 2, covered))
            found = violation(refused.value)
            assert found.kind == "unique", (table.name, rule, refused.value)
            assert found.table in (table.name, None)
            if found.columns:
                assert set(found.columns) == set(rule), (table.name, rule, found)
            transport = httpx.ASGITransport(app=raising(refused.value))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                response = await client.post("/act")
            assert response.status_code == 409
            body = response.json()["error"]
            assert body["code"] == "already_exists"
            assert set(body) == {"code", "message", "details"}
            provoked.append(f"{table.name}({', '.join(rule)})")
    finally:
        await db.engine.dispose()
    assert provoked, f"{agency} has unique rules to provoke"
    if agency == "police":
        assert "cases(case_number)" in provoked, "a 立案 number names one case"
