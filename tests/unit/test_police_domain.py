"""The police referral inbox, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from liandong.errors import Conflict
from liandong_police.adapters.translators import translate
from liandong_police.domain.model import Referral, ReferralStatus, receipt_number


def referral() -> Referral:
    return Referral(
        id="r-1",
        lead_id="lead-1",
        letter_number="(2025)鄂1222执移1号",
        court_code="鄂1222",
        court_unit="421222",
        police_unit="421222",
        enforcement_case_number="(2024)鄂1222执123号",
        enforcement_summary="拒不履行",
        amount_owed=Decimal("350000"),
        amount_paid=Decimal("0"),
        suspects=[{"name": "黎某某", "kind": "person", "role": "debtor"}],
        evidence=[],
        submitted_at=datetime(2025, 10, 10, 1, 0, tzinfo=UTC),
        arrived_at=datetime(2025, 10, 10, 1, 0, 1, tzinfo=UTC),
    )


def test_registration_issues_a_receipt_numbered_in_the_shanghai_year() -> None:
    subject = referral()
    # 2025-12-31 17:00 UTC is already 2026 in Asia/Shanghai.
    subject.register(by="tongcheng.investigator", at=datetime(2025, 12, 31, 17, 0, tzinfo=UTC), sequence=12)
    assert subject.status is ReferralStatus.REGISTERED
    assert subject.receipt_number == "通城公（刑）受字〔2026〕12号" == receipt_number("421222", 2026, 12)
    (envelope,) = [e for event in subject.events for e in translate(event)]
    assert envelope.event_type == "police.referral.received"
    assert envelope.correlation_id == "lead-1"
    assert envelope.payload["receipt_number"] == subject.receipt_number


def test_a_referral_is_registered_only_once() -> None:
    subject = referral()
    subject.register(by="a", at=datetime(2025, 10, 10, tzinfo=UTC), sequence=1)
    with pytest.raises(Conflict):
        subject.register(by="b", at=datetime(2025, 10, 11, tzinfo=UTC), sequence=2)
