"""The rules of the law the workflow counts by, one test each (items of the issue "The law, read closely").

Calendar rules (months, custody) are in test_legal_calendar.py and test_deadline_engine.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from liandong.clock import ManualClock
from liandong.contracts import CaseFilingDeclinedV1, EnforcementPerformedV1, PerformanceKind, ReferralSubmittedV2
from liandong.contracts.common import EvidenceClass, PartyKind, SuspectRole
from liandong.errors import Conflict, DomainError, Forbidden
from liandong.messaging.handlers import Outcome
from liandong.security import Principal
from liandong.sla.kinds import Kind, kind
from liandong.sla.rules import DeadlineState
from liandong_court.adapters.translators import translate as court_translate
from liandong_court.domain.events import EnforcementResumed, ReferralSubmitted
from liandong_court.domain.leads import Assessment, Lead, LeadSource, LeadStatus
from liandong_court.domain.referrals import Referral, ReferralStatus
from liandong_court.domain.values import CoerciveMeasure, EvidenceFile, Instalment
from liandong_court.domain.values import Suspect as LeadSuspect
from liandong_court.service_layer import commands as court_commands
from liandong_court.service_layer import event_handlers as court_on
from liandong_court.service_layer import handlers as court_handlers
from liandong_police.domain.model import ReferralStatus as ReferralStatusPolice
from liandong_police.service_layer import commands, handlers
from liandong_police.service_layer import event_handlers as police_on
from tests.support.deliveries import delivery
from tests.support.letters import NOT_YET_PROVED, PARTICULARS
from tests.unit.test_court_event_handlers import FakeCourtUnitOfWork, received, referral_id, referred_lead
from tests.unit.test_court_event_handlers import uow as court_uow
from tests.unit.test_police_handlers import (
    ARRIVED,
    HEAD,
    INVESTIGATOR,
    SUPERVISOR,
    FakePoliceUnitOfWork,
    arrived,
    decide,
    letter,
    registered,
    uow,
)


def test_legal_basis_texts_quote_the_law() -> None:
    """法发〔2025〕8号 第五条 and 《人民检察院刑事诉讼规则》第二百八十二条, as staff read them: quoted, not
    paraphrased; the investigation window says it is a local target."""
    filing = kind(Kind.POLICE_FILING_DECISION).legal_basis
    assert filing.startswith("法发〔2025〕8号 第五条：")
    assert "应当在七日内立案侦查；案情重大疑难复杂的，审查期限可以延长至三十日" in filing
    assert "应当在审查期限内作出不予立案决定，并将不予立案通知书送达移送案件的人民法院" in filing
    not_detained = kind(Kind.ARREST_REVIEW_NOT_DETAINED).legal_basis
    assert not_detained.startswith("《人民检察院刑事诉讼规则》第二百八十二条")
    assert "十五日以内作出是否批准逮捕的决定，重大、复杂案件，不得超过二十日" in not_detained
    assert "刑事诉讼法" not in not_detained
    assert "非法定期限" in kind(Kind.POLICE_INVESTIGATION).legal_basis


async def test_the_polices_filing_clock_starts_on_arrival_registered_or_not(
    clock: ManualClock,
) -> None:
    """法发〔2025〕8号 第五条: the police must accept a court's referral (应当接受); a bureau that never registers it
    still has a running window, and a breach when it lapses."""
    clock.set(ARRIVED)
    fake = FakePoliceUnitOfWork(clock)
    await arrived(fake)
    (window,) = fake.deadlines.of_kind(Kind.POLICE_FILING_DECISION)
    assert window.period_started_at == ARRIVED
    assert window.state is DeadlineState.RUNNING
    assert fake.referrals.items["ref-1"].receipt_number is None, "not registered, yet the clock runs"
    clock.advance(timedelta(days=3))
    await handlers.register_referral(commands.RegisterReferral(INVESTIGATOR, "ref-1"), uow(fake))
    assert fake.deadlines.of_kind(Kind.POLICE_FILING_DECISION) == [window], "registration does not restart it"


async def test_the_non_filing_notice_is_due_within_the_review_period(clock: ManualClock) -> None:
    """法发〔2025〕8号 第五条: a decline is served on the court within the review period (审查期限内), and at the latest
    seven days after the decision: the notice window ends at the earlier of the two."""
    clock.set(ARRIVED)
    fake = FakePoliceUnitOfWork(clock)
    await registered(fake)  # Thursday 9 October: the review period ends on 16 October, 24:00
    clock.set(ARRIVED + timedelta(days=5))  # declined on Tuesday 14 October
    await decide(fake, "decline", reasons="证据不足")
    (notice,) = fake.deadlines.of_kind(Kind.POLICE_NON_FILING_NOTICE)
    assert notice.due_at == datetime(2025, 10, 16, 16, 0, tzinfo=UTC), "the review period's end, not 21 October"

    clock.set(ARRIVED)
    early = FakePoliceUnitOfWork(clock)
    await registered(early)
    await handlers.extend_filing_window(commands.ExtendFilingWindow(SUPERVISOR, "ref-1", "重大复杂"), uow(early))
    clock.set(ARRIVED + timedelta(days=1))  # declined on Friday 10 October, with 30 days to decide
    await decide(early, "decline", reasons="证据不足")
    (notice,) = early.deadlines.of_kind(Kind.POLICE_NON_FILING_NOTICE)
    assert notice.due_at == datetime(2025, 10, 17, 16, 0, tzinfo=UTC), "seven days after the decision"


async def test_the_courts_mirror_is_met_when_the_decline_is_served(clock: ManualClock) -> None:
    """法发〔2025〕8号 第五条: the police's duty is to decide and serve the notice within the period; the court's
    mirror of it is met at service, not at the decision, so both trackers agree."""
    court = await referred_lead(clock)
    rid = await received(court)
    decided, served = datetime(2025, 10, 10, 2, 0, tzinfo=UTC), datetime(2025, 10, 13, 2, 0, tzinfo=UTC)
    declined = CaseFilingDeclinedV1(
        referral_id=rid,
        police_unit="421222",
        reasons="证据不足",
        decided_at=decided,
        served_at=served,
        decided_by="tongcheng.investigator",
    )
    assert await court_on.on_filing_declined(delivery(declined, agency="police"), court_uow(court)) is Outcome.APPLIED
    (mirror,) = court.deadlines.of_kind(Kind.POLICE_FILING_DECISION)
    assert mirror.met_at == served
    assert referral_id(court) == rid


async def test_the_investigation_target_is_cancelled_when_the_debtor_performs(clock: ManualClock) -> None:
    """The investigation window is a local target (no statute sets it): a settlement or full payment after filing
    makes it moot, so it is cancelled and never breaches."""
    clock.set(ARRIVED)
    fake = FakePoliceUnitOfWork(clock)
    await registered(fake)
    filed = await decide(fake, "file")
    (investigation,) = fake.deadlines.of_kind(Kind.POLICE_INVESTIGATION)
    assert investigation.subject_id == filed.case_id
    settled = EnforcementPerformedV1(
        lead_id="lead-1",
        referral_id="ref-1",
        enforcement_case_number="(2024)鄂1222执123号",
        court_unit="421222",
        kind=PerformanceKind.SETTLED,
        amount_owed=Decimal("350000"),
        amount_paid=Decimal("120000"),
        paid_now=Decimal("120000"),
        performed_at=ARRIVED + timedelta(days=1),
    )
    assert await police_on.on_enforcement_performed(delivery(settled, agency="court"), uow(fake)) is Outcome.APPLIED
    (after,) = fake.deadlines.of_kind(Kind.POLICE_INVESTIGATION)
    assert after.state is DeadlineState.CANCELLED


def lead_with(**changes: object) -> Lead:
    values: dict[str, object] = {
        "id": "lead-1",
        "unit": "421222",
        "enforcement_case_number": "(2024)鄂1222执123号",
        "source": LeadSource.CASE_SCREENING,
        "suspects": (LeadSuspect(name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR),),
        "amount_owed": Decimal("350000"),
        "amount_paid": Decimal("0"),
        "summary": "拒不履行",
        "created_at": ARRIVED,
        "created_by": "tongcheng.officer",
        **PARTICULARS,
    }
    values.update(changes)
    return Lead(**values)  # type: ignore[arg-type]


def test_guarantors_and_parties_obliged_to_assist_can_be_suspects() -> None:
    """Criminal Law Art. 313 and its legislative interpretation; 法释〔2024〕13号 Art. 1: besides the debtor, a
    guarantor (担保人) and a party obliged to assist enforcement (协助执行义务人) can commit the offence."""
    lead = lead_with(
        suspects=(
            LeadSuspect(name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR),
            LeadSuspect(name="某担保公司", kind=PartyKind.UNIT, role=SuspectRole.GUARANTOR),
            LeadSuspect(name="某银行支行", kind=PartyKind.UNIT, role=SuspectRole.ASSISTING_PARTY),
        )
    )
    assert [s.role for s in lead.suspects] == ["debtor", "guarantor", "assisting_party"]
    lead.assess(Assessment.SUSPECTED, "有履行能力", by="j", at=ARRIVED)
    lead.serve_notice(number="告知书-1", served_at=ARRIVED, due_at=ARRIVED + timedelta(days=5), now=ARRIVED)
    referral = lead.refer(
        referred_by="j",
        at=ARRIVED,
        letter_number="L",
        evidence=[],
        override_reason="转移财产",
        missing_evidence=NOT_YET_PROVED,
    )
    (submitted,) = referral.events
    assert isinstance(submitted, ReferralSubmitted)
    assert {s.role for s in submitted.suspects} >= {SuspectRole.GUARANTOR, SuspectRole.ASSISTING_PARTY}


def test_real_case_numbers_are_accepted_and_the_intermediate_court_holds_city_leads() -> None:
    """《关于人民法院案件案号的若干规定》: case numbers are written （2024）鄂1222执123号, with types such as 执恢 and
    执保; the intermediate court (鄂12) handles the city's cases."""
    assert lead_with(enforcement_case_number="（2024）鄂1222执123号").enforcement_case_number == "(2024)鄂1222执123号"
    assert lead_with(enforcement_case_number="(2024)鄂1222执保45号").enforcement_case_number == "(2024)鄂1222执保45号"
    assert lead_with(enforcement_case_number="〔2023〕鄂1222执恢7号").enforcement_case_number == "(2023)鄂1222执恢7号"
    city = lead_with(unit="421200", enforcement_case_number="（2024）鄂12执5号")
    assert city.court_code == "鄂12"
    with pytest.raises(DomainError) as other:
        lead_with(unit="421200", enforcement_case_number="(2024)鄂1222执5号")
    assert other.value.code == "case_of_other_court"


