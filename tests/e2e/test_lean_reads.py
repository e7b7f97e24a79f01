"""Reads that skip the ORM (`liandong.persistence.lean`) give what the ORM gives: after a generated year, every row of
every aggregate of the three services, read through the session of a request that only reads — by a select of its
class, by its primary key, and through filters on an IN list and an equality (enums, JSON and money among the
columns) — equals the same row loaded by the ORM, attribute by attribute, on PostgreSQL (straight on the driver) and on
SQLite (`check_lean_reads` closes the generated year of tests/e2e/test_dataset.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import String, select
from sqlalchemy.orm import registry

from liandong.persistence.engine import create_engine, read_only_engine, session_factory
from liandong.persistence.lean import LeanReadSession, _layout
from liandong_court.adapters.orm import mapper_registry as court_registry
from liandong_police.adapters.orm import mapper_registry as police_registry
from liandong_procuratorate.adapters.orm import mapper_registry as procuratorate_registry
from tests.e2e.conftest import Stack
from tools.client import Services
from tools.dataset import Generator

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

REGISTRIES = {"court": court_registry, "police": police_registry, "procuratorate": procuratorate_registry}


def values(obj: Any) -> dict[str, Any]:
    layout = _layout(type(obj))
    assert layout is not None, type(obj)
    return {key: getattr(obj, key) for key in layout.keys}


async def compare(url: str, mappers: registry) -> dict[str, int]:
    """Rows compared per class; fails on the first difference."""
    engine = create_engine(url, pool_size=2)
    orm_sessions = session_factory(engine)
    lean_sessions = session_factory(read_only_engine(engine), lean_reads=True)
    compared: dict[str, int] = {}
    try:
        for mapper in mappers.mappers:
            cls = mapper.class_
            order = list(mapper.primary_key)
            async with orm_sessions() as orm:
                expected = [values(o) for o in (await orm.scalars(select(cls).order_by(*order))).all()]
            async with lean_sessions() as lean:
                assert isinstance(lean, LeanReadSession)
                found = [values(o) for o in (await lean.scalars(select(cls).order_by(*order))).all()]
                assert found == expected, cls.__name__
                for row in expected[:5]:
                    key = tuple(row[mapper.get_property_by_column(c).key] for c in mapper.primary_key)
                    got = await lean.get(cls, key if len(key) > 1 else key[0])
                    assert got is not None, cls.__name__
                    assert values(got) == row, cls.__name__
                    assert got.events == []
                texts = [c for c in mapper.columns if isinstance(c.type, String) and not c.primary_key]
                for row in expected[:3]:
                    for column in texts[:3]:
                        value = row[mapper.get_property_by_column(column).key]
                        if value is None:
                            continue
                        statement = select(cls).where(column.in_([value, "—none—"]), column == value).order_by(*order)
                        async with orm_sessions() as orm:
                            want = [values(o) for o in (await orm.scalars(statement)).all()]
                        result = await lean.execute(statement.add_columns(column.label("also")))
                        pairs: list[Any] = list(result.all())
                        assert [values(p[0]) for p in pairs] == want, (cls.__name__, column.key)
                        assert all(p[1] == value for p in pairs)
            compared[cls.__name__] = len(expected)
    finally:
        await engine.dispose()
    return compared


def check_lean_reads(stack: Stack) -> None:
    """Every aggregate's rows at each service of a stack that has run, read lean and by the ORM, compared."""
    for service in stack.all():
        name, url = service.name, service.env[f"{service.name.upper()}_DATABASE_URL"]
        compared = asyncio.run(compare(url, REGISTRIES[name]))
        assert sum(compared.values()) > 0, name
        assert sum(1 for n in compared.values() if n) >= 2, (name, compared)


def test_lean_reads_equal_the_orms_on_postgresql(postgres_stack: Stack) -> None:
    """(On SQLite the same check closes tests/e2e/test_dataset.py's generated year.)"""
    services = Services(
        court=postgres_stack.court.url, police=postgres_stack.police.url, procuratorate=postgres_stack.procuratorate.url
    )
    Generator(services, seed=11, size=20).run()
    check_lean_reads(postgres_stack)
