"""A service application in-process (lifespan included) with an httpx client, for API tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from opentelemetry.sdk.trace.export import SpanExporter

from liandong.api.app import create_app
from liandong.clock import Clock
from liandong.config import ServiceSettings
from liandong.runtime import Runtime, ServiceSpec
from tests.support.letters import notice


@asynccontextmanager
async def running_app(
    spec: ServiceSpec, settings: ServiceSettings, clock: Clock | None = None, span_exporter: SpanExporter | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(spec, settings, clock, span_exporter)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://court.test") as client,
    ):
        yield client


def runtime_of(client: httpx.AsyncClient) -> Runtime:
    """The runtime of the application a running_app client talks to (its clock, tables, session factory)."""
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    runtime = transport.app.state.runtime  # type: ignore[attr-defined]
    assert isinstance(runtime, Runtime)
    return runtime


async def log_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    """A login attempt, whatever its answer."""
    return await client.post("/auth/token", data={"username": username, "password": password})


async def login(client: httpx.AsyncClient, username: str, password: str = "liandong-dev") -> dict[str, str]:
    response = await log_in(client, username, password)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def serve_notice(client: httpx.AsyncClient, lead_id: str, headers: dict[str, str]) -> None:
    """The court serves the 告知书 on the lead now (its own clock): every referral states the notice served."""
    now = runtime_of(client).clock.now().isoformat()
    served = await client.post(f"/leads/{lead_id}/notice", json=notice(lead_id, now), headers=headers)
    assert served.status_code == 200, served.text
