"""Which trace an event joins (liandong.tracing.Tracing.stamp), and the envelope's trace context on the wire."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import ValidationError

from liandong.config import ServiceSettings
from liandong.envelope import Envelope, ProducerRef
from liandong.tracing import Tracing, trace_id_of, traceparent_of
from tests.unit.test_prosecution_handlers import paid


def envelope(matter: str) -> Envelope:
    return Envelope.wrap(
        paid("1"),
        producer=ProducerRef(agency="court", unit="421222"),
        jurisdiction="421222",
        aggregate_id=matter,
        correlation_id=matter,
        occurred_at=datetime(2025, 10, 10, 2, 0, tzinfo=UTC),
    )


@pytest.fixture
def traced() -> tuple[Tracing, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return Tracing("police", provider), exporter


def test_tracing_is_off_unless_asked_for() -> None:
    assert Tracing.configure("court", ServiceSettings()) is None
    assert Tracing.configure("court", ServiceSettings(tracing_enabled=True)) is not None


def test_the_envelope_carries_a_trace_context_only_when_there_is_one() -> None:
    plain = envelope("lead-1")
    assert "traceparent" not in plain.to_json()  # the wire format without tracing is what it was before
    traced = plain.model_copy(update={"traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01"})
    assert Envelope.model_validate_json(traced.to_json()).traceparent == traced.traceparent
    with pytest.raises(ValidationError):
        Envelope.model_validate_json(plain.to_json()[:-1] + ', "traceparent": "00-not-a-trace"}')


def test_an_act_joins_its_matters_trace_and_a_new_matter_starts_its_own(
    traced: tuple[Tracing, InMemorySpanExporter],
) -> None:
    tracing, exporter = traced
    with tracing.tracer.start_as_current_span("earlier request") as earlier:
        matter_trace = traceparent_of(earlier)
    assert matter_trace is not None
    with tracing.tracer.start_as_current_span("this request") as request:
        here = traceparent_of(request)
        new, known = tracing.stamp([envelope("lead-new"), envelope("lead-known")], {"lead-known": matter_trace})
    assert new.traceparent == here  # this act starts the new matter's trace
    assert trace_id_of(known.traceparent) == trace_id_of(matter_trace)  # and joins the known matter's
    (act,) = [s for s in exporter.get_finished_spans() if s.name == "police act"]
    assert act.parent is not None
    assert act.parent.span_id == earlier.get_span_context().span_id
    assert [link.context.span_id for link in act.links] == [request.get_span_context().span_id]
    assert traceparent_of(request) != known.traceparent


def test_a_consumer_continues_the_trace_it_was_given(traced: tuple[Tracing, InMemorySpanExporter]) -> None:
    tracing, exporter = traced
    with tracing.tracer.start_as_current_span("process") as process:
        (continued,) = tracing.stamp([envelope("lead-1")], {"lead-1": traceparent_of(process) or ""})
    assert continued.traceparent == traceparent_of(process)
    assert [s.name for s in exporter.get_finished_spans()] == ["process"]  # no act span


def test_work_without_a_request_joins_the_matter_or_stays_untraced(
    traced: tuple[Tracing, InMemorySpanExporter],
) -> None:
    tracing, exporter = traced
    with tracing.tracer.start_as_current_span("referral") as referral:
        matter_trace = traceparent_of(referral)
    assert matter_trace is not None
    # e.g. the deadline tracker's warnings: no request, but the matter has its trace
    warned, unknown = tracing.stamp([envelope("lead-1"), envelope("lead-2")], {"lead-1": matter_trace})
    assert trace_id_of(warned.traceparent) == trace_id_of(matter_trace)
    assert unknown.traceparent is None
    (act,) = [s for s in exporter.get_finished_spans() if s.name == "police act"]
    assert list(act.links) == []
