"""The envelope and the versioned contracts."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from liandong.contracts import (
    REGISTRY,
    ContractError,
    ReferralReceivedV1,
    ReferralSubmittedV1,
    UnknownEventType,
    UnknownSchemaVersion,
    parse_payload,
    topics,
)
from liandong.contracts.base import Contract, contract
from liandong.envelope import DocumentRef, Envelope, ProducerRef

BEIJING = timezone(timedelta(hours=8))


def receipt(**overrides: object) -> ReferralReceivedV1:
    values: dict[str, object] = {
        "referral_id": "r-1",
        "police_unit": "421222",
        "receipt_number": "421222公受〔2025〕00001号",
        "received_at": datetime(2025, 10, 10, 15, 0, tzinfo=BEIJING),
        "registered_by": "tongcheng.investigator",
    }
    values.update(overrides)
    return ReferralReceivedV1.model_validate(values)


def wrapped(contract_payload: Contract, **overrides: object) -> Envelope:
    envelope = Envelope.wrap(
        contract_payload,
        producer=ProducerRef(agency="police", unit="421222"),
        jurisdiction="421222",
        aggregate_id="r-1",
        correlation_id="lead-1",
        occurred_at=datetime(2025, 10, 10, 15, 0, tzinfo=BEIJING),
    )
    return envelope.model_copy(update=overrides) if overrides else envelope


def test_wrap_fills_the_envelope_from_the_contract() -> None:
    envelope = wrapped(receipt())
    assert envelope.event_type == "police.referral.received"
    assert envelope.schema_version == 1
    assert envelope.aggregate_type == "referral"
    assert envelope.occurred_at == datetime(2025, 10, 10, 7, 0, tzinfo=UTC)
    assert envelope.occurred_at.utcoffset() == timedelta(0)
    assert envelope.key == b"r-1"
    headers = dict(envelope.headers())
    assert headers["event_id"] == str(envelope.event_id).encode()
    assert headers["event_type"] == b"police.referral.received"


def test_envelope_round_trips_through_json() -> None:
    envelope = wrapped(receipt())
    again = Envelope.from_bytes(envelope.to_json().encode())
    assert again == envelope
    assert parse_payload(again) == receipt()


def test_an_envelope_carries_its_acts_documents_and_without_them_is_what_it_was() -> None:
    plain = wrapped(receipt())
    assert "documents" not in json.loads(plain.to_json()), "an event without papers is unchanged on the wire"
    ref = DocumentRef(
        id=str(uuid.uuid4()),
        kind="police_receipt",
        title="受案回执",
        number="通城公（刑）受字〔2025〕1号",
        issuer="通城县公安局",
        addressee="通城县人民法院",
        sha256="a" * 64,
        pages=1,
        size_bytes=2048,
        issued_at=datetime(2025, 10, 10, 15, 0, tzinfo=BEIJING),
    )
    carrying = plain.model_copy(update={"documents": (ref,)})
    again = Envelope.from_bytes(carrying.to_json().encode())
    assert again.documents == (ref,)
    assert again.event_id == plain.event_id
    forged = json.loads(carrying.to_json())
    forged["documents"][0]["sha256"] = "not-a-digest"
    with pytest.raises(ValidationError):
        Envelope.model_validate(forged)


def test_envelope_rejects_unknown_fields_naive_times_and_bad_event_types() -> None:
    good = json.loads(wrapped(receipt()).to_json())
    with pytest.raises(ValidationError):
        Envelope.model_validate({**good, "surprise": 1})
    with pytest.raises(ValidationError):
        Envelope.model_validate({**good, "occurred_at": "2025-10-10T15:00:00"})
    with pytest.raises(ValidationError):
        Envelope.model_validate({**good, "event_type": "Court.Referral"})
    with pytest.raises(ValueError, match="empty"):
        Envelope.from_bytes(None)


def test_unknown_version_and_unknown_type_are_told_apart() -> None:
    with pytest.raises(UnknownSchemaVersion, match="not one of \\[1\\]"):
        parse_payload(wrapped(receipt(), schema_version=7))
    with pytest.raises(UnknownEventType):
        parse_payload(wrapped(receipt(), event_type="police.referral.teleported"))


def test_a_payload_breaking_its_contract_is_a_contract_error() -> None:
    envelope = wrapped(receipt(), payload={"referral_id": "r-1"})
    with pytest.raises(ContractError) as caught:
        parse_payload(envelope)
    assert caught.value.reason == "contract_violation"


def test_every_contract_publishes_to_a_catalogued_topic() -> None:
    assert REGISTRY[("court.referral.submitted", 1)] is ReferralSubmittedV1
    assert all(cls.topic in topics.EVENT_TOPICS for cls in REGISTRY.values())


def test_a_contract_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):

        @contract
        class Again(ReferralReceivedV1):
            pass


def test_referral_letter_needs_a_suspect_and_sane_amounts() -> None:
    base = {
        "referral_id": str(uuid.uuid4()),
        "lead_id": "lead-1",
        "letter_number": "(2025)鄂1222执移1号",
        "court_code": "鄂1222",
        "court_unit": "421222",
        "police_unit": "421222",
        "enforcement_case_number": "(2024)鄂1222执123号",
        "enforcement_summary": "拒不履行",
        "amount_owed": "350000.00",
        "amount_paid": "0",
        "suspects": [{"name": "黎某某", "kind": "person", "role": "debtor"}],
        "submitted_at": "2025-10-10T08:00:00+08:00",
        "submitted_by": "tongcheng.officer",
    }
    letter = ReferralSubmittedV1.model_validate(base)
    assert letter.amount_owed == Decimal("350000.00")
    with pytest.raises(ValidationError):
        ReferralSubmittedV1.model_validate({**base, "suspects": []})
    with pytest.raises(ValidationError):
        ReferralSubmittedV1.model_validate({**base, "amount_owed": "-1"})
    with pytest.raises(ValidationError):
        ReferralSubmittedV1.model_validate({**base, "police_unit": "110101"})


def test_what_a_deadline_event_may_say_fits_where_every_agency_keeps_it() -> None:
    """A window's facts are stored by the agencies that receive them (peer windows, received breaches): an event
    valid by its contract must never fail at the database for a value too long."""
    from annotated_types import MaxLen
    from sqlalchemy import String

    from liandong.contracts.deadlines import DeadlineFacts
    from liandong_court.adapters.orm import common

    checked = 0
    for table in (common.peer_windows, common.received_breaches):
        for name, field in DeadlineFacts.model_fields.items():
            column = table.c.get(name)
            if column is None or not isinstance(column.type, String) or column.type.length is None:
                continue
            limits = [m.max_length for m in field.metadata if isinstance(m, MaxLen)]
            assert limits, f"{name} has no bound in the contract but {table.name}.{name} has one"
            assert limits[0] <= column.type.length, (
                f"{name}: contract allows {limits[0]}, {table.name} keeps {column.type.length}"
            )
            checked += 1
    assert checked >= 10
