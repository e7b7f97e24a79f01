"""End-to-end fixtures: the three services as real uvicorn processes on the session's broker."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from liandong.devstack import ServiceProcess, service_env
from liandong.messaging.kafka import KafkaConnection
from tests.support.ports import free_ports


@dataclass
class Stack:
    court: ServiceProcess
    police: ServiceProcess
    procuratorate: ServiceProcess

    def all(self) -> list[ServiceProcess]:
        return [self.court, self.police, self.procuratorate]


@pytest.fixture
def stack(kafka: KafkaConnection, tmp_path: Path) -> Iterator[Stack]:
    ports = free_ports(3)
    processes = []
    for name, port in zip(("court", "police", "procuratorate"), ports, strict=True):
        extra = (
            {"court_url": f"http://127.0.0.1:{ports[0]}", "evidence_fetch_seconds": "0.3"} if name == "police" else {}
        )
        env = service_env(
            name,
            kafka=kafka,
            database_url=f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}",
            environment="test",  # clocks that tests may move (POST /testing/clock)
            relay_idle_seconds="0.1",
            sla_tick_seconds="0.2",
            **extra,
        )
        processes.append(ServiceProcess(name, port, env, log_path=tmp_path / f"{name}.log"))
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


def token(service: ServiceProcess, username: str) -> dict[str, str]:
    response = httpx.post(f"{service.url}/auth/token", data={"username": username, "password": "liandong-dev"})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def advance_clocks(stack: Stack, seconds: float) -> None:
    """Move the injected clocks of all three services (ENVIRONMENT=test only)."""
    for service in stack.all():
        response = httpx.post(f"{service.url}/testing/clock", json={"advance_seconds": seconds})
        response.raise_for_status()


def court_now(stack: Stack) -> datetime:
    """The court's clock (moved by the tests), for acts that may not be dated in its future."""
    response = httpx.get(f"{stack.court.url}/testing/clock")
    response.raise_for_status()
    return datetime.fromisoformat(response.json()["now"])
