"""A database that cannot take a request (SQLite locked under load, every pooled connection in use, a restart)
answers 503 with Retry-After and the error model — never a 500 — and nothing is applied."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from liandong.api.errors import install_error_handlers


@pytest.mark.parametrize(
    "failure",
    [
        OperationalError("UPDATE leads …", {}, Exception("database is locked")),
        PoolTimeout("QueuePool limit of size 10 overflow 10 reached"),
    ],
)
async def test_a_busy_database_answers_503_retry_after(failure: Exception) -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/acts")
    async def act() -> None:
        raise failure

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/acts")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"]["code"] == "database_busy"
