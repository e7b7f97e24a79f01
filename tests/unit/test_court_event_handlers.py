"""The court's answers from the police, applied by its service layer to a fake unit of work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from liandong.clock import ManualClock
from liandong.contracts import CaseFiledV1, CaseFilingDeclinedV1, CaseFilingExtendedV1, ReferralReceivedV1, Suspect
from liandong.contracts.common import PartyKind, SuspectRole
from liandong.messaging.handlers import Outcome, PoisonMessage
from liandong.security import Principal
from liandong.sla.kinds import Kind
from liandong.sla.rules import DeadlineState
from liandong_court.domain.leads import Assessment, Lead, LeadSource, LeadStatus
from liandong_court.domain.police_cases import PoliceCase
from liandong_court.domain.referrals import Referral, ReferralStatus
from liandong_court.domain.values import Suspect as LeadSuspect
from liandong_court.service_layer import commands, handlers
from liandong_court.service_layer import event_handlers as on
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork
from tests.support.deliveries import delivery
from tests.support.fake_uow import FakeRepository, FakeUnitOfWork, as_uow
from tests.support.letters import CREDITOR, ENFORCEMENT_BASIS, NOT_YET_PROVED

SERVED = datetime(2025, 10, 1, 2, 0, tzinfo=UTC)
SENT = datetime(2025, 10, 7, 2, 0, tzinfo=UTC)  # Tuesday 7 October, 10:00 in Shanghai
RECEIVED = datetime(2025, 10, 9, 2, 0, tzinfo=UTC)
OFFICER = Principal(username="tongcheng.officer", agency="court", role="enforcement_officer", unit="421222")


class FakeReferrals(FakeRepository[Referral]):
    async def letters_issued(self, court_code: str, year: int) -> int:
        return 0


class NoEvidence:
    async def for_lead(self, lead_id: str) -> list[object]:
        return []


class FakeCourtUnitOfWork(FakeUnitOfWork):
    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.leads = FakeRepository[Lead](self)
        self.referrals = FakeReferrals(self)
        self.evidence = NoEvidence()
        self.police_cases = FakeRepository[PoliceCase](self, key="case_id")


@pytest.fixture
async def fake(clock: ManualClock) -> FakeCourtUnitOfWork:
    return await referred_lead(clock)


async def referred_lead(clock: ManualClock) -> FakeCourtUnitOfWork:
    """A lead referred to the Tongcheng bureau, awaiting the receipt."""
    clock.set(RECEIVED)
    fake = FakeCourtUnitOfWork(clock)
    lead = Lead(
        id="lead-1",
        unit="421222",
        enforcement_case_number="(2024)鄂1222执123号",
        source=LeadSource.CASE_SCREENING,
        suspects=(LeadSuspect(name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR),),
        amount_owed=Decimal("350000"),
        amount_paid=Decimal("0"),
        summary="拒不履行",
        created_at=SERVED,
        created_by="tongcheng.officer",
        enforcement_basis=ENFORCEMENT_BASIS,
        creditor=CREDITOR,
    )
    lead.assess(Assessment.SUSPECTED, "有履行能力", by="tongcheng.judge", at=SERVED)
    lead.serve_notice(number="告知书-1", served_at=SERVED, due_at=SERVED + timedelta(days=5), now=SERVED)
    fake.leads.add(lead)
    clock.set(SENT)
    await handlers.refer_lead(commands.ReferLead(OFFICER, "lead-1", missing_evidence=NOT_YET_PROVED), uow(fake))
    fake.published.clear()
    clock.set(RECEIVED)
    return fake


def uow(fake: FakeCourtUnitOfWork) -> CourtUnitOfWork:
    return as_uow(fake, CourtUnitOfWork)


def referral_id(fake: FakeCourtUnitOfWork) -> str:
    (rid,) = fake.referrals.items
    return rid


def receipt(rid: str) -> ReferralReceivedV1:
    return ReferralReceivedV1(
        referral_id=rid,
        police_unit="421222",
        receipt_number="421222公受〔2025〕00001号",
        received_at=RECEIVED,
        registered_by="tongcheng.investigator",
    )


def case_filed(rid: str, *, filed_at: datetime) -> CaseFiledV1:
    return CaseFiledV1(
        referral_id=rid,
        case_id="case-1",
        case_number="通公(经)立字〔2025〕123号",
        police_unit="421222",
        suspects=[Suspect(name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR)],
        filed_at=filed_at,
        filed_by="tongcheng.investigator",
    )


async def received(fake: FakeCourtUnitOfWork) -> str:
    rid = referral_id(fake)
    assert await on.on_referral_received(delivery(receipt(rid), agency="police"), uow(fake)) is Outcome.APPLIED
    return rid


async def test_the_courts_mirror_runs_from_sending_and_the_receipt_does_not_restart_it(
    fake: FakeCourtUnitOfWork,
) -> None:
    """法发〔2025〕8号 第五条: the police must accept the referral, so their seven days, and the court's mirror of
    them, run from the referral's arrival (sending, as the court sees it), not from the receipt."""
    (mirror,) = fake.deadlines.of_kind(Kind.POLICE_FILING_DECISION)
    rid = await received(fake)
    assert fake.referrals.items[rid].status is ReferralStatus.RECEIVED
    assert fake.leads.items["lead-1"].status is LeadStatus.RECEIVED_BY_POLICE
    assert (mirror.subject_id, mirror.unit, mirror.correlation_id) == (rid, "421222", "lead-1")
    assert mirror.period_started_at == SENT
    assert mirror.due_at == datetime(2025, 10, 14, 16, 0, tzinfo=UTC), "7 October + 7 days, 24:00 Shanghai"
    again = await on.on_referral_received(delivery(receipt(rid), agency="police"), uow(fake))
    assert again is Outcome.STALE
    assert len(fake.deadlines.rows) == 1, "a repeated receipt starts nothing"