async def test_the_city_bureau_accepts_the_intermediate_courts_referral(clock: ManualClock) -> None:
    """A referral goes to the police of the court's own level: the intermediate court's to the city bureau."""
    clock.set(ARRIVED)
    fake = FakePoliceUnitOfWork(clock)
    city_letter = letter().model_copy(update={"court_code": "鄂12", "court_unit": "421200", "police_unit": "421200"})
    event = delivery(city_letter, agency="court", unit="421200")
    assert await police_on.on_referral_submitted(event, uow(fake)) is Outcome.APPLIED
    assert fake.referrals.items["ref-1"].police_unit == "421200"


JUDGE = Principal(username="tongcheng.judge", agency="court", role="criminal_judge", unit="421222")
COURT_OFFICER = Principal(username="tongcheng.officer", agency="court", role="enforcement_officer", unit="421222")


@dataclass
class FileOnRecord:
    uploaded_at: datetime

    def manifest(self) -> EvidenceFile:
        return EvidenceFile("b" * 64, "refusal", "fund_flow", "流水.pdf", 10, "application/pdf")


class EvidenceOnRecord:
    def __init__(self) -> None:
        self.files: list[FileOnRecord] = []

    async def for_lead(self, lead_id: str) -> list[FileOnRecord]:
        return self.files


