"""The broker is not an open door: each agency service's principal may write only its agency's topics, read only
what its handlers consume, and use only its own group and dead-letter topic — on the real broker (SASL SCRAM-SHA-512,
StandardAuthorizer), with the ACLs `python -m liandong kafka provision` writes."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from liandong.contracts import topics
from liandong.messaging.acls import Acl, Operation, Resource, acls_of, catalogue_acls, grant, provision
from liandong.messaging.kafka import KafkaConnection, bounded, development_password, idempotent_producer, stop_quietly
from liandong.runtime import AGENCY_SERVICES, consumed_topics
from tests.support.infra import unavailable
from tests.support.kafka_io import poll_until
from tests.support.outbox import receipt_envelope

pytestmark = [pytest.mark.kafka]


def as_principal(kafka: KafkaConnection, name: str, password: str | None = None) -> KafkaConnection:
    return dataclasses.replace(kafka, username=name, password=password or development_password(name))


@pytest.fixture
def secured(kafka: KafkaConnection) -> KafkaConnection:
    if not kafka.authenticated:
        unavailable("the ACL tests need a broker with SASL and the StandardAuthorizer (deploy/kafka/kafka.sh)")
    return kafka


@pytest.fixture
async def police_producer(secured: KafkaConnection) -> AsyncIterator[AIOKafkaProducer]:
    producer = idempotent_producer(as_principal(secured, "police"), f"acl-test-{uuid.uuid4().hex[:6]}")
    await bounded(producer.start(), 30, "starting the police producer")
    yield producer
    await stop_quietly(producer, 10, "the police producer")


async def visible(kafka: KafkaConnection, topic: str) -> dict[TopicPartition, int]:
    """The end offsets of the topic's partitions as this principal sees them: none when it may not describe it."""
    consumer = AIOKafkaConsumer(**kafka.client_kwargs(), enable_auto_commit=False)
    await bounded(consumer.start(), 30, "starting a reader")
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        offsets: dict[TopicPartition, int] = await consumer.end_offsets(partitions) if partitions else {}
        return offsets
    finally:
        await stop_quietly(consumer, 10, "a reader")


async def test_the_police_principal_cannot_write_the_courts_topic(
    secured: KafkaConnection, police_producer: AIOKafkaProducer
) -> None:
    before = await visible(secured, topics.COURT_REFERRALS)
    assert before
    forged = receipt_envelope().to_json().encode()
    with pytest.raises(TopicAuthorizationFailedError):
        await bounded(police_producer.send_and_wait(topics.COURT_REFERRALS, forged), 30, "a forged send")
    assert await visible(secured, topics.COURT_REFERRALS) == before, "nothing reached the topic"


async def test_the_police_principal_reads_what_it_consumes_and_nothing_else(secured: KafkaConnection) -> None:
    police = as_principal(secured, "police")
    assert await visible(police, topics.COURT_REFERRALS), "the court's referrals are the police's to read"
    court_letters = topics.dead_letter_topic("liandong.court")
    assert await visible(secured, court_letters), "the court's dead-letter topic exists…"
    assert await visible(police, court_letters) == {}, "…and the police cannot even see it"
    intruder = AIOKafkaConsumer(
        topics.COURT_REFERRALS, **police.client_kwargs(), group_id="liandong.court", enable_auto_commit=False
    )
    try:
        with pytest.raises(GroupAuthorizationFailedError):
            await bounded(intruder.start(), 30, "joining the court's group")
    finally:
        await stop_quietly(intruder, 10, "the intruding consumer")


async def test_a_wrong_password_is_refused(secured: KafkaConnection) -> None:
    producer = idempotent_producer(as_principal(secured, "police", "not-the-password"), "acl-test-wrong-password")
    with pytest.raises((KafkaError, KafkaConnectionError, TimeoutError)):
        await bounded(producer.start(), 30, "starting with a wrong password")
    await stop_quietly(producer, 10, "the refused producer")


async def test_provisioning_writes_exactly_the_catalogues_acls_and_removes_strays(secured: KafkaConnection) -> None:
    wanted = catalogue_acls(consumed_topics())
    principals = [f"User:{name}" for name in AGENCY_SERVICES]
    assert await acls_of(secured, principals) == wanted
    # someone granted the police the court's referrals by hand: the next provisioning removes it
    stray = Acl("User:police", Resource.TOPIC, topics.COURT_REFERRALS, Operation.WRITE)
    await grant(secured, stray)

    async def granted() -> bool:  # ACLs reach the authorizer through the metadata log
        return stray in await acls_of(secured, principals)

    await poll_until(granted, 10, "the hand-made grant listed by the broker")
    done = await provision(secured, consumed_topics(), partitions=6, replication_factor=1)
    assert done.acls_deleted == [stray]
    assert done.acls_created == []
    assert await acls_of(secured, principals) == wanted
