"""The court's leads and referrals, without a database: the lead's way from screening to the police."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from liandong.contracts.common import PartyKind, SuspectRole
from liandong.errors import Conflict, DomainError
from liandong_court.adapters.translators import translate
from liandong_court.domain import events
from liandong_court.domain.cases import ClosureType, EnforcementCase
from liandong_court.domain.leads import Assessment, Lead, LeadSource, LeadStatus
from liandong_court.domain.referrals import ReferralStatus
from liandong_court.domain.values import EvidenceFile, Instalment, Suspect
from tests.support.letters import NOT_YET_PROVED, PARTICULARS

NOW = datetime(2025, 10, 10, 2, 0, tzinfo=UTC)
NOTICE_DUE = datetime(2025, 10, 15, 16, 0, tzinfo=UTC)
DEBTOR = Suspect(name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR, id_number="42122219800101123X")


def lead(**overrides: object) -> Lead:
    values: dict[str, object] = {
        "id": "lead-1",
        "unit": "421222",
        "enforcement_case_number": "(2024)鄂1222执123号",
        "source": LeadSource.CASE_SCREENING,
        "suspects": (DEBTOR,),
        "amount_owed": Decimal("350000"),
        "amount_paid": Decimal("0"),
        "summary": "有履行能力而拒不履行",
        "created_at": NOW,
        "created_by": "tongcheng.officer",
        **PARTICULARS,
    }
    values.update(overrides)
    return Lead(**values)  # type: ignore[arg-type]


def ready(subject: Lead | None = None) -> Lead:
    """Assessed as suspected, notice served, window over."""
    subject = subject or lead()
    subject.assess(Assessment.SUSPECTED, "微信流水显示有履行能力", by="tongcheng.judge", at=NOW)
    subject.serve_notice(number="告知书-1", served_at=NOW, due_at=NOTICE_DUE, now=NOW)
    return subject


def refer(subject: Lead, at: datetime = NOTICE_DUE + timedelta(hours=1), **kwargs: Any) -> Any:
    kwargs.setdefault("missing_evidence", NOT_YET_PROVED)
    return subject.refer(
        referred_by="tongcheng.officer", at=at, letter_number="(2025)鄂1222执移1号", evidence=[], **kwargs
    )


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"enforcement_case_number": "2024-123"}, "invalid_case_number"),
        ({"enforcement_case_number": "(2024)鄂1224执9号"}, "case_of_other_court"),
        ({"unit": "110101"}, "unknown_unit"),
        ({"amount_paid": Decimal("400000")}, "paid_exceeds_owed"),
        ({"suspects": (replace(DEBTOR, role=SuspectRole.HELPER),)}, "no_debtor"),
        ({"source": LeadSource.PUBLIC_TIP}, "no_tip_channel"),
    ],
)
def test_a_lead_refuses_what_a_court_would_not_accept(overrides: dict[str, object], code: str) -> None:
    with pytest.raises(DomainError) as caught:
        lead(**overrides)
    assert caught.value.code == code


def test_a_case_needs_id_numbers_of_persons_and_representatives_of_units() -> None:
    base: dict[str, Any] = {
        "id": "c",
        "unit": "421222",
        "case_number": "(2024)鄂1222执9号",
        "creditor": "洪某某",
        "amount_owed": Decimal(100),
        "amount_paid": Decimal(0),
        "closure_type": ClosureType.TERMINATED,
        "closure_date": date(2024, 5, 1),
        "focus_categories": ["livelihood"],
        "imported_at": NOW,
        "imported_by": "o",
    }
    with pytest.raises(DomainError, match="ID number"):
        EnforcementCase(**base, debtors=[{"name": "黎某某", "kind": "person"}])
    with pytest.raises(DomainError, match="legal representative"):
        EnforcementCase(**base, debtors=[{"name": "某公司", "kind": "unit"}])
    case = EnforcementCase(**base, debtors=[{"name": "某公司", "kind": "unit", "legal_representative": "祁某某"}])
    assert [s.role for s in case.suspects()] == ["debtor", "legal_representative"]


def test_referral_waits_for_the_assessment_and_the_notice_window() -> None:
    subject = lead()
    with pytest.raises(DomainError) as not_assessed:
        refer(subject)
    assert not_assessed.value.code == "not_assessed"
    subject.assess(Assessment.SUSPECTED, "理由", by="judge", at=NOW)
    with pytest.raises(DomainError) as no_notice:
        refer(subject)
    assert no_notice.value.code == "notice_not_served"
    subject.serve_notice(number="告知书-1", served_at=NOW, due_at=NOTICE_DUE, now=NOW)
    with pytest.raises(DomainError) as window_open:
        refer(subject, at=NOTICE_DUE - timedelta(hours=1))
    assert window_open.value.code == "notice_window_open"
    assert subject.status is LeadStatus.NOTICE_SERVED


def test_a_judge_may_refer_early_with_a_written_reason() -> None:
    subject = lead()
    with pytest.raises(DomainError) as unassessed:
        refer(subject, at=NOW, override_reason="被执行人正在转移房产")
    assert unassessed.value.code == "not_assessed", "an override needs the assessment 'suspected'"
    subject.assess(Assessment.SUSPECTED, "理由", by="judge", at=NOW)
    with pytest.raises(DomainError) as unserved:
        refer(subject, at=NOW, override_reason="被执行人正在转移房产")
    assert unserved.value.code == "notice_not_served", "法发〔2025〕8号 第三条: the letter states the notice served"
    subject.serve_notice(number="告知书-1", served_at=NOW, due_at=NOTICE_DUE, now=NOW)
    referral = refer(subject, at=NOW, override_reason="被执行人正在转移房产")
    assert referral.override_reason == "被执行人正在转移房产"
    assert subject.status is LeadStatus.REFERRED
    second = lead(id="lead-2")
    second.assess(Assessment.SUSPECTED, "理由", by="judge", at=NOW)
    second.serve_notice(number="告知书-2", served_at=NOW, due_at=NOTICE_DUE, now=NOW)
    with pytest.raises(DomainError) as blank:
        refer(second, at=NOW, override_reason="  ")
    assert blank.value.code == "reason_required"


def test_referring_a_lead_goes_to_the_police_of_its_county_once() -> None:
    subject = ready()
    referral = refer(subject)
    assert subject.status is LeadStatus.REFERRED
    assert subject.live_referral_id == referral.id
    assert referral.police_unit == "421222"
    (event,) = referral.events
    assert isinstance(event, events.ReferralSubmitted)
    with pytest.raises(Conflict):
        refer(subject)


def test_not_suspected_closes_the_lead() -> None:
    subject = lead()
    subject.assess(Assessment.NOT_SUSPECTED, "无履行能力", by="judge", at=NOW)
    assert subject.status is LeadStatus.NOT_SUSPECTED
    with pytest.raises(Conflict):
        subject.serve_notice(number="n", served_at=NOW, due_at=NOTICE_DUE, now=NOW)


def test_full_payment_closes_the_lead_and_tells_the_police_only_if_they_have_it() -> None:
    quiet = ready()
    quiet.record_payment(Decimal("350000"), over_reason=None, at=NOW)
    assert quiet.status is LeadStatus.PERFORMED
    (performed,) = quiet.events[-1:]
    assert isinstance(performed, events.LeadPerformed)
    assert list(translate(performed)) == [], "nobody else had the lead"

    with_police = ready(lead(id="lead-2"))
    referral = refer(with_police)
    with_police.record_payment(Decimal("350000"), over_reason=None, at=NOW)
    (envelope,) = list(translate(with_police.events[-1]))
    assert envelope.event_type == "court.enforcement.performed"
    assert envelope.payload["referral_id"] == referral.id
    assert envelope.payload["kind"] == "paid_in_full"


def test_a_payment_above_what_is_owed_needs_a_reason() -> None:
    subject = lead()
    with pytest.raises(DomainError) as caught:
        subject.record_payment(Decimal("350000.01"), over_reason=None, at=NOW)
    assert caught.value.code == "payment_exceeds_owed"
    assert subject.amount_paid == Decimal("0.00")
    subject.record_payment(Decimal("350001"), over_reason="含迟延履行利息", at=NOW)
    assert subject.status is LeadStatus.PERFORMED


def test_a_settlement_must_plan_the_whole_rest() -> None:
    subject = lead()
    with pytest.raises(DomainError) as short:
        subject.settle(
            paid_now=Decimal("120000"),
            at=NOW,
            instalments=[Instalment(due_on=date(2025, 11, 10), amount=Decimal("100000"))],
        )
    assert short.value.code == "instalments_do_not_cover_rest"
    subject.settle(
        paid_now=Decimal("120000"),
        at=NOW,
        instalments=[
            Instalment(due_on=date(2025, 11, 10), amount=Decimal("115000")),
            Instalment(due_on=date(2025, 12, 10), amount=Decimal("115000")),
        ],
    )
    assert subject.status is LeadStatus.SETTLED, "a settlement suspends enforcement; it does not close the lead"
    assert subject.amount_paid == Decimal("120000.00")


def test_the_police_answers_move_the_referral_once() -> None:
    subject = ready()
    referral = refer(subject)
    assert referral.record_receipt(receipt_number="R1", received_at=NOW, received_by="inv")
    assert not referral.record_receipt(receipt_number="R2", received_at=NOW, received_by="inv")
    assert referral.record_filing(case_number="通公立〔2025〕1号", filed_at=NOW)
    assert not referral.record_decline(reasons="r", declined_at=NOW), "a decision is final"
    assert referral.status is ReferralStatus.FILED
    with pytest.raises(Conflict):
        referral.withdraw(reason="已履行", by="o", at=NOW)


def test_the_referral_letter_carries_the_matter_the_evidence_and_the_debtor() -> None:
    subject = ready()
    evidence = [
        EvidenceFile(
            sha256="a" * 64,
            evidence_class="ability_to_perform",
            evidence_type="wechat_transfer",
            filename="微信流水.pdf",
            size_bytes=10,
            content_type="application/pdf",
        )
    ]
    referral = subject.refer(
        referred_by="o",
        at=NOTICE_DUE + timedelta(hours=1),
        letter_number="L1",
        evidence=evidence,
        missing_evidence=NOT_YET_PROVED,
    )
    (envelope,) = list(translate(referral.events[0]))
    assert envelope.event_type == "court.referral.submitted"
    assert envelope.aggregate_id == referral.id
    assert envelope.correlation_id == "lead-1"
    assert envelope.payload["letter_number"] == "L1"
    assert envelope.payload["evidence"][0]["evidence_type"] == "wechat_transfer"
    assert envelope.payload["suspects"][0]["id_number"] == "42122219800101123X"
    assert envelope.payload["amount_owed"] == "350000.00"
    assert list(translate(events.DomainEvent(occurred_at=NOW))) == [], "an event that stays in the court"


def test_a_withdrawal_during_a_settlement_is_where_enforcement_resumes_and_frees_the_lead() -> None:
    subject = ready()
    referral = refer(subject)
    subject.settle(
        paid_now=Decimal("100000"), at=NOW, instalments=[Instalment(due_on=date(2025, 12, 1), amount=Decimal("250000"))]
    )
    referral.withdraw(reason="已和解", by="o", at=NOW)
    subject.police_answered(ReferralStatus.WITHDRAWN)
    assert subject.status is LeadStatus.SETTLED
    assert subject.status_before_settlement is LeadStatus.WITHDRAWN
    assert subject.live_referral_id is None, "a default after the withdrawal tells the police nothing"