async def court_with_a_notice(clock: ManualClock) -> FakeCourtUnitOfWork:
    clock.set(ARRIVED)
    court = FakeCourtUnitOfWork(clock)
    court.evidence = EvidenceOnRecord()  # type: ignore[assignment]
    court.leads.add(lead_with())
    await court_handlers.serve_notice(
        court_commands.ServeNotice(COURT_OFFICER, "lead-1", ARRIVED, "告知书-1"), court_uow(court)
    )
    return court


async def test_the_debtors_window_closes_with_the_lead_or_an_early_referral(clock: ManualClock) -> None:
    """The 告知书's window (local practice) is moot once the lead is closed as not suspected, or once a criminal
    judge refers the lead before it ends: it is cancelled, never left to breach."""
    closed = await court_with_a_notice(clock)
    assessed = court_commands.AssessLead(JUDGE, "lead-1", Assessment.NOT_SUSPECTED, "无履行能力")
    await court_handlers.assess_lead(assessed, court_uow(closed))
    assert [d.state for d in closed.deadlines.of_kind(Kind.DEBTOR_PERFORMANCE)] == [DeadlineState.CANCELLED]

    early = await court_with_a_notice(clock)
    suspected = court_commands.AssessLead(JUDGE, "lead-1", Assessment.SUSPECTED, "转移财产")
    await court_handlers.assess_lead(suspected, court_uow(early))
    early_referral = court_commands.ReferLead(JUDGE, "lead-1", "正在转移房产", NOT_YET_PROVED)
    await court_handlers.refer_lead(early_referral, court_uow(early))
    assert [d.state for d in early.deadlines.of_kind(Kind.DEBTOR_PERFORMANCE)] == [DeadlineState.CANCELLED]


