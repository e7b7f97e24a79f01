"""The court's leads and referrals, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from liandong.errors import Conflict, DomainError
from liandong_court.adapters.translators import translate
from liandong_court.domain import events
from liandong_court.domain.model import Lead, LeadSource, LeadStatus, ReferralStatus

NOW = datetime(2025, 10, 10, 2, 0, tzinfo=UTC)
DEBTOR = {"name": "黎某某", "kind": "person", "role": "debtor", "id_number": "42122219800101123X"}


def lead(**overrides: object) -> Lead:
    values: dict[str, object] = {
        "id": "lead-1",
        "unit": "421222",
        "enforcement_case_number": "(2024)鄂1222执123号",
        "source": LeadSource.CASE_SCREENING,
        "suspects": [DEBTOR],
        "amount_owed": Decimal("350000"),
        "amount_paid": Decimal("0"),
        "summary": "有履行能力而拒不履行",
        "created_at": NOW,
        "created_by": "tongcheng.officer",
    }
    values.update(overrides)
    return Lead(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"enforcement_case_number": "2024-123"}, "invalid_case_number"),
        ({"enforcement_case_number": "(2024)鄂1224执9号"}, "case_of_other_court"),
        ({"unit": "110101"}, "unknown_unit"),
        ({"amount_paid": Decimal("400000")}, "paid_exceeds_owed"),
        ({"suspects": [{**DEBTOR, "role": "helper"}]}, "no_debtor"),
    ],
)
def test_a_lead_refuses_what_a_court_would_not_accept(overrides: dict[str, object], code: str) -> None:
    with pytest.raises(DomainError) as caught:
        lead(**overrides)
    assert caught.value.code == code


def test_restored_enforcement_case_numbers_are_accepted() -> None:
    assert lead(enforcement_case_number="(2023)鄂1222执恢45号").court_code == "鄂1222"


def test_referring_a_lead_goes_to_the_police_of_its_county_once() -> None:
    subject = lead()
    referral = subject.refer(referred_by="tongcheng.officer", at=NOW)
    assert subject.status is LeadStatus.REFERRED
    assert referral.police_unit == "421222"
    assert referral.status is ReferralStatus.SUBMITTED
    (event,) = referral.events
    assert isinstance(event, events.ReferralSubmitted)
    assert event.lead_id == "lead-1"
    with pytest.raises(Conflict):
        subject.refer(referred_by="tongcheng.officer", at=NOW)


def test_a_police_receipt_is_applied_once() -> None:
    subject = lead()
    referral = subject.refer(referred_by="tongcheng.officer", at=NOW)
    assert referral.record_receipt(receipt_number="R1", received_at=NOW, received_by="inv")
    assert not referral.record_receipt(receipt_number="R2", received_at=NOW, received_by="inv")
    assert referral.receipt_number == "R1"
    assert referral.status is ReferralStatus.RECEIVED


def test_the_referral_letter_carries_the_matter_and_the_debtor() -> None:
    subject = lead()
    referral = subject.refer(referred_by="tongcheng.officer", at=NOW)
    (envelope,) = list(translate(referral.events[0]))
    assert envelope.event_type == "court.referral.submitted"
    assert envelope.aggregate_id == referral.id
    assert envelope.correlation_id == "lead-1"
    assert envelope.producer.agency == "court"
    assert envelope.jurisdiction == "421222"
    assert envelope.payload["suspects"][0]["id_number"] == "42122219800101123X"
    assert envelope.payload["amount_owed"] == "350000.00"
    assert list(translate(events.PoliceReceiptRecorded("r", "l", NOW))) == []
