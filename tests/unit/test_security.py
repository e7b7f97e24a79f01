"""Passwords, tokens and the production guard on secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from liandong.config import ServiceSettings
from liandong.contracts import topics
from liandong.messaging.acls import Operation, Resource, catalogue_acls
from liandong.messaging.kafka import development_password, service_connection
from liandong.pii import mask_id_number, mask_phone
from liandong.runtime import AGENCY_SERVICES, consumed_topics
from liandong.security import (
    InvalidToken,
    Principal,
    hash_password,
    issue_token,
    read_token,
    verify_password,
)

SECRET = "s" * 40
ALICE = Principal(username="alice", agency="court", role="enforcement_officer", unit="421222")


def test_passwords_verify_only_themselves() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$")
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong", stored)
    assert not verify_password("correct horse", "garbage")
    assert hash_password("x") != hash_password("x")  # salted


def test_a_token_names_its_agency_and_expires() -> None:
    now = datetime.now(UTC)
    token = issue_token(ALICE, secret=SECRET, now=now, ttl=timedelta(minutes=5))
    assert read_token(token, secret=SECRET, agency="court", now=now) == ALICE
    with pytest.raises(InvalidToken):
        read_token(token, secret=SECRET, agency="police", now=now)
    with pytest.raises(InvalidToken):
        read_token(token, secret="t" * 40, agency="court", now=now)
    expired = issue_token(ALICE, secret=SECRET, now=now - timedelta(hours=2), ttl=timedelta(minutes=5))
    with pytest.raises(InvalidToken):
        read_token(expired, secret=SECRET, agency="court", now=now)


def test_a_token_is_judged_by_the_services_own_clock() -> None:
    """Expiry and issue time are checked against the clock the service lives in (injected in tests), not the
    machine's: a token issued by a service whose clock runs days ahead is valid there, and expires there."""
    ahead = datetime.now(UTC) + timedelta(days=6)
    token = issue_token(ALICE, secret=SECRET, now=ahead, ttl=timedelta(minutes=15))
    assert read_token(token, secret=SECRET, agency="court", now=ahead + timedelta(minutes=1)) == ALICE
    with pytest.raises(InvalidToken, match="expired"):
        read_token(token, secret=SECRET, agency="court", now=ahead + timedelta(minutes=16))
    with pytest.raises(InvalidToken, match="future"):
        read_token(token, secret=SECRET, agency="court", now=datetime.now(UTC))


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="secret_key"):
        ServiceSettings(environment="production")
    with pytest.raises(ValidationError, match="secret_key"):
        ServiceSettings(environment="production", secret_key="short")
    assert (
        ServiceSettings(
            environment="production", secret_key="p" * 32, kafka_password="k" * 20, single_node=True
        ).secret_key
        == "p" * 32
    )


def test_production_refuses_an_unauthenticated_broker_and_the_development_broker_password() -> None:
    strong: dict[str, Any] = {"environment": "production", "secret_key": "p" * 32, "single_node": True}
    with pytest.raises(ValidationError, match="kafka_password must be set"):
        ServiceSettings(**strong)
    with pytest.raises(ValidationError, match="kafka_password must be set"):
        ServiceSettings(**strong, kafka_password=development_password("court"))
    with pytest.raises(ValidationError, match="PLAINTEXT"):
        ServiceSettings(**strong, kafka_password="k" * 20, kafka_security_protocol="PLAINTEXT")
    settings = ServiceSettings(environment="development")
    assert service_connection(settings, "police").client_kwargs() == {
        "bootstrap_servers": "127.0.0.1:9092",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "police",
        "sasl_plain_password": "liandong-dev-kafka-police",
    }
    production = service_connection(ServiceSettings(**strong, kafka_password="k" * 20, kafka_username="p2"), "police")
    assert (production.username, production.password) == ("p2", "k" * 20)
    assert "k" * 20 not in repr(production), "the password stays out of logs"


def test_personal_numbers_are_masked() -> None:
    assert mask_id_number("42122219800101123X") == "421222********123X"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_id_number(None) is None


def test_each_principal_writes_only_its_agencys_topics_and_reads_what_its_handlers_consume() -> None:
    consumed = consumed_topics()
    acls = catalogue_acls(consumed)
    for agency in AGENCY_SERVICES:
        mine = {a for a in acls if a.principal == f"User:{agency}"}
        written = {a.name for a in mine if a.operation is Operation.WRITE}
        assert written == {*topics.owned_by(agency), topics.dead_letter_topic(f"liandong.{agency}")}
        read = {a.name for a in mine if a.operation is Operation.READ and a.resource is Resource.TOPIC}
        own = topics.owned_by(agency)  # read back after a restore (liandong.restore)
        assert read == {*consumed[agency], *own, topics.dead_letter_topic(f"liandong.{agency}")}
        assert {a.name for a in mine if a.resource is Resource.GROUP} == {f"liandong.{agency}"}
    # every event topic is written by exactly one principal, and read by someone
    for topic in topics.EVENT_TOPICS:
        writers = {a.principal for a in acls if a.name == topic and a.operation is Operation.WRITE}
        assert writers == {f"User:{topics.owner(topic)}"}
    assert set(topics.EVENT_TOPICS) <= {t for ts in consumed.values() for t in ts}


def test_production_refuses_sqlite_unless_one_node_is_intended_and_a_short_ops_token() -> None:
    strong: dict[str, Any] = {"environment": "production", "secret_key": "p" * 32, "kafka_password": "k" * 20}
    with pytest.raises(ValidationError, match="single_node"):
        ServiceSettings(**strong)
    assert ServiceSettings(**strong, single_node=True).single_node
    postgres = "postgresql+asyncpg://liandong:x@db:5432/court"
    assert not ServiceSettings(**strong, database_url=postgres).docs_enabled, "no /docs in production unless asked"
    assert ServiceSettings(**strong, database_url=postgres, api_docs=True).docs_enabled
    assert ServiceSettings(environment="development").docs_enabled
    with pytest.raises(ValidationError, match="ops_token"):
        ServiceSettings(ops_token="short")
