"""Explicit topic creation with the admin client.

Broker auto-creation is off (deploy/kafka/server.properties.in). Provisioning (`liandong.messaging.acls`) creates the
whole catalogue as `admin`; each service also creates the topics it owns at start-up (its ACLs allow that and no
more), which is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from aiokafka import errors
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from liandong.messaging.kafka import KafkaConnection, bounded

log = logging.getLogger(__name__)


DEAD_LETTER_RETENTION_DAYS = 90
# what the broker answers a principal it will not serve: fail at once, in one line, rather than retry for a minute
REFUSALS = (
    errors.AuthenticationFailedError,
    errors.SaslAuthenticationFailed,
    errors.TopicAuthorizationFailedError,
    errors.ClusterAuthorizationFailedError,
)


async def broker_count(connection: KafkaConnection, timeout: float = 15.0) -> int:
    """How many brokers the cluster has (a provisioning's default replication factor follows it, up to 3)."""
    admin = AIOKafkaAdminClient(**connection.client_kwargs(), request_timeout_ms=int(timeout * 1000))
    try:
        await bounded(admin.start(), timeout, "starting the admin client")
        described = await bounded(admin.describe_cluster(), timeout, "describing the cluster")
        return len(described["brokers"])
    finally:
        try:
            await bounded(admin.close(), 5, "closing the admin client")
        except Exception:
            log.debug("admin client close failed", exc_info=True)


def topic_configs(name: str, replication_factor: int = 1) -> dict[str, str]:
    """A topic's settings beyond the broker's defaults: with replicas, a write is acknowledged (acks=all) once two
    of them hold it; a dead-letter topic keeps its letters for weeks."""
    configs = {"min.insync.replicas": "2"} if replication_factor >= 3 else {}
    if name.endswith(".dlt"):
        configs["retention.ms"] = str(DEAD_LETTER_RETENTION_DAYS * 86_400_000)
    return configs


async def ensure_topics(
    connection: KafkaConnection,
    names: Iterable[str],
    *,
    partitions: int,
    replication_factor: int,
    timeout: float = 60.0,
) -> list[str]:
    """Create the topics that do not exist yet; retry until the broker answers or `timeout` passes. A dead-letter
    topic keeps its letters for `DEAD_LETTER_RETENTION_DAYS` (the broker's default, 7 days, would let them vanish
    over the Spring Festival before anyone looks).

    Returns the names that this call created.
    """
    wanted = list(dict.fromkeys(names))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = 0.2
    while True:
        admin = AIOKafkaAdminClient(**connection.client_kwargs(), request_timeout_ms=10_000)
        try:
            await bounded(admin.start(), 15, "starting the admin client")
            existing = set(await bounded(admin.list_topics(), 15, "listing topics"))
            missing = [n for n in wanted if n not in existing]
            if missing:
                response = await bounded(
                    admin.create_topics(
                        [
                            NewTopic(
                                n,
                                num_partitions=partitions,
                                replication_factor=replication_factor,
                                topic_configs=topic_configs(n, replication_factor),
                            )
                            for n in missing
                        ]
                    ),
                    30,
                    "creating topics",
                )
                for topic_error in response.topic_errors:
                    name, code = topic_error[0], topic_error[1]
                    # Another service may have created it between our list and create: that is fine.
                    if code and errors.for_code(code) is not errors.TopicAlreadyExistsError:
                        raise errors.for_code(code)(f"creating topic {name}")
                log.info("created topics %s", missing)
            return missing
        except (KafkaError, OSError, TimeoutError) as exc:
            if isinstance(exc, REFUSALS):  # a wrong password or a missing ACL: retrying cannot help
                raise
            if loop.time() >= deadline:
                raise TimeoutError(f"could not create topics on {connection.bootstrap}: {exc!r}") from exc
            log.warning("broker not ready for topic creation (%r); retrying", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        finally:
            try:
                await bounded(admin.close(), 5, "closing the admin client")
            except Exception:
                log.debug("admin client close failed", exc_info=True)
