"""Kafka client construction with the settings the delivery rules need, and bounded start/stop.

aiokafka's calls can hang while the broker is down (aio-libs/aiokafka#1101), so every start, send and stop made by
this project goes through `bounded`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, Literal

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.helpers import create_ssl_context

from liandong.aio import bounded, cancel_within
from liandong.config import DEVELOPMENT_KAFKA_PASSWORD_PREFIX, ServiceSettings

__all__ = [
    "KafkaConnection",
    "admin_connection",
    "bounded",
    "cancel_within",
    "development_password",
    "idempotent_producer",
    "manual_commit_consumer",
    "service_connection",
    "stop_quietly",
]

log = logging.getLogger(__name__)

SecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]
ADMIN_PRINCIPAL = "admin"


def development_password(principal: str) -> str:
    """The SCRAM password of a principal on a development broker (deploy/kafka/kafka.sh sets the same ones)."""
    return f"{DEVELOPMENT_KAFKA_PASSWORD_PREFIX}{principal}"


@dataclass(frozen=True)
class KafkaConnection:
    """Where the broker is and who we are to it: SASL SCRAM-SHA-512 as one principal, or (a broker without
    authentication, e.g. testcontainers') PLAINTEXT."""

    bootstrap: str
    security_protocol: SecurityProtocol = "SASL_PLAINTEXT"
    username: str = ""
    password: str = field(default="", repr=False)
    mechanism: str = "SCRAM-SHA-512"
    ssl_cafile: str = ""

    @property
    def authenticated(self) -> bool:
        return self.security_protocol != "PLAINTEXT"

    def client_kwargs(self) -> dict[str, Any]:
        """The keyword arguments every aiokafka client (producer, consumer, admin) takes for this connection."""
        kwargs: dict[str, Any] = {"bootstrap_servers": self.bootstrap, "security_protocol": self.security_protocol}
        if self.authenticated:
            kwargs.update(
                sasl_mechanism=self.mechanism, sasl_plain_username=self.username, sasl_plain_password=self.password
            )
        if self.security_protocol == "SASL_SSL":
            kwargs["ssl_context"] = create_ssl_context(cafile=self.ssl_cafile or None)
        return kwargs


def service_connection(settings: ServiceSettings, agency: str) -> KafkaConnection:
    """The service's own principal (its agency's name unless configured); the development password outside
    production when none is set (the settings refuse that in production)."""
    username = settings.kafka_username or agency
    return KafkaConnection(
        bootstrap=settings.kafka_bootstrap_servers,
        security_protocol=settings.kafka_security_protocol,
        username=username,
        password=settings.kafka_password or development_password(username),
        mechanism=settings.kafka_sasl_mechanism,
        ssl_cafile=settings.kafka_ssl_cafile,
    )


def admin_connection(bootstrap: str | None = None, environ: dict[str, str] | None = None) -> KafkaConnection:
    """The provisioning principal (topics and ACLs), from LIANDONG_KAFKA_BOOTSTRAP, LIANDONG_KAFKA_ADMIN_USERNAME,
    LIANDONG_KAFKA_ADMIN_PASSWORD, LIANDONG_KAFKA_SECURITY_PROTOCOL (development defaults)."""
    env = os.environ if environ is None else environ
    username = env.get("LIANDONG_KAFKA_ADMIN_USERNAME") or ADMIN_PRINCIPAL
    protocol = env.get("LIANDONG_KAFKA_SECURITY_PROTOCOL") or "SASL_PLAINTEXT"
    if protocol not in ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"):
        raise ValueError(f"LIANDONG_KAFKA_SECURITY_PROTOCOL {protocol!r}: PLAINTEXT, SASL_PLAINTEXT or SASL_SSL")
    return KafkaConnection(
        bootstrap=bootstrap or env.get("LIANDONG_KAFKA_BOOTSTRAP") or "127.0.0.1:9092",
        security_protocol=protocol,  # type: ignore[arg-type]  # checked above
        username=username,
        password=env.get("LIANDONG_KAFKA_ADMIN_PASSWORD") or development_password(username),
        ssl_cafile=env.get("LIANDONG_KAFKA_SSL_CAFILE", ""),
    )


def idempotent_producer(connection: KafkaConnection, client_id: str) -> AIOKafkaProducer:
    """A producer that never writes a message twice for one send (acks=all is required with idempotence)."""
    return AIOKafkaProducer(
        **connection.client_kwargs(),
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=10_000,
        retry_backoff_ms=200,
    )


# How long the group waits for a member that stopped heartbeating before it rebalances without it
SESSION_TIMEOUT_MS = 20_000


def manual_commit_consumer(
    connection: KafkaConnection, group_id: str, client_id: str, instance_id: str | None = None
) -> AIOKafkaConsumer:
    """A consumer whose offsets move only when we commit them, after the database commit.

    Topics are subscribed by the runner, together with its rebalance listener. With an `instance_id` (static
    membership, KIP-345) a replica that restarts — a crash, a rolling upgrade — takes its partitions back at once
    instead of leaving them unread until the group notices the old member is gone (the session timeout); every
    replica needs its own, stable across restarts (a StatefulSet's pod name, not a Deployment's).
    """
    return AIOKafkaConsumer(
        **connection.client_kwargs(),
        group_id=group_id,
        client_id=client_id,
        group_instance_id=instance_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=200,
        session_timeout_ms=SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=3_000,
        request_timeout_ms=30_000,
        retry_backoff_ms=200,
        metadata_max_age_ms=30_000,
    )


async def stop_quietly(client: AIOKafkaProducer | AIOKafkaConsumer, seconds: float, what: str) -> None:
    """Stop a client; a client that cannot stop in time is abandoned rather than blocking shutdown."""
    try:
        await bounded(client.stop(), seconds, f"stopping {what}")
    except Exception:
        log.warning("could not stop %s cleanly", what, exc_info=True)