async def test_a_lead_assessed_not_suspected_is_reopened_by_a_judge_on_new_evidence(clock: ManualClock) -> None:
    """A 研判 of 'not suspected' is not final: new evidence reopens the lead, by a criminal judge's written act
    (who, when and why are kept), and a new 研判 follows."""
    court = await court_with_a_notice(clock)
    assessed = court_commands.AssessLead(JUDGE, "lead-1", Assessment.NOT_SUSPECTED, "无履行能力")
    await court_handlers.assess_lead(assessed, court_uow(court))
    with pytest.raises(Forbidden):
        await court_handlers.reopen_lead(court_commands.ReopenLead(COURT_OFFICER, "lead-1", "新证据"), court_uow(court))
    reopened = await court_handlers.reopen_lead(
        court_commands.ReopenLead(JUDGE, "lead-1", "查得其名下新登记车辆"), court_uow(court)
    )
    assert (reopened.status, reopened.assessment) == (LeadStatus.OPEN, None)
    assert (reopened.reopened_by, reopened.reopen_reason) == ("tongcheng.judge", "查得其名下新登记车辆")
    with pytest.raises(Conflict):
        await court_handlers.reopen_lead(court_commands.ReopenLead(JUDGE, "lead-1", "again"), court_uow(court))


async def test_a_declined_lead_is_referred_again_only_with_new_evidence(clock: ManualClock) -> None:
    """After the police decline (不予立案), the court may refer the lead again on new evidence; without any, the
    same referral would only be declined again."""
    court = await court_with_a_notice(clock)
    suspected = court_commands.AssessLead(JUDGE, "lead-1", Assessment.SUSPECTED, "转移财产")
    await court_handlers.assess_lead(suspected, court_uow(court))
    first = await court_handlers.refer_lead(
        court_commands.ReferLead(JUDGE, "lead-1", "紧急", NOT_YET_PROVED), court_uow(court)
    )
    declined_at = ARRIVED + timedelta(days=2)
    assert first.record_decline(reasons="证据不足", declined_at=declined_at)
    court.leads.items["lead-1"].police_answered(ReferralStatus.DECLINED)
    court.evidence.files.append(FileOnRecord(uploaded_at=ARRIVED))  # type: ignore[attr-defined]
    with pytest.raises(DomainError) as refused:
        await court_handlers.refer_lead(
            court_commands.ReferLead(JUDGE, "lead-1", "再次", NOT_YET_PROVED), court_uow(court)
        )
    assert refused.value.code == "no_new_evidence"
    court.evidence.files.append(FileOnRecord(uploaded_at=declined_at + timedelta(days=1)))  # type: ignore[attr-defined]
    again = await court_handlers.refer_lead(
        court_commands.ReferLead(JUDGE, "lead-1", "新证据", NOT_YET_PROVED), court_uow(court)
    )
    assert again.id != first.id
    assert court.leads.items["lead-1"].live_referral_id == again.id


