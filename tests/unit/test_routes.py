"""Each service's routes in the order a request meets them: the agency's own first (a request is matched route by
route, and staff ask for these most), and no route ever answers a path that another route, later in the order, is
for — so the order decides only how soon a request is matched, never by whom."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator

import pytest
from starlette.routing import BaseRoute, Match, Route

SERVICES = ("court", "police", "procuratorate")
HOT = {
    "court": "/leads/{lead_id}",
    "police": "/cases/{case_id}",
    "procuratorate": "/supervision-cases/{supervision_id}",
}


def in_order(routes: list[BaseRoute]) -> Iterator[Route]:
    for route in routes:
        inner = getattr(route, "original_router", None)  # a router included in the app: its routes, in order
        if inner is not None:
            yield from in_order(inner.routes)
        elif isinstance(route, Route):
            yield route


def concrete(path: str) -> str:
    """A path the route is for: each parameter given a value (a `:path` one, two segments)."""
    path = re.sub(r"\{[^}:]+:path\}", "a-1/b-2", path)
    return re.sub(r"\{[^}]+\}", "x-1", path)


def routes_of(service: str, monkeypatch: pytest.MonkeyPatch) -> list[Route]:
    monkeypatch.setenv(f"{service.upper()}_ENVIRONMENT", "test")
    monkeypatch.setenv(f"{service.upper()}_TESTING_CLOCK_CONTROL", "true")
    app = importlib.import_module(f"liandong_{service}.main").build()
    return list(in_order(app.router.routes))


@pytest.mark.parametrize("service", SERVICES)
def test_no_route_answers_a_path_a_later_route_is_for(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    routes = routes_of(service, monkeypatch)
    assert len(routes) > 30
    for position, route in enumerate(routes):
        for method in sorted(route.methods or {"GET"}):
            scope = {"type": "http", "path": concrete(route.path), "method": method, "root_path": ""}
            earlier = [r.path for r in routes[:position] if r.matches(scope)[0] == Match.FULL]
            assert not earlier, f"{method} {route.path} is answered by {earlier[0]} first"


@pytest.mark.parametrize("service", SERVICES)
def test_the_agencys_own_routes_come_before_the_shared_ones(service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [r.path for r in routes_of(service, monkeypatch)]
    assert paths.index(HOT[service]) < min(paths.index(p) for p in ("/livez", "/auth/token", "/deadlines"))
