"""The rules of 立案监督 in each agency's domain: when the court may ask, what the procuratorate may send, what the
police must answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from liandong.contracts.common import PartyKind, SuspectRole
from liandong.errors import Conflict, DomainError
from liandong_court.domain.leads import Lead, LeadSource
from liandong_court.domain.referrals import Referral, ReferralStatus
from liandong_court.domain.values import Suspect
from liandong_police.domain.supervision import NoticeKind, NoticeStatus, SupervisionNotice
from liandong_procuratorate.domain.supervision import Origin, SupervisionCase

AT = datetime(2025, 10, 9, 2, 0, tzinfo=UTC)
CO_OFFENDER = {"name": "郑某某", "part_in_scheme": "提供账户", "evidence": ["银行流水"]}
SETTLED: dict[str, Any] = {
    "explanation_settled": True,
    "by": "p",
    "at": AT,
}  # the police gave their reasons (or their 7 days ran out)


def court_referral(status: ReferralStatus) -> tuple[Referral, Lead]:
    lead = Lead(
        id="lead-1",
        unit="421222",
        enforcement_case_number="(2024)鄂1222执123号",
        source=LeadSource.CASE_SCREENING,
        suspects=(Suspect(name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR),),
        amount_owed=Decimal("1000"),
        amount_paid=Decimal("0"),
        summary="拒不履行",
        created_at=AT,
        created_by="tongcheng.officer",
    )
    referral = Referral(
        id="ref-1",
        lead_id="lead-1",
        letter_number="(2025)鄂1222执移1号",
        court_unit="421222",
        police_unit="421222",
        submitted_at=AT,
        submitted_by="tongcheng.officer",
        status=status,
        decline_reasons="证据不足" if status is ReferralStatus.DECLINED else None,
    )
    return referral, lead


def ask(referral: Referral, lead: Lead, at: datetime) -> None:
    referral.request_supervision(
        request_id="req-1",
        reasons="应当立案",
        filing_due_at=AT + timedelta(days=7),
        lead=lead,
        evidence=(),
        by="tongcheng.officer",
        at=at,
    )


def test_the_court_asks_after_a_decline_or_a_silence_past_the_window_and_once() -> None:
    declined, lead = court_referral(ReferralStatus.DECLINED)
    ask(declined, lead, AT + timedelta(days=2))
    assert declined.supervision is not None
    assert declined.supervision["request"]["ground"] == "declined"
    assert [type(e).__name__ for e in declined.events] == ["SupervisionRequested"]
    with pytest.raises(Conflict) as twice:
        ask(declined, lead, AT + timedelta(days=3))
    assert twice.value.code == "supervision_requested"

    silent, lead = court_referral(ReferralStatus.RECEIVED)
    with pytest.raises(Conflict) as early:
        ask(silent, lead, AT + timedelta(days=6))
    assert early.value.code == "filing_window_running"
    ask(silent, lead, AT + timedelta(days=8))
    assert silent.supervision is not None
    assert silent.supervision["request"]["ground"] == "silence"

    filed, lead = court_referral(ReferralStatus.FILED)
    with pytest.raises(Conflict) as caught:
        ask(filed, lead, AT + timedelta(days=9))
    assert caught.value.code == "referral_filed"
    assert filed.events == []


def supervision_case(referral_id: str | None = "ref-1") -> SupervisionCase:
    return SupervisionCase(
        id="sup-1",
        correlation_id="lead-1",
        unit="421222",
        police_unit="421222",
        origin=Origin.COURT_REQUEST if referral_id else Origin.OWN_INITIATIVE,
        referral_id=referral_id,
        source_id="req-1" if referral_id else None,
        court_request=None,
        opened_at=AT,
        opened_by="tongcheng.officer",
    )


def test_reasons_are_demanded_of_a_referral_and_an_accepted_explanation_closes_the_case() -> None:
    case = supervision_case()
    case.demand_explanation(notice_id="n-1", number="N1", reasons="说明理由", by="p", at=AT)
    with pytest.raises(Conflict) as pending:
        case.demand_explanation(notice_id="n-2", number="N2", reasons="再", by="p", at=AT)
    assert pending.value.code == "explanation_pending"
    with pytest.raises(Conflict):
        case.accept_explanation(note="成立", by="p", at=AT)
    assert case.record_explanation("n-1", explanation="证据不足", given_at=AT, given_by="i") is True
    assert case.record_explanation("n-1", explanation="证据不足", given_at=AT, given_by="i") is False
    case.accept_explanation(note="理由成立", by="p", at=AT + timedelta(days=1))
    assert (case.status.value, case.outcome) == ("closed", "explanation_accepted")
    with pytest.raises(Conflict) as closed:
        case.issue_filing_notice(notice_id="n-3", number="N3", reasons="立案", co_offender=None, **SETTLED)
    assert closed.value.code == "supervision_closed"
    own = supervision_case(referral_id=None)
    with pytest.raises(DomainError) as no_referral:
        own.demand_explanation(notice_id="n-4", number="N4", reasons="说明", by="p", at=AT)
    assert no_referral.value.code == "no_referral"


def test_a_co_offender_needs_evidence_and_a_case_closes_when_every_notice_is_complied_with() -> None:
    case = supervision_case()
    with pytest.raises(DomainError) as bare:
        case.issue_filing_notice(
            notice_id="n-1", number="N1", reasons="同案犯", co_offender={**CO_OFFENDER, "evidence": []}, **SETTLED
        )
    assert bare.value.code == "evidence_required"
    case.issue_filing_notice(notice_id="n-1", number="N1", reasons="立案", co_offender=None, **SETTLED)
    case.issue_filing_notice(notice_id="n-2", number="N2", reasons="同案犯", co_offender=CO_OFFENDER, **SETTLED)
    with pytest.raises(Conflict):
        case.issue_filing_notice(notice_id="n-3", number="N3", reasons="再", co_offender=None, **SETTLED)
    filed = {"case_id": "c-1", "case_number": "X", "suspects": [], "filed_at": AT.isoformat(), "filed_by": "h"}
    assert case.record_compliance("n-1", filed=filed, at=AT) is True
    assert case.status.value == "open", "the co-offender's notice is still unanswered"
    assert case.record_compliance("n-2", filed={**filed, "case_id": "c-2"}, at=AT) is True
    assert (case.status.value, case.outcome) == ("closed", "complied")
    assert [type(e).__name__ for e in case.events][-1] == "SupervisionClosed"


def test_a_reminder_comes_three_months_after_a_filing_under_supervision() -> None:
    case = supervision_case()
    case.issue_filing_notice(notice_id="n-1", number="N1", reasons="立案", co_offender=None, **SETTLED)
    filed = {"case_id": "c-1", "case_number": "X", "suspects": [], "filed_at": AT.isoformat(), "filed_by": "h"}
    case.record_compliance("n-1", filed=filed, at=AT)
    with pytest.raises(Conflict) as early:
        case.send_reminder(notice_id="r-1", number="R1", case_id="c-1", text="催办", by="p", at=AT + timedelta(days=80))
    assert early.value.code == "too_early"
    with pytest.raises(DomainError) as stranger:
        case.send_reminder(notice_id="r-1", number="R1", case_id="c-9", text="催办", by="p", at=AT + timedelta(days=95))
    assert stranger.value.code == "unknown_case"
    reminder = case.send_reminder(
        notice_id="r-1", number="R1", case_id="c-1", text="催办", by="p", at=AT + timedelta(days=92)
    )
    assert reminder["kind"] == "reminder"


def test_cpl_113_a_notice_to_file_the_referral_follows_the_polices_reasons_and_the_chief_decides_it() -> None:
    """CPL Art. 113, SPP Rules Art. 559–561: not while the police's 7 days to give their reasons run; proposed by a
    prosecutor and issued when the chief prosecutor approves it."""
    case = supervision_case()
    early: dict[str, Any] = {"explanation_settled": False, "by": "p", "at": AT}
    with pytest.raises(Conflict) as first:
        case.propose_filing_notice(reasons="立案", co_offender=None, **early)
    assert first.value.code == "explanation_first"
    case.propose_filing_notice(reasons="同案犯", co_offender=CO_OFFENDER, **early)  # a co-offender needs no reasons
    with pytest.raises(Conflict) as pending:
        case.propose_filing_notice(reasons="立案", co_offender=None, **SETTLED)
    assert pending.value.code == "proposal_pending"
    assert case.notices == [], "a proposal is not a notice"
    issued = case.decide_filing_notice(
        approve=True, note=None, notice_id="n-1", number="N1", explanation_settled=False, by="chief", at=AT
    )
    assert issued is not None
    assert (issued["issued_by"], issued["approval"]["approved_by"]) == ("p", "chief")
    case.propose_filing_notice(reasons="立案", co_offender=None, **SETTLED)
    rejected = case.decide_filing_notice(
        approve=False, note="理由成立", notice_id="n-2", number="", explanation_settled=True, by="chief", at=AT
    )
    assert (rejected, case.proposal, len(case.notices)) == (None, None, 1)


def test_the_bureau_answers_a_notice_once_and_only_the_way_it_asks() -> None:
    def notice(kind: NoticeKind) -> SupervisionNotice:
        return SupervisionNotice(
            id=f"{kind.value}-1",
            supervision_id="sup-1",
            correlation_id="lead-1",
            police_unit="421222",
            referral_id="ref-1",
            kind=kind,
            document_number="N1",
            content="说明理由",
            co_offender=None,
            concerns_notice_id=None,
            case_id=None,
            issued_at=AT,
            issued_by="p",
            received_at=AT,
        )

    demand = notice(NoticeKind.EXPLANATION)
    with pytest.raises(DomainError) as wrong:
        demand.check_filing()
    assert wrong.value.code == "wrong_notice"
    demand.give_explanation("证据不足", by="i", at=AT)
    assert demand.status is NoticeStatus.ANSWERED
    with pytest.raises(Conflict) as twice:
        demand.give_explanation("再", by="i", at=AT)
    assert twice.value.code == "already_answered"
    assert notice(NoticeKind.CORRECTION).status is NoticeStatus.RECEIVED, "nothing to answer in the system"


def test_cpl_210_the_creditor_may_prosecute_privately_once_a_filed_case_is_let_go() -> None:
    """CPL Art. 210(3), 法释〔2024〕13号 第十四条: after the police withdraw the case filed on the referral, or the
    procuratorate decides not to prosecute it — not while it is pursued."""
    window = {"filing_due_at": AT + timedelta(days=7), "at": AT + timedelta(days=30)}
    filed, _ = court_referral(ReferralStatus.FILED)
    with pytest.raises(Conflict) as pursued:
        filed.let_go(**window, dropped=None)
    assert pursued.value.code == "referral_filed"
    assert filed.let_go(**window, dropped="withdrawn") == "withdrawn"
    assert filed.let_go(**window, dropped="not_prosecuted") == "not_prosecuted"
    declined, _ = court_referral(ReferralStatus.DECLINED)
    assert declined.let_go(**window, dropped=None) == "declined"