async def test_filing_and_declining_are_approved_by_the_head_and_dated_at_approval(clock: ManualClock) -> None:
    """MPS Rules Art. 178: 立案 and 不予立案 are decided 经县级以上公安机关负责人批准 — an investigator proposes, a
    head of the bureau approves, and the decision takes effect (and its time counts) at the approval."""
    clock.set(ARRIVED)
    fake = FakePoliceUnitOfWork(clock)
    await registered(fake)
    proposal = commands.ProposeDecision(INVESTIGATOR, "ref-1", "file", case_number="通公(经)立字〔2025〕123号")
    proposed = await handlers.propose_decision(proposal, uow(fake))
    assert proposed.status is ReferralStatusPolice.DECISION_PROPOSED
    (window,) = fake.deadlines.of_kind(Kind.POLICE_FILING_DECISION)
    assert window.state is DeadlineState.RUNNING, "a proposal decides nothing"

    with pytest.raises(Forbidden):
        await handlers.approve_decision(commands.ApproveDecision(INVESTIGATOR, "ref-1", approve=True), uow(fake))
    returned = await handlers.approve_decision(
        commands.ApproveDecision(HEAD, "ref-1", approve=False, note="补充资金流向证据"), uow(fake)
    )
    assert returned.status is ReferralStatusPolice.REGISTERED
    assert returned.proposal_returned_note == "tongcheng.head: 补充资金流向证据"

    await handlers.propose_decision(proposal, uow(fake))
    clock.advance(timedelta(days=2))
    filed = await handlers.approve_decision(commands.ApproveDecision(HEAD, "ref-1", approve=True), uow(fake))
    assert (filed.status, filed.filed_by, filed.filed_at) == (ReferralStatusPolice.FILED, "tongcheng.head", clock.now())
    assert fake.deadlines.rows[window.id].met_at == clock.now(), "the decision's time is the approval's"
    with pytest.raises(Conflict):
        await handlers.approve_decision(commands.ApproveDecision(HEAD, "ref-1", approve=True), uow(fake))


def test_a_settlement_suspends_enforcement_and_closes_only_when_performed() -> None:
    """The provisions on enforcement settlements (最高人民法院《关于执行和解若干问题的规定》): a signed 和解协议
    suspends enforcement; the case closes (执结) only when the settlement is fully performed; a default restores
    enforcement. Instalments stay recordable; what is recovered counts only payments made after the lead opened."""
    at = ARRIVED
    lead = lead_with(amount_paid=Decimal("50000"))
    lead.serve_notice(number="告知书-1", served_at=at, due_at=at + timedelta(days=5), now=at)
    plan = [Instalment(due_on=date(2025, 11, 10), amount=Decimal("150000"))]
    lead.settle(paid_now=Decimal("150000"), instalments=plan, at=at)

    def status() -> LeadStatus:
        return lead.status

    assert status() is LeadStatus.SETTLED
    assert lead.recovered == Decimal("150000.00"), "not the 50,000 paid before the lead was opened"
    with pytest.raises(Conflict):
        lead.settle(paid_now=Decimal("0"), instalments=[Instalment(date(2025, 12, 1), Decimal("150000"))], at=at)

    lead.default_settlement(reason="第一期未按期支付", at=at + timedelta(days=40))
    assert status() is LeadStatus.NOTICE_SERVED, "enforcement resumes where the lead stood"
    (resumed,) = [e for e in lead.events if isinstance(e, EnforcementResumed)]
    assert resumed.referral_id is None, "the lead never reached the police: nothing to tell them"

    lead.settle(paid_now=Decimal("0"), instalments=[Instalment(date(2026, 1, 10), Decimal("150000"))], at=at)
    lead.record_payment(Decimal("150000"), over_reason=None, at=at + timedelta(days=60))
    assert (status(), lead.performance_kind) == (LeadStatus.PERFORMED, "paid_in_full"), "执结 when performed"
    assert lead.recovered == Decimal("300000.00")
    with pytest.raises(Conflict):
        lead.default_settlement(reason="late", at=at)


