"""A database that cannot take a request — SQLite locked under load, every pooled connection in use, a server that
refuses connections, restarts or closes one under an operation — answers 503 with Retry-After and the error model,
never a 500, and nothing is applied; any other unexpected error answers 500 in the error model; and no error drops
the client's keep-alive connection."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from liandong.api.errors import install_error_handlers
from tests.support.ports import free_ports


def failing(failure: Exception) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/acts")
    async def act() -> None:
        raise failure

    @app.get("/fine")
    async def fine() -> dict[str, str]:
        return {"ok": "yes"}

    return app


@pytest.mark.parametrize(
    "failure",
    [
        OperationalError("UPDATE leads …", {}, Exception("database is locked")),
        PoolTimeout("QueuePool limit of size 10 overflow 10 reached"),
        ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
        DBAPIError(
            "SELECT …", {}, Exception("connection was closed in the middle of operation"), connection_invalidated=True
        ),
        InterfaceError("SELECT …", {}, Exception("connection is closed")),
    ],
)
async def test_a_database_that_cannot_take_the_request_answers_503_retry_after(failure: Exception) -> None:
    transport = httpx.ASGITransport(app=failing(failure), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/acts")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"]["code"] == "database_busy"


async def test_an_unexpected_error_answers_500_in_the_error_model() -> None:
    transport = httpx.ASGITransport(app=failing(RuntimeError("a bug")), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/acts")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "internal error; the request was not applied"}
    }


@pytest.mark.parametrize("failure", [RuntimeError("a bug"), InterfaceError("SELECT …", {}, Exception("closed"))])
async def test_an_error_keeps_the_clients_connection_open(failure: Exception) -> None:
    """Over a real uvicorn server: the error's answer, then another request on the same connection is served."""
    (port,) = free_ports(1)
    server = uvicorn.Server(uvicorn.Config(failing(failure), host="127.0.0.1", port=port, log_level="critical"))
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.05)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        answers = []
        for request in (
            b"POST /acts HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
            b"GET /fine HTTP/1.1\r\nHost: t\r\n\r\n",
        ):
            writer.write(request)
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            length = int(next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[1])
            answers.append((head.split(b" ")[1], await reader.readexactly(length)))
        writer.close()
        assert answers[0][0] in (b"500", b"503")
        assert answers[1] == (b"200", b'{"ok":"yes"}'), "the same connection served the next request"
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(serving, 10)
