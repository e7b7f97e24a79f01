"""Who may do what on the broker: one principal per agency service, with ACLs derived from the topic catalogue.

Each service's principal may
- write (and create) the topics its agency owns (`court.*` for the court, …),
- read the topics its event handlers consume (whatever they are: the list comes from the service's handlers),
- read and write its own dead-letter topic, and use its own consumer group.
Nothing else: the broker runs with `allow.everyone.if.no.acl.found=false`, so a police process that tries to write
`court.referrals` gets an authorization error. The ACLs follow the catalogue and the handlers, so a new workflow is
covered without being listed here. `provision` makes the broker's ACLs of these principals exactly this set
(missing ones created, stale ones deleted) and creates the topic catalogue; it runs as the `admin` super user
(`python -m liandong kafka provision`).

aiokafka has no ACL calls in its admin client; the Kafka protocol's CreateAcls / DescribeAcls / DeleteAcls requests
(which aiokafka defines) are sent through the admin client's connection.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import for_code
from aiokafka.protocol.admin import CreateAclsRequest, DeleteAclsRequest, DescribeAclsRequest

from liandong.contracts import topics
from liandong.messaging.admin import ensure_topics, topic_configs
from liandong.messaging.kafka import KafkaConnection, bounded

log = logging.getLogger(__name__)


class Resource(IntEnum):  # org.apache.kafka.common.resource.ResourceType
    ANY = 1
    TOPIC = 2
    GROUP = 3


class Operation(IntEnum):  # org.apache.kafka.common.acl.AclOperation
    ANY = 1
    READ = 3
    WRITE = 4
    CREATE = 5
    DESCRIBE = 8


LITERAL, ANY_PATTERN = 3, 1  # PatternType
ALLOW, ANY_PERMISSION = 3, 1  # AclPermissionType
ANY_HOST = "*"


@dataclass(frozen=True, order=True)
class Acl:
    """One allow rule: `principal` may do `operation` on the named topic or group (literal name, any host)."""

    principal: str
    resource: Resource
    name: str
    operation: Operation

    def __str__(self) -> str:
        return f"{self.principal} {self.operation.name} {self.resource.name.lower()} {self.name}"


def service_acls(agency: str, consumed: Iterable[str], username: str | None = None) -> set[Acl]:
    """The ACLs of one agency's service principal (named after the agency unless `username` is given)."""
    user = f"User:{username or agency}"
    group = topics.consumer_group(agency)
    acls: set[Acl] = set()

    def allow(resource: Resource, name: str, *operations: Operation) -> None:
        acls.update(Acl(user, resource, name, op) for op in operations)

    for topic in topics.owned_by(agency):  # read back after a restore, for the acts the disk lost (liandong.restore)
        allow(Resource.TOPIC, topic, Operation.WRITE, Operation.READ, Operation.DESCRIBE, Operation.CREATE)
    allow(
        Resource.TOPIC,
        topics.dead_letter_topic(group),
        Operation.WRITE,
        Operation.READ,
        Operation.DESCRIBE,
        Operation.CREATE,
    )
    for topic in consumed:
        allow(Resource.TOPIC, topic, Operation.READ, Operation.DESCRIBE)
    allow(Resource.GROUP, group, Operation.READ, Operation.DESCRIBE)
    return acls


def catalogue_acls(consumed: Mapping[str, Sequence[str]], usernames: Mapping[str, str] | None = None) -> set[Acl]:
    """Every agency service's ACLs: `consumed` maps each agency to the topics its handlers read."""
    names = usernames or {}
    return set().union(*(service_acls(a, t, names.get(a)) for a, t in consumed.items()))


def _check(errors: Iterable[tuple[Any, ...]], what: str) -> None:
    for error in errors:
        code, message = error[0], error[1]
        if code:
            raise for_code(code)(f"{what}: {message}")