async def test_a_referral_states_what_the_opinion_requires(clock: ManualClock) -> None:
    """法发〔2025〕8号 第三条、第四条: the court refers with the 案件移送函 and 执行情况说明 — the judgment being
    enforced, the creditor, the 告知书 served, the coercive measures taken — and evidence of the five classes
    (identity, duty, ability, refusal, circumstances), or the reason a class is not yet proved; a judge's early
    referral says why."""
    lead = lead_with(enforcement_basis=None, creditor=None)
    lead.assess(Assessment.SUSPECTED, "有履行能力", by="j", at=ARRIVED)
    lead.serve_notice(number="通法告〔2025〕3号", served_at=ARRIVED, due_at=ARRIVED + timedelta(days=5), now=ARRIVED)
    lead.add_coercive_measure(CoerciveMeasure(kind="detention", decided_on=date(2025, 3, 1), note="司法拘留十五日"))
    ability = EvidenceFile("c" * 64, "ability_to_perform", "wechat_transfer", "微信流水.pdf", 10, "application/pdf")

    def refer(missing: dict[str, str]) -> Referral:
        return lead.refer(
            referred_by="j", at=ARRIVED, letter_number="L", evidence=[ability], override_reason="转移财产",
            missing_evidence=missing,
        )  # fmt: skip

    with pytest.raises(DomainError) as no_basis:
        refer(NOT_YET_PROVED)
    assert no_basis.value.code == "no_enforcement_basis"
    lead.record_particulars(enforcement_basis="(2023)鄂1222民初456号民事判决书", creditor=None)
    with pytest.raises(DomainError) as no_creditor:
        refer(NOT_YET_PROVED)
    assert no_creditor.value.code == "no_creditor"
    lead.record_particulars(enforcement_basis=None, creditor="洪某某")
    with pytest.raises(DomainError) as unexplained:
        refer({"identity": "户籍信息调取中"})
    assert unexplained.value.code == "evidence_class_missing"
    assert unexplained.value.details == {"missing": ["duty", "refusal", "aggravating"]}
    assert lead.status is LeadStatus.NOTICE_SERVED, "nothing referred"

    referral = refer(NOT_YET_PROVED)
    assert set(referral.missing_evidence) == {"identity", "duty", "refusal", "aggravating"}, (
        "the proved class needs none"
    )
    (envelope,) = list(court_translate(referral.events[0]))
    assert envelope.schema_version == 2
    letter = ReferralSubmittedV2.model_validate(envelope.payload)
    assert (letter.enforcement_basis, letter.creditor) == ("(2023)鄂1222民初456号民事判决书", "洪某某")
    assert (letter.notice_number, letter.override_reason) == ("通法告〔2025〕3号", "转移财产")
    assert [m.kind for m in letter.coercive_measures] == ["detention"]
    assert letter.missing_evidence[EvidenceClass.REFUSAL] == "证据尚在调取中"

    police = FakePoliceUnitOfWork(clock)
    clock.set(ARRIVED)
    await police_on.on_referral_submitted(delivery(letter, agency="court"), uow(police))
    kept = police.referrals.items[letter.referral_id].particulars
    assert kept is not None
    assert kept["enforcement_basis"] == "(2023)鄂1222民初456号民事判决书"
    assert kept["missing_evidence"]["duty"] == "证据尚在调取中"
