"""One referral is one trace across the agencies: the court officer's POST, the court relay's publish, the police
consumer, the police act that registers it, the police relay's publish of the receipt, and the court consumer —
the court and the police in-process on the real broker, their spans in the SDK's in-memory exporter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from liandong.messaging.kafka import KafkaConnection
from liandong_court.bootstrap import spec as court_spec
from liandong_court.config import CourtSettings
from liandong_police.bootstrap import spec as police_spec
from liandong_police.config import PoliceSettings
from tests.integration.test_readiness import refer_one
from tests.support.apps import login, running_app
from tests.support.kafka_io import poll_until, service_kafka

pytestmark = [pytest.mark.kafka]


def service(span: ReadableSpan) -> str:
    return str(span.resource.attributes["service.name"])


def one(spans: list[ReadableSpan], what: str, check: Callable[[ReadableSpan], bool]) -> ReadableSpan:
    found = [s for s in spans if check(s)]
    assert len(found) == 1, f"{what}: {[(s.name, service(s)) for s in found]}"
    return found[0]


def event_type(span: ReadableSpan) -> object:
    return (span.attributes or {}).get("liandong.event_type")


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


async def test_a_referral_and_its_receipt_are_one_trace(kafka: KafkaConnection, tmp_path: Path) -> None:
    exporter = InMemorySpanExporter()
    court_settings = CourtSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'court.db'}",
        **service_kafka(kafka),
        tracing_enabled=True,
    )
    police_settings = PoliceSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'police.db'}",
        **service_kafka(kafka),
        tracing_enabled=True,
        court_url="http://127.0.0.1:1",  # the evidence fetcher has no court to call here
    )
    async with (
        running_app(court_spec(), court_settings, span_exporter=exporter) as court,
        running_app(police_spec(), police_settings, span_exporter=exporter) as police,
    ):
        officer, judge = await login(court, "tongcheng.officer"), await login(court, "tongcheng.judge")
        investigator = await login(police, "tongcheng.investigator")
        referral = await refer_one(court, officer, judge)

        async def arrived() -> bool:
            return (await police.get(f"/referrals/{referral['id']}", headers=investigator)).status_code == 200

        await poll_until(arrived, 60, "the referral at the police")
        registered = await police.post(f"/referrals/{referral['id']}/registration", headers=investigator)
        assert registered.status_code == 200, registered.text

        async def received() -> bool:
            shown = await court.get(f"/referrals/{referral['id']}", headers=officer)
            return bool(shown.json()["status"] == "received")

        await poll_until(received, 60, "the receipt back at the court")

    matter = referral["lead_id"]
    spans = list(exporter.get_finished_spans())
    ours = [s for s in spans if s.attributes is not None and s.attributes.get("liandong.correlation_id") == matter]

    # the matter's trace begins with its first act that sent an event: the 告知书 served (its window started)
    notice = one(
        spans,
        "the officer's notice",
        lambda s: s.kind is SpanKind.SERVER and s.name == "POST /leads/{lead_id}/notice",
    )
    trace_id = notice.context.trace_id
    post = one(
        spans,
        "the judge's referral",
        lambda s: s.kind is SpanKind.SERVER and s.name == "POST /leads/{lead_id}/referral",
    )
    referral_act = one(
        ours,
        "the court's referral act on the matter",
        lambda s: s.name == "court act" and [link.context.span_id for link in s.links] == [post.context.span_id],
    )
    court_publish = one(
        ours,
        "the court relay's publish of the referral",
        lambda s: s.kind is SpanKind.PRODUCER and event_type(s) == "court.referral.submitted",
    )
    police_process = one(
        ours,
        "the police consumer's processing of the referral",
        lambda s: (
            s.kind is SpanKind.CONSUMER
            and event_type(s) == "court.referral.submitted"
            and service(s) == "liandong-police"
        ),
    )
    registration = one(
        spans,
        "the investigator's POST",
        lambda s: s.kind is SpanKind.SERVER and s.name == "POST /referrals/{referral_id}/registration",
    )
    act = one(ours, "the police act on the matter", lambda s: s.name == "police act")
    police_publish = one(
        ours,
        "the police relay's publish of the receipt",
        lambda s: s.kind is SpanKind.PRODUCER and event_type(s) == "police.referral.received",
    )
    court_process = one(
        ours,
        "the court consumer's processing of the receipt",
        lambda s: (
            s.kind is SpanKind.CONSUMER
            and event_type(s) == "police.referral.received"
            and service(s) == "liandong-court"
        ),
    )

    # one trace, parent to child along the hand-offs
    for span in (referral_act, court_publish, police_process, act, police_publish, court_process):
        assert span.context.trace_id == trace_id, span.name
    assert post.context.trace_id != trace_id, "the judge's request is a trace of its own, linked from the act"
    assert parent_of(court_publish) == referral_act.context.span_id  # the outbox row was written in that act
    assert parent_of(police_process) == court_publish.context.span_id  # the Kafka record's traceparent
    assert parent_of(police_publish) == act.context.span_id
    assert parent_of(court_process) == police_publish.context.span_id
    # the police act joins the matter's trace and points at the request that carried it, which is its own trace
    assert registration.context.trace_id != trace_id
    assert [link.context.span_id for link in act.links] == [registration.context.span_id]
    assert act.parent is not None
    assert act.parent.trace_id == trace_id
    # the databases' work shows inside the consumer that did it
    police_sql = [s for s in spans if parent_of(s) == police_process.context.span_id and s.kind is SpanKind.CLIENT]
    assert any(s.attributes is not None and s.attributes.get("db.system") == "sqlite" for s in police_sql)


async def test_a_collector_that_does_not_answer_costs_spans_not_service(tmp_path: Path) -> None:
    settings = CourtSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'court.db'}",
        kafka_bootstrap_servers="127.0.0.1:1",
        tracing_enabled=True,
        tracing_otlp_endpoint="http://127.0.0.1:1/v1/traces",  # nothing listens there
        tracing_export_timeout_seconds=1,
    )
    async with running_app(court_spec(), settings) as court:
        officer = await login(court, "tongcheng.officer")
        for _ in range(5):
            response = await court.get("/leads", headers=officer)
            assert response.status_code == 200
        assert (await court.get("/readyz")).status_code == 200
    # leaving the block shut the service down: the exporter's flush was bounded, not waited on forever
