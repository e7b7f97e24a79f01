"""Builds a service's FastAPI application from its ServiceSpec: lifespan, middleware, errors, common routes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from opentelemetry.sdk.trace.export import SpanExporter
from sqlalchemy import insert
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from liandong import __version__, asyncapi, gc_pauses, logs
from liandong.api import audit, deadlines, documents, ops, timeline
from liandong.api.access_log import AccessLogMiddleware
from liandong.api.auth import auth_router, idempotency_scope, token_principal
from liandong.api.errors import install_error_handlers
from liandong.api.health import KafkaProbe, health_router
from liandong.api.middleware import (
    BodyLimitMiddleware,
    IdempotencyMiddleware,
    NoSniffMiddleware,
    ReadsOnlyMiddleware,
    StartingGate,
)
from liandong.api.personal_data import PersonalDataMiddleware
from liandong.api.testing import testing_router
from liandong.clock import Clock
from liandong.config import ServiceSettings
from liandong.console.routes import console_router
from liandong.documents import render
from liandong.persistence.tables import CommonTables
from liandong.runtime import Runtime, ServiceSpec
from liandong.security import Principal
from liandong.tracing import Tracing


def create_app(
    spec: ServiceSpec, settings: ServiceSettings, clock: Clock | None = None, span_exporter: SpanExporter | None = None
) -> FastAPI:
    """`span_exporter` (tests) receives the spans that otherwise go to the OTLP endpoint when tracing is on."""
    tracing = Tracing.configure(spec.agency, settings, span_exporter)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(spec, settings, clock, tracing)
        app.state.runtime = runtime
        app.state.kafka_probe = KafkaProbe(runtime.kafka)
        await runtime.start()
        gc_pauses.freeze_startup()
        warming = asyncio.create_task(gc_pauses.freeze_when_warm(render.warm))
        try:
            yield
        finally:
            warming.cancel()
            await app.state.kafka_probe.close()
            await runtime.stop()

    docs = settings.docs_enabled  # off in production unless API_DOCS=true
    app = FastAPI(
        title=spec.title,
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    logs.configure(spec.agency)
    gc_pauses.watch()

    def database() -> tuple[Any, CommonTables]:
        runtime: Runtime = app.state.runtime
        return runtime.session_factory, runtime.tables

    def principal_scope(headers: list[tuple[bytes, bytes]]) -> str | None:
        return idempotency_scope(headers, settings.secret_key, spec.agency, app.state.runtime.clock.now())

    def reader(headers: Iterable[tuple[bytes, bytes]]) -> Principal | None:
        return token_principal(headers, settings.secret_key, spec.agency, app.state.runtime.clock.now())

    async def record_read(principal: Principal, path: str, request_id: str | None) -> None:
        """Durable before the answer goes: on PostgreSQL one statement in autocommit (one round trip); SQLite, whose
        connections begin every transaction themselves, in a transaction of its own."""
        runtime: Runtime = app.state.runtime
        statement = insert(runtime.tables.personal_data_reads).values(
            at=runtime.clock.now(),
            actor=principal.username[:200],
            role=(principal.role if principal.kind == "staff" else f"service:{principal.agency}")[:64],
            unit=principal.unit[:32],
            path=path[:500],
            request_id=request_id[:128] if request_id else None,
        )
        if runtime.engine.dialect.name == "postgresql":
            async with runtime.engine.connect() as connection:
                await (await connection.execution_options(isolation_level="AUTOCOMMIT")).execute(statement)
            return
        async with runtime.session_factory() as session, session.begin():
            await session.execute(statement)

    app.add_middleware(ReadsOnlyMiddleware)
    app.add_middleware(StartingGate, started=lambda: app.state.runtime.started)
    app.state.record_read = record_read  # also for the documents that name a person in full (api.documents)
    app.add_middleware(PersonalDataMiddleware, principal_of=reader, record=record_read)
    app.add_middleware(
        IdempotencyMiddleware, database=database, scope_of=principal_scope, now=lambda: app.state.runtime.clock.now()
    )
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.max_body_bytes, overrides=dict(spec.body_limit_overrides)
    )
    install_error_handlers(app)  # its middleware answers what no handler did, inside the access log
    app.add_middleware(AccessLogMiddleware, agency=spec.agency)
    app.add_middleware(NoSniffMiddleware)
    if settings.trusted_proxies:  # uvicorn runs with --no-proxy-headers: only the proxies named here are believed
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    if tracing is not None:
        tracing.instrument_app(app)
    # The agency's own routes first: a request is matched against the routes in order, at a few microseconds each
    # (FastAPI's included routers), and staff ask for these most. No route of one router matches a path of another
    # (tests/unit/test_routes.py), so the order changes nothing else.
    for router in spec.routers:
        app.include_router(router)
    app.include_router(health_router())
    app.include_router(auth_router())
    app.include_router(deadlines.router)
    app.include_router(timeline.router)
    app.include_router(documents.router)
    documents.record_documents(app, spec)
    app.include_router(ops.router)
    app.include_router(audit.router)

    @app.get("/asyncapi.json", tags=["operations"])
    async def events_document(request: Request) -> dict[str, Any]:
        return asyncapi.document(spec.agency, __version__)

    if settings.is_development and settings.testing_clock_control:  # asked for by the demo and tests; never production
        app.include_router(testing_router())
    if spec.console is not None:
        app.include_router(console_router(spec.console))
    return app