async def _principal_acls(admin: AIOKafkaAdminClient, principal: str) -> set[Acl]:
    request = DescribeAclsRequest(Resource.ANY, None, ANY_PATTERN, principal, None, Operation.ANY, ANY_PERMISSION)
    response: Any = await admin._send_request(request)
    _check([(response.error_code, response.error_message)], f"describing the ACLs of {principal}")
    found: set[Acl] = set()
    for resource_type, name, pattern, rules in response.resources:
        for acl_principal, host, operation, permission in rules:
            ours = pattern == LITERAL and host == ANY_HOST and permission == ALLOW
            if ours and resource_type in {r.value for r in Resource} and operation in {o.value for o in Operation}:
                found.add(Acl(acl_principal, Resource(resource_type), name, Operation(operation)))
            else:  # anything we would not write ourselves is reported, never silently kept
                odd = f"{name} (resource {resource_type}, pattern {pattern}, host {host}, permission {permission})"
                found.add(Acl(acl_principal, Resource.ANY, odd, Operation.ANY))
    return found


async def _create(admin: AIOKafkaAdminClient, acl: Acl) -> None:
    request = CreateAclsRequest(acl.resource, acl.name, LITERAL, acl.principal, ANY_HOST, acl.operation, ALLOW)
    response: Any = await bounded(admin._send_request(request), 15, f"creating ACL {acl}")
    _check(response.creation_responses, f"creating ACL {acl}")


async def _acls(admin: AIOKafkaAdminClient, principals: Iterable[str]) -> set[Acl]:
    found: set[Acl] = set()
    for principal in principals:
        found |= await bounded(_principal_acls(admin, principal), 15, f"describing the ACLs of {principal}")
    return found


@asynccontextmanager
async def _admin(connection: KafkaConnection) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(**connection.client_kwargs(), request_timeout_ms=10_000)
    await bounded(admin.start(), 15, "starting the admin client")
    try:
        yield admin
    finally:
        await bounded(admin.close(), 5, "closing the admin client")


async def acls_of(connection: KafkaConnection, principals: Iterable[str]) -> set[Acl]:
    """The broker's ACLs of these principals (e.g. "User:court")."""
    async with _admin(connection) as admin:
        return await _acls(admin, principals)


async def grant(connection: KafkaConnection, acl: Acl) -> None:
    """One ACL, outside the catalogue (a grant made by hand, which the next `provision` removes)."""
    async with _admin(connection) as admin:
        await _create(admin, acl)


@dataclass(frozen=True)
class Provisioned:
    topics_created: list[str]
    acls_created: list[Acl]
    acls_deleted: list[Acl]


async def provision(
    connection: KafkaConnection,
    consumed: Mapping[str, Sequence[str]],
    *,
    partitions: int,
    replication_factor: int,
    usernames: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> Provisioned:
    """Create the topic catalogue and make the ACLs of the services' principals exactly the catalogue's."""
    created_topics = await ensure_topics(
        connection, topics.catalogue(), partitions=partitions, replication_factor=replication_factor, timeout=timeout
    )
    wanted = catalogue_acls(consumed, usernames)
    async with _admin(connection) as admin:
        # topics made before a setting existed get it too (the dead-letter topics' retention): idempotent
        configured = [
            ConfigResource(ConfigResourceType.TOPIC, n, topic_configs(n, replication_factor))
            for n in topics.catalogue()
        ]
        configured = [c for c in configured if c.configs]
        if configured:
            await bounded(admin.alter_configs(configured), 30, "setting the topics' configuration")
        present = await _acls(admin, sorted({acl.principal for acl in wanted}))
        missing, stale = sorted(wanted - present), sorted(present - wanted)
        for acl in missing:
            await _create(admin, acl)
        for acl in stale:
            if acl.resource is Resource.ANY:
                raise RuntimeError(f"the broker holds an ACL this tool did not write; remove it by hand: {acl}")
            request = DeleteAclsRequest(acl.resource, acl.name, LITERAL, acl.principal, ANY_HOST, acl.operation, ALLOW)
            response: Any = await bounded(admin._send_request(request), 15, f"deleting ACL {acl}")
            _check([(r[0], r[1]) for r in response.filter_responses], f"deleting ACL {acl}")
    if missing or stale:
        log.info("ACLs: %d created, %d deleted", len(missing), len(stale))
    return Provisioned(created_topics, missing, stale)
