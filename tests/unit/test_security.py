"""Passwords, tokens and the production guard on secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from liandong.config import ServiceSettings
from liandong.pii import mask_id_number, mask_phone
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
    assert ServiceSettings(environment="production", secret_key="p" * 32).secret_key == "p" * 32


def test_personal_numbers_are_masked() -> None:
    assert mask_id_number("42122219800101123X") == "421222********123X"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_id_number(None) is None
