"""End-to-end fixtures: the three services as real uvicorn processes on the session's broker."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from liandong.devstack import ServiceProcess, clock_offset, service_env
from liandong.messaging.kafka import KafkaConnection
from tests.support.letters import notice
from tests.support.ports import free_ports


@dataclass
class Stack:
    court: ServiceProcess
    police: ServiceProcess
    procuratorate: ServiceProcess

    def all(self) -> list[ServiceProcess]:
        return [self.court, self.police, self.procuratorate]


def clock_start() -> dict[str, str]:
    """The services' clocks start at LIANDONG_TEST_CLOCK_START (an ISO instant) when it is set: the suite run from a
    date chosen to stress the legal calendar (a holiday's eve, a week whose fifth day is a Saturday). Given as one
    offset from the system's time, so that services started a moment apart show the same time."""
    start = os.environ.get("LIANDONG_TEST_CLOCK_START", "").strip()
    return {"testing_clock_offset_seconds": str(clock_offset(start))} if start else {}


@contextmanager
def running_stack(kafka: KafkaConnection, databases: dict[str, str], logs: Path, **settings: str) -> Iterator[Stack]:
    """The three services as processes on these databases (by agency), ready, stopped afterwards."""
    ports = free_ports(3)
    processes = []
    clock = clock_start()  # one offset for the three
    peers = json.dumps(
        {n: f"http://127.0.0.1:{p}" for n, p in zip(("court", "police", "procuratorate"), ports, strict=True)}
    )
    for name, port in zip(("court", "police", "procuratorate"), ports, strict=True):
        extra = (
            {"court_url": f"http://127.0.0.1:{ports[0]}", "evidence_fetch_seconds": "0.3"} if name == "police" else {}
        )
        extra |= {"peer_urls": peers, "document_fetch_seconds": "0.3"}
        env = service_env(
            name,
            kafka=kafka,
            database_url=databases[name],
            environment="test",
            testing_clock_control="true",  # clocks that tests may move (POST /testing/clock, as an administrator)
            relay_idle_seconds="0.1",
            **{"sla_tick_seconds": "0.2", **settings},
            **clock,
            **extra,
        )
        processes.append(ServiceProcess(name, port, env, log_path=logs / f"{name}.log"))
    stack = Stack(*processes)
    try:
        for process in stack.all():
            process.start()
        for process in stack.all():
            process.wait_ready(90)
        yield stack
    finally:
        for process in stack.all():
            process.stop()


@pytest.fixture
def stack(kafka: KafkaConnection, tmp_path: Path) -> Iterator[Stack]:
    """The three services on SQLite databases of their own."""
    files = {name: f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}" for name in ("court", "police", "procuratorate")}
    with running_stack(kafka, files, tmp_path) as stack:
        yield stack


@pytest.fixture
def postgres_stack(kafka: KafkaConnection, pg_admin_url: str, tmp_path: Path) -> Iterator[Stack]:
    """The three services on PostgreSQL databases of their own (the session's server)."""
    from tests.bench.infra import databases

    with databases(pg_admin_url, 3) as urls:
        named = dict(zip(("court", "police", "procuratorate"), urls, strict=True))
        with running_stack(kafka, named, tmp_path) as stack:
            yield stack


def token(service: ServiceProcess, username: str) -> dict[str, str]:
    response = httpx.post(f"{service.url}/auth/token", data={"username": username, "password": "liandong-dev"})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _clock_control(service: ServiceProcess, move: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read (or move) a service's clock as its administrator (a fresh login: the last move expired the token)."""
    admin = token(service, "city.admin")
    url = f"{service.url}/testing/clock"
    response = httpx.get(url, headers=admin) if move is None else httpx.post(url, json=move, headers=admin)
    response.raise_for_status()
    return dict(response.json())


def advance_clocks(stack: Stack, seconds: float) -> None:
    """Move the injected clocks of all three services (started with the clock control)."""
    for service in stack.all():
        _clock_control(service, {"advance_seconds": seconds})


def court_now(stack: Stack) -> datetime:
    """The court's clock (moved by the tests), for acts that may not be dated in its future."""
    return datetime.fromisoformat(_clock_control(stack.court)["now"])


def advance_clocks_to(stack: Stack, instant: datetime | str) -> None:
    """Move the three services' clocks forward to `instant` (started with the clock control). One step for all three,
    measured on the court's clock: each moved to `instant` by its own clock a moment apart would leave the later ones
    behind, and an event received would seem to precede its sending."""
    moment = datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    step = (moment - court_now(stack)).total_seconds()
    if step > 0:
        advance_clocks(stack, step)


def service_day(stack: Stack, days: int = 0) -> str:
    """The services' date in Asia/Shanghai (their clocks, not the machine's), `days` on: for dates in requests."""
    return (court_now(stack) + timedelta(days=days)).date().isoformat()


def window_of(service: ServiceProcess, headers: dict[str, str], subject_id: str, kind: str) -> dict[str, Any]:
    """The one window of `kind` on the subject, as the service shows it (its due_at, next_fire_at, state)."""
    params = {"subject_id": subject_id, "kind": kind}
    response = httpx.get(f"{service.url}/deadlines", params=params, headers=headers)
    response.raise_for_status()
    (window,) = response.json()["items"]
    return dict(window)


def pass_window(stack: Stack, window: dict[str, Any]) -> None:
    """Let a window run out: the clocks to a minute past its due_at, whatever weekends and holidays it spans."""
    advance_clocks_to(stack, datetime.fromisoformat(window["due_at"]) + timedelta(minutes=1))


def serve_notice(stack: Stack, lead_id: str, officer: dict[str, str]) -> None:
    """The court serves the 告知书 on the lead now (its clock): every referral states the notice served."""
    served = httpx.post(
        f"{stack.court.url}/leads/{lead_id}/notice", json=notice(lead_id, court_now(stack).isoformat()), headers=officer
    )
    assert served.status_code == 200, served.text