async def test_an_answer_about_an_unknown_referral_is_poison(fake: FakeCourtUnitOfWork) -> None:
    with pytest.raises(PoisonMessage):
        await on.on_referral_received(delivery(receipt("nobody"), agency="police"), uow(fake))


async def test_a_filing_meets_the_mirror_and_the_lead_follows(fake: FakeCourtUnitOfWork) -> None:
    rid = await received(fake)
    filed = case_filed(rid, filed_at=RECEIVED + timedelta(days=3))
    assert await on.on_case_filed(delivery(filed, agency="police"), uow(fake)) is Outcome.APPLIED
    assert fake.referrals.items[rid].police_case_number == "通公(经)立字〔2025〕123号"
    assert fake.leads.items["lead-1"].status is LeadStatus.FILED
    (mirror,) = fake.deadlines.of_kind(Kind.POLICE_FILING_DECISION)
    assert mirror.state is DeadlineState.MET
    assert await on.on_case_filed(delivery(filed, agency="police"), uow(fake)) is Outcome.STALE


async def test_a_receipt_arriving_after_the_filing_is_kept_and_moves_nothing_back(fake: FakeCourtUnitOfWork) -> None:
    """The filing travels on the cases topic, the receipt on the referrals topic: either may arrive first."""
    rid = referral_id(fake)
    filed = case_filed(rid, filed_at=RECEIVED + timedelta(days=1))
    assert await on.on_case_filed(delivery(filed, agency="police"), uow(fake)) is Outcome.APPLIED
    assert await on.on_referral_received(delivery(receipt(rid), agency="police"), uow(fake)) is Outcome.APPLIED
    referral = fake.referrals.items[rid]
    assert referral.receipt_number == "421222公受〔2025〕00001号"
    assert referral.received_at == RECEIVED
    assert referral.status is ReferralStatus.FILED
    assert fake.leads.items["lead-1"].status is LeadStatus.FILED
    (mirror,) = fake.deadlines.of_kind(Kind.POLICE_FILING_DECISION)
    assert mirror.state is DeadlineState.MET, "no second mirror is started by the late receipt"
    assert await on.on_referral_received(delivery(receipt(rid), agency="police"), uow(fake)) is Outcome.STALE


async def test_a_decline_meets_the_mirror_and_leaves_the_court_its_options(fake: FakeCourtUnitOfWork) -> None:
    rid = await received(fake)
    declined = CaseFilingDeclinedV1(
        referral_id=rid,
        police_unit="421222",
        reasons="证据不足",
        decided_at=RECEIVED + timedelta(days=2),
        served_at=RECEIVED + timedelta(days=3),
        decided_by="tongcheng.investigator",
    )
    assert await on.on_filing_declined(delivery(declined, agency="police"), uow(fake)) is Outcome.APPLIED
    assert fake.referrals.items[rid].decline_reasons == "证据不足"
    assert fake.leads.items["lead-1"].status is LeadStatus.DECLINED
    assert fake.deadlines.of_kind(Kind.POLICE_FILING_DECISION)[0].state is DeadlineState.MET


async def test_an_extension_moves_the_mirror_to_thirty_days(fake: FakeCourtUnitOfWork) -> None:
    rid = await received(fake)
    extended = CaseFilingExtendedV1(
        referral_id=rid,
        police_unit="421222",
        window_days=30,
        due_at=datetime(2025, 11, 6, 16, 0, tzinfo=UTC),  # 30 days from arrival on 7 October
        approver="tongcheng.supervisor",
        reason="重大、复杂",
        extended_at=RECEIVED + timedelta(days=1),
    )
    assert await on.on_filing_extended(delivery(extended, agency="police"), uow(fake)) is Outcome.APPLIED
    (mirror,) = fake.deadlines.of_kind(Kind.POLICE_FILING_DECISION)
    assert mirror.window == 30
    assert mirror.due_at == extended.due_at, "both trackers end at the same instant"


async def test_an_answer_from_another_countys_bureau_is_not_applied(fake: FakeCourtUnitOfWork) -> None:
    """The court referred to the Tongcheng bureau; a filing "from" Tongshan's police (forged or misrouted) is poison."""
    rid = await received(fake)
    filed = CaseFiledV1(
        referral_id=rid,
        case_id="case-x",
        case_number="伪造立字〔2025〕1号",
        police_unit="421224",
        suspects=[Suspect(name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR)],
        filed_at=RECEIVED,
        filed_by="someone",
    )
    for forged in (
        delivery(filed, agency="police", unit="421224"),
        delivery(filed.model_copy(update={"police_unit": "421222"}), agency="police", unit="421224"),
        delivery(filed, agency="police", unit="421222"),
    ):
        with pytest.raises(PoisonMessage, match="went to the bureau of 421222"):
            await on.on_case_filed(forged, uow(fake))
    assert fake.referrals.items[rid].status is ReferralStatus.RECEIVED
    assert fake.leads.items["lead-1"].status is LeadStatus.RECEIVED_BY_POLICE
