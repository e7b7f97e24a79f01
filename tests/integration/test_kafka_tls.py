"""The broker over TLS, as docker compose runs it: deploy/kafka/tls.sh makes a certificate authority and the broker's
certificate, the broker listens on SASL_SSL only (tls.properties.in), and the services' principals reach it over
TLS, checking the broker against that authority — a client without it, or without TLS, gets nowhere."""

from __future__ import annotations

import dataclasses
import socket
import ssl
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError

from liandong.contracts import topics
from liandong.messaging.kafka import KafkaConnection, bounded, development_password, stop_quietly
from tests.support.infra import KAFKA_SCRIPT, LocalBroker, can_run_local_broker, unavailable
from tests.support.kafka_io import produce, read_topic

pytestmark = [pytest.mark.kafka]


@pytest.fixture(scope="module")
def tls_broker() -> Iterator[LocalBroker]:
    if not can_run_local_broker():
        unavailable("the TLS broker test runs a broker of its own: it needs Java 17 and Maven")
    with tempfile.TemporaryDirectory(prefix="liandong-tls-") as tmp:
        broker = LocalBroker(Path(tmp), tls=True)
        broker.start()  # provisions its topics and ACLs over SASL_SSL, as the admin principal with the CA
        try:
            yield broker
        finally:
            broker.stop()


def principal(broker: LocalBroker, name: str) -> KafkaConnection:
    return dataclasses.replace(broker.admin, username=name, password=development_password(name))


def test_the_certificate_names_the_broker_and_is_signed_by_the_authority(tls_broker: LocalBroker) -> None:
    assert tls_broker.tls_dir is not None
    material = sorted(path.name for path in tls_broker.tls_dir.iterdir())
    assert material == ["broker.p12", "broker.password", "ca.crt"]
    assert (tls_broker.tls_dir / "broker.password").stat().st_mode & 0o077 == 0, "the keystore's password is private"
    context = ssl.create_default_context(cafile=tls_broker.ca_file)
    host, port = tls_broker.bootstrap.split(":")
    with context.wrap_socket(socket.create_connection((host, int(port)), timeout=10), server_hostname=host) as tls:
        assert tls.version() in {"TLSv1.2", "TLSv1.3"}
        certificate = tls.getpeercert()
    assert certificate is not None
    names = [value for kind, value in certificate["subjectAltName"] if kind in {"DNS", "IP Address"}]  # type: ignore[str-unpack]
    assert "127.0.0.1" in names
    assert "localhost" in names


async def test_a_service_principal_writes_and_another_reads_over_tls(tls_broker: LocalBroker) -> None:
    police, court = principal(tls_broker, "police"), principal(tls_broker, "court")
    assert police.security_protocol == "SASL_SSL"
    assert police.ssl_cafile
    marker = uuid.uuid4().hex.encode()
    await produce(police, topics.POLICE_REFERRALS, [(b"tls-test", marker)])
    records = await read_topic(court, topics.POLICE_REFERRALS)
    assert marker in [record.value for record in records]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"ssl_cafile": ""}, id="without-the-broker-CA"),
        pytest.param({"security_protocol": "SASL_PLAINTEXT"}, id="without-TLS"),
    ],
)
async def test_a_client_that_does_not_check_the_broker_or_skips_tls_is_refused(
    tls_broker: LocalBroker, change: dict[str, str]
) -> None:
    wrong = dataclasses.replace(principal(tls_broker, "police"), **change)  # type: ignore[arg-type]
    producer = AIOKafkaProducer(**wrong.client_kwargs(), request_timeout_ms=5_000, metadata_max_age_ms=5_000)
    try:
        with pytest.raises((KafkaConnectionError, TimeoutError)):
            await bounded(producer.start(), 20, "a producer the broker should refuse")
    finally:
        await stop_quietly(producer, 5, "the refused producer")


def test_kafka_sh_admin_tools_speak_tls(tls_broker: LocalBroker) -> None:
    listed = subprocess.run(
        ["bash", str(KAFKA_SCRIPT), "topics", "--list"],
        env=tls_broker.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert topics.POLICE_REFERRALS in listed.stdout.split()
