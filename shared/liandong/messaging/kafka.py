"""Kafka client construction with the settings the delivery rules need, and bounded start/stop.

aiokafka's calls can hang while the broker is down (aio-libs/aiokafka#1101), so every start, send and stop made by
this project goes through `bounded`.
"""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from liandong.aio import bounded, cancel_within

__all__ = ["bounded", "cancel_within", "idempotent_producer", "manual_commit_consumer", "stop_quietly"]

log = logging.getLogger(__name__)


def idempotent_producer(bootstrap_servers: str, client_id: str) -> AIOKafkaProducer:
    """A producer that never writes a message twice for one send (acks=all is required with idempotence)."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=10_000,
        retry_backoff_ms=200,
    )


def manual_commit_consumer(
    bootstrap_servers: str, group_id: str, client_id: str, instance_id: str | None = None
) -> AIOKafkaConsumer:
    """A consumer whose offsets move only when we commit them, after the database commit.

    Topics are subscribed by the runner, together with its rebalance listener. With an `instance_id` (static
    membership, KIP-345) a replica that restarts — a crash, a rolling upgrade — takes its partitions back at once
    instead of leaving them unread until the group notices the old member is gone (the session timeout); every
    replica needs its own, stable across restarts (a StatefulSet's pod name, not a Deployment's).
    """
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        client_id=client_id,
        group_instance_id=instance_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=200,
        session_timeout_ms=20_000,
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
