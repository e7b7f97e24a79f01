"""Traces across agencies (OpenTelemetry). Off by default; `<AGENCY>_TRACING_ENABLED=true` turns it on and the spans
go to the OTLP/HTTP endpoint of `<AGENCY>_TRACING_OTLP_ENDPOINT` (a collector, Jaeger, Tempo…).

What is traced: each HTTP request (the FastAPI instrumentation), each SQL statement (SQLAlchemy's, on the
service's own engine), the calls the police make to the court (httpx's), and the two halves of every hand-off, which
no instrumentation can follow because the outbox sits between them: the relay's publish of an outbox row and the
consumer's processing of it. The W3C `traceparent` of the act travels in the envelope (kept in the outbox row, so a
relay publishing minutes later, or a replay from the dead letters, still joins it) and of the publish in the Kafka
record's headers.

One matter is one trace. An act that starts a matter starts its trace; the consumer of a hand-off continues the
trace that came with it; an act by staff on a matter that already has a trace (the police registering a referral
they received, a prosecutor deciding on an arrest request) opens an act span in the matter's trace, linked to the
HTTP request that carried it. So the ops team follows a referral from the court officer's POST through the relay,
the police consumer and the receipt back, on one trace.

A collector that does not answer costs spans, never service: spans are exported from a background thread with a
time limit, and a failed export is logged by the exporter and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from liandong import __version__
from liandong.aio import bounded
from liandong.envelope import HEADER_TRACEPARENT as TRACEPARENT
from liandong.envelope import Envelope

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI
    from sqlalchemy.ext.asyncio import AsyncEngine

    from liandong.config import ServiceSettings

log = logging.getLogger(__name__)

_PROPAGATOR = TraceContextTextMapPropagator()
_NOT_TRACED_PATHS = "healthz,readyz,metrics"  # probes and scrapes would drown the traces that matter


def traceparent_of(span: Span) -> str | None:
    """The W3C traceparent of a span, or None for a span that records nothing (tracing off)."""
    if not span.get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier, context=trace.set_span_in_context(span))
    return carrier.get(TRACEPARENT)


def context_of(traceparent: str | None) -> Context | None:
    """The context a traceparent names, or None when there is none (or it does not parse)."""
    if not traceparent:
        return None
    context = _PROPAGATOR.extract({TRACEPARENT: traceparent})
    return context if trace.get_current_span(context).get_span_context().is_valid else None


def trace_id_of(traceparent: str | None) -> int | None:
    context = context_of(traceparent)
    return None if context is None else trace.get_current_span(context).get_span_context().trace_id


def header(headers: Sequence[tuple[str, bytes]] | None, name: str) -> str | None:
    for key, value in headers or ():
        if key == name:
            return value.decode("ascii", "replace")
    return None


class Tracing:
    """A service's tracer provider and what it instruments; one per running service."""

    def __init__(self, agency: str, provider: TracerProvider, export_timeout: float = 5.0) -> None:
        self.agency = agency
        self.provider = provider
        self.tracer = provider.get_tracer("liandong", __version__)
        self._export_timeout = export_timeout

    @classmethod
    def configure(cls, agency: str, settings: ServiceSettings, exporter: SpanExporter | None = None) -> Tracing | None:
        """None when tracing is off; otherwise a provider exporting to the OTLP endpoint (or to `exporter`, which the
        tests give: the SDK's in-memory exporter, exported synchronously so the spans are there when asked)."""
        if exporter is None and not settings.tracing_enabled:
            return None
        resource = Resource.create(
            {
                "service.name": f"liandong-{agency}",
                "service.version": __version__,
                "service.instance.id": f"{agency}{settings.kafka_client_id_suffix}",
                "deployment.environment": settings.environment,
            }
        )
        provider = TracerProvider(resource=resource)
        if exporter is not None:
            provider.add_span_processor(SimpleSpanProcessor(exporter))
        else:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            timeout = settings.tracing_export_timeout_seconds
            otlp = OTLPSpanExporter(endpoint=settings.tracing_otlp_endpoint, timeout=timeout)
            provider.add_span_processor(BatchSpanProcessor(otlp, export_timeout_millis=timeout * 1000))
            log.info("tracing on: spans to %s", settings.tracing_otlp_endpoint)
        return cls(agency, provider, settings.tracing_export_timeout_seconds)

    # -- what the maintained instrumentations cover ------------------------------------------------------------
    def instrument_app(self, app: FastAPI) -> None:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, tracer_provider=self.provider, excluded_urls=_NOT_TRACED_PATHS)

    def instrument_engine(self, engine: AsyncEngine) -> None:
        """SQL spans of this service's engine only. (SQLAlchemyInstrumentor().instrument(engine=…) would do the same
        but is one per process, and patches create_engine for every engine made after it.)"""
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

        tracer = trace.get_tracer("opentelemetry.instrumentation.sqlalchemy", tracer_provider=self.provider)
        usage = NoOpMeterProvider().get_meter("liandong").create_up_down_counter("db.client.connections.usage")
        EngineTracer(tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]

    def instrument_client(self, client: httpx.AsyncClient) -> None:
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor.instrument_client(client, tracer_provider=self.provider)

    # -- the hand-off's two halves -------------------------------------------------------------------------------
    @contextmanager
    def act(self, matter: str, matter_traceparent: str) -> Iterator[Span]:
        """An act by staff on a matter that has its trace: a span in that trace, linked to the request's own."""
        request = trace.get_current_span()
        links = [Link(request.get_span_context())] if request.get_span_context().is_valid else []
        with self.tracer.start_as_current_span(
            f"{self.agency} act",
            context=context_of(matter_traceparent),
            kind=SpanKind.INTERNAL,
            links=links,
            attributes={"liandong.correlation_id": matter},
        ) as span:
            yield span

    def publishing(self, envelope: Envelope, topic: str) -> Span:
        """The relay's publish of one outbox row, a child of the act that wrote it; ended by `published`."""
        return self.tracer.start_span(
            f"{topic} publish",
            context=context_of(envelope.traceparent),
            kind=SpanKind.PRODUCER,
            attributes=_messaging(envelope, topic) | {"messaging.operation.type": "send"},
        )

    @staticmethod
    def published(span: Span, error: BaseException | None = None) -> None:
        if error is not None:
            span.set_status(Status(StatusCode.ERROR, repr(error)))
        span.end()

    @contextmanager
    def processing(
        self, envelope: Envelope, topic: str, group: str, record_headers: Sequence[tuple[str, bytes]] | None
    ) -> Iterator[Span]:
        """The consumer's processing of one event: a child of its publish (the record's traceparent), or of the act
        when the record has none (a replayed dead letter, a producer with tracing off)."""
        parent = context_of(header(record_headers, TRACEPARENT)) or context_of(envelope.traceparent)
        attributes = _messaging(envelope, topic) | {
            "messaging.operation.type": "process",
            "messaging.consumer.group.name": group,
        }
        with self.tracer.start_as_current_span(
            f"{topic} process", context=parent, kind=SpanKind.CONSUMER, attributes=attributes
        ) as span:
            yield span

    def stamp(self, envelopes: list[Envelope], matter_traces: Mapping[str, str]) -> list[Envelope]:
        """Each envelope carries a traceparent in its matter's trace (see the module's doc); `matter_traces` holds
        the traceparent that began each matter's trace, as this service knows it."""
        here = traceparent_of(trace.get_current_span())
        here_trace = trace_id_of(here)
        stamped: list[Envelope] = []
        for matter in dict.fromkeys(e.correlation_id for e in envelopes):
            known = matter_traces.get(matter)
            if known is None or trace_id_of(known) == here_trace:
                parent = here  # this act starts the matter's trace, or continues it (a consumer, a later act)
            else:
                with self.act(matter, known) as span:
                    parent = traceparent_of(span)
            stamped.extend(
                e.model_copy(update={"traceparent": parent}) for e in envelopes if e.correlation_id == matter
            )
        return stamped

    async def shutdown(self) -> None:
        """Flush what is left, within the export time limit; a collector that does not answer is abandoned."""
        import asyncio

        try:
            await bounded(asyncio.to_thread(self.provider.shutdown), self._export_timeout + 1, "trace export")
        except TimeoutError:
            log.warning("spans not exported at shutdown: the collector did not answer")


def _messaging(envelope: Envelope, topic: str) -> dict[str, Any]:
    return {
        "messaging.system": "kafka",
        "messaging.destination.name": topic,
        "messaging.message.id": str(envelope.event_id),
        "liandong.event_type": envelope.event_type,
        "liandong.correlation_id": envelope.correlation_id,
        "liandong.producer": f"{envelope.producer.agency}:{envelope.producer.unit}",
    }
