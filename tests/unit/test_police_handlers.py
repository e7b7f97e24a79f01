"""The police's service layer with a fake unit of work: each act, its windows and its events, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

import pytest

from liandong.clock import ManualClock
from liandong.contracts import (
    EnforcementPerformedV1,
    EvidenceRef,
    ReferralSubmittedV1,
    ReferralWithdrawnV1,
    Suspect,
)
from liandong.errors import Conflict, DomainError, Forbidden
from liandong.messaging.handlers import Outcome, PoisonMessage
from liandong.security import Principal
from liandong.sla.kinds import Kind
from liandong.sla.rules import DeadlineState
from liandong_police.domain import events
from liandong_police.domain.cases import Case
from liandong_police.domain.model import Referral, ReferralStatus
from liandong_police.service_layer import commands, handlers
from liandong_police.service_layer import event_handlers as on
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork
from tests.support.deliveries import delivery
from tests.support.fake_uow import FakeRepository, FakeUnitOfWork, as_uow

ARRIVED = datetime(2025, 10, 9, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
INVESTIGATOR = Principal(username="tongcheng.investigator", agency="police", role="investigator", unit="421222")
HEAD = Principal(username="tongcheng.head", agency="police", role="bureau_head", unit="421222")
SUPERVISOR = Principal(username="tongcheng.supervisor", agency="police", role="supervisor", unit="421222")
OTHER_COUNTY = Principal(username="tongshan.investigator", agency="police", role="investigator", unit="421224")
DEBTOR = Suspect(name="黎某某", kind="person", role="debtor", id_number="42122219800101123X")


class FakeReferrals(FakeRepository[Referral]):
    async def receipts_issued(self, unit: str, year: int) -> int:
        return 0

    async def case_numbers_issued(self, unit: str, year: int) -> int:
        return 0


class FakeCases(FakeRepository[Case]):
    async def number_taken(self, number: str) -> bool:
        return any(case.case_number == number for case in self.items.values())

    async def with_log(self, case: Case) -> Case:
        return case  # kept in memory, a case keeps its whole log


class FakeEvidence:
    def __init__(self) -> None:
        self.expected: dict[str, list[dict[str, Any]]] = {}

    async def expect(self, referral_id: str, manifest: list[dict[str, Any]], at: datetime) -> None:
        self.expected[referral_id] = manifest


class FakePoliceUnitOfWork(FakeUnitOfWork):
    clock: ManualClock

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.referrals = FakeReferrals(self)
        self.evidence = FakeEvidence()
        self.cases = FakeCases(self)


@pytest.fixture
def fake(clock: ManualClock) -> FakePoliceUnitOfWork:
    clock.set(ARRIVED)
    return FakePoliceUnitOfWork(clock)


def uow(fake: FakePoliceUnitOfWork) -> PoliceUnitOfWork:
    return as_uow(fake, PoliceUnitOfWork)


def letter(referral_id: str = "ref-1") -> ReferralSubmittedV1:
    return ReferralSubmittedV1(
        referral_id=referral_id,
        lead_id="lead-1",
        letter_number="(2025)鄂1222执移1号",
        court_code="鄂1222",
        court_unit="421222",
        police_unit="421222",
        enforcement_case_number="(2024)鄂1222执123号",
        enforcement_summary="有履行能力而拒不履行",
        amount_owed=Decimal("350000"),
        amount_paid=Decimal("0"),
        suspects=[DEBTOR],
        evidence=[
            EvidenceRef(
                sha256="a" * 64,
                evidence_class="ability_to_perform",
                evidence_type="wechat_transfer",
                filename="微信流水.pdf",
                size_bytes=10,
                content_type="application/pdf",
            )
        ],
        submitted_at=ARRIVED,
        submitted_by="tongcheng.officer",
    )


async def arrived(fake: FakePoliceUnitOfWork) -> Referral:
    assert await on.on_referral_submitted(delivery(letter(), agency="court"), uow(fake)) is Outcome.APPLIED
    referral = fake.referrals.items["ref-1"]
    return referral


async def registered(fake: FakePoliceUnitOfWork) -> Referral:
    await arrived(fake)
    return await handlers.register_referral(commands.RegisterReferral(INVESTIGATOR, "ref-1"), uow(fake))


async def decide(fake: FakePoliceUnitOfWork, decision: Literal["file", "decline"], **proposal: Any) -> Referral:
    """An investigator proposes, the head approves: the decision takes effect."""
    await handlers.propose_decision(commands.ProposeDecision(INVESTIGATOR, "ref-1", decision, **proposal), uow(fake))
    return await handlers.approve_decision(commands.ApproveDecision(HEAD, "ref-1", approve=True), uow(fake))


async def test_a_referral_arrives_in_the_inbox_with_its_evidence_queued(fake: FakePoliceUnitOfWork) -> None:
    referral = await arrived(fake)
    assert referral.status is ReferralStatus.AWAITING_REGISTRATION
    assert referral.arrived_at == ARRIVED
    assert [item["sha256"] for item in fake.evidence.expected["ref-1"]] == ["a" * 64]
    again = await on.on_referral_submitted(delivery(letter(), agency="court"), uow(fake))
    assert again is Outcome.STALE, "the same referral under another event id changes nothing"


async def test_registration_issues_the_receipt_and_starts_the_seven_day_filing_window(
    fake: FakePoliceUnitOfWork,
) -> None:
    """法发〔2025〕8号 第五条: the filing decision is due seven days after the police accept the case."""
    referral = await registered(fake)
    assert referral.status is ReferralStatus.REGISTERED
    assert referral.receipt_number == "通城公（刑）受字〔2025〕1号"
    (window,) = fake.deadlines.of_kind(Kind.POLICE_FILING_DECISION)
    # received Thursday 9 October 2025: seven days end on Thursday 16 October, 24:00 Shanghai
    assert window.due_at == datetime(2025, 10, 16, 16, 0, tzinfo=UTC)
    assert [type(e) for e in fake.published] == [events.ReferralRegistered]


async def test_another_countys_investigator_cannot_register(fake: FakePoliceUnitOfWork) -> None:
    await arrived(fake)
    with pytest.raises(Forbidden):
        await handlers.register_referral(commands.RegisterReferral(OTHER_COUNTY, "ref-1"), uow(fake))
    assert fake.referrals.items["ref-1"].receipt_number is None
    assert fake.published == []


async def test_filing_meets_the_filing_window_and_starts_the_investigation(fake: FakePoliceUnitOfWork) -> None:
    await registered(fake)
    fake.clock.advance(timedelta(days=2))
    referral = await decide(fake, "file")
    assert referral.case_number == "通城公（刑）立字〔2025〕1号"
    (filing,) = fake.deadlines.of_kind(Kind.POLICE_FILING_DECISION)
    assert filing.state is DeadlineState.MET
    (investigation,) = fake.deadlines.of_kind(Kind.POLICE_INVESTIGATION)
    assert investigation.subject_type == "case"
    assert investigation.state is DeadlineState.RUNNING
    assert sorted(type(e).__name__ for e in fake.published) == ["CaseFiled", "CaseOpened", "ReferralRegistered"]
    case = fake.cases.items[investigation.subject_id]
    assert case.case_number == referral.case_number
    assert case.referral_id == "ref-1"
    assert [s["name"] for s in case.suspects] == [s["name"] for s in referral.suspects]


async def test_a_case_number_names_one_case_checked_at_the_proposal_and_at_the_approval(
    fake: FakePoliceUnitOfWork,
) -> None:
    """A 立案 number already in the register: 409 case_number_taken when it is proposed, and again when the head
    approves a proposal whose number another case took meanwhile; nothing is filed either time."""
    await registered(fake)
    taken = "通公(经)立字〔2025〕7号"
    other = Case.open(
        id="case-0",
        referral_id=None,
        correlation_id="lead-0",
        police_unit="421222",
        case_number=taken,
        suspects=[],
        by="tongcheng.head",
        at=ARRIVED,
    )
    fake.cases.add(other)
    with pytest.raises(Conflict) as caught:
        await handlers.propose_decision(
            commands.ProposeDecision(INVESTIGATOR, "ref-1", "file", case_number=taken), uow(fake)
        )
    assert caught.value.code == "case_number_taken"
    assert fake.referrals.items["ref-1"].status is ReferralStatus.REGISTERED

    free = "通公(经)立字〔2025〕8号"
    await handlers.propose_decision(
        commands.ProposeDecision(INVESTIGATOR, "ref-1", "file", case_number=free), uow(fake)
    )
    other.case_number = free  # another case took it before the head approved
    fake.published.clear()
    with pytest.raises(Conflict) as caught:
        await handlers.approve_decision(commands.ApproveDecision(HEAD, "ref-1", approve=True), uow(fake))
    assert caught.value.code == "case_number_taken"
    assert not any(isinstance(e, (events.CaseFiled, events.CaseOpened)) for e in fake.published)
    assert fake.deadlines.of_kind(Kind.POLICE_INVESTIGATION) == []
    assert list(fake.cases.items) == ["case-0"]


async def test_filing_names_only_suspects_of_the_referral(fake: FakePoliceUnitOfWork) -> None:
    await registered(fake)
    with pytest.raises(DomainError) as caught:
        proposal = commands.ProposeDecision(INVESTIGATOR, "ref-1", "file", suspect_names=["张三"])
        await handlers.propose_decision(proposal, uow(fake))
    assert caught.value.code == "unknown_suspects"
    assert fake.deadlines.of_kind(Kind.POLICE_INVESTIGATION) == []


async def test_a_decline_starts_the_notice_window_and_serving_it_meets_it(fake: FakePoliceUnitOfWork) -> None:
    await registered(fake)
    await decide(fake, "decline", reasons="证据不足")
    (notice,) = fake.deadlines.of_kind(Kind.POLICE_NON_FILING_NOTICE)
    assert notice.state is DeadlineState.RUNNING
    served = await handlers.serve_decline(commands.ServeDecline(INVESTIGATOR, "ref-1", None), uow(fake))
    assert served.status is ReferralStatus.DECLINE_SERVED
    assert fake.deadlines.rows[notice.id].state is DeadlineState.MET
    assert isinstance(fake.published[-1], events.DeclineServed)


async def test_a_supervisor_extends_the_filing_window_to_thirty_days(fake: FakePoliceUnitOfWork) -> None:
    """法发〔2025〕8号 第五条: 重大、复杂 cases may take up to thirty days."""
    await registered(fake)
    await handlers.extend_filing_window(commands.ExtendFilingWindow(SUPERVISOR, "ref-1", "涉案资金流向复杂"), uow(fake))
    (window,) = fake.deadlines.of_kind(Kind.POLICE_FILING_DECISION)
    assert window.window == 30
    extended = fake.published[-1]
    assert isinstance(extended, events.FilingExtended)
    assert extended.due_at == window.due_at


async def test_a_withdrawal_cancels_the_windows_and_a_late_one_is_stale(fake: FakePoliceUnitOfWork) -> None:
    await registered(fake)
    withdrawal = ReferralWithdrawnV1(
        referral_id="ref-1", reason="被执行人已履行", withdrawn_at=ARRIVED, withdrawn_by="tongcheng.officer"
    )
    assert await on.on_referral_withdrawn(delivery(withdrawal, agency="court"), uow(fake)) is Outcome.APPLIED
    (window,) = fake.deadlines.of_kind(Kind.POLICE_FILING_DECISION)
    assert window.state is DeadlineState.CANCELLED
    assert fake.referrals.items["ref-1"].status is ReferralStatus.WITHDRAWN
    again = await on.on_referral_withdrawn(delivery(withdrawal, agency="court"), uow(fake))
    assert again is Outcome.STALE


async def test_a_withdrawal_before_the_referral_arrived_is_parked(fake: FakePoliceUnitOfWork) -> None:
    withdrawal = ReferralWithdrawnV1(referral_id="ref-9", reason="r", withdrawn_at=ARRIVED, withdrawn_by="o")
    assert await on.on_referral_withdrawn(delivery(withdrawal, agency="court"), uow(fake)) is Outcome.PARKED


async def test_performance_is_kept_on_the_referral(fake: FakePoliceUnitOfWork) -> None:
    await registered(fake)
    performed = EnforcementPerformedV1(
        lead_id="lead-1",
        referral_id="ref-1",
        enforcement_case_number="(2024)鄂1222执123号",
        court_unit="421222",
        kind="paid_in_full",
        amount_owed=Decimal("350000"),
        amount_paid=Decimal("350000"),
        paid_now=Decimal("350000"),
        performed_at=ARRIVED,
    )
    assert await on.on_enforcement_performed(delivery(performed, agency="court"), uow(fake)) is Outcome.APPLIED
    assert fake.referrals.items["ref-1"].performance is not None
    elsewhere = performed.model_copy(update={"referral_id": "ref-unknown"})
    assert await on.on_enforcement_performed(delivery(elsewhere, agency="court"), uow(fake)) is Outcome.PARKED
    never_referred = performed.model_copy(update={"referral_id": None})
    assert await on.on_enforcement_performed(delivery(never_referred, agency="court"), uow(fake)) is Outcome.STALE


@pytest.mark.parametrize(
    ("changes", "sent_by"),
    [
        ({"police_unit": "421224"}, "421222"),  # Tongcheng's court naming Tongshan's bureau
        ({}, "421224"),  # a letter in Tongcheng's name sent by another court
        ({"court_code": "鄂1224"}, "421222"),  # a court code that is not the county's court
    ],
)
async def test_a_referral_is_accepted_only_from_the_court_of_the_bureaus_county(
    fake: FakePoliceUnitOfWork, changes: dict[str, str], sent_by: str
) -> None:
    """A court refers to the police of its own county: anything else is not put in any bureau's inbox."""
    forged = letter().model_copy(update=changes)
    with pytest.raises(PoisonMessage):
        await on.on_referral_submitted(delivery(forged, agency="court", unit=sent_by), uow(fake))
    assert fake.referrals.items == {}
    assert fake.evidence.expected == {}, "nothing is fetched for a referral that was not accepted"


async def test_a_withdrawal_from_another_court_is_not_applied(fake: FakePoliceUnitOfWork) -> None:
    await registered(fake)
    withdrawal = ReferralWithdrawnV1(referral_id="ref-1", reason="r", withdrawn_at=ARRIVED, withdrawn_by="o")
    with pytest.raises(PoisonMessage):
        await on.on_referral_withdrawn(delivery(withdrawal, agency="court", unit="421224"), uow(fake))
    assert fake.referrals.items["ref-1"].status is ReferralStatus.REGISTERED
