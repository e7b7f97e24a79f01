"""The procuratorate's prosecution reviews as events open and inform them, on a fake unit of work: the court's
events and the police's travel on different topics, so a payment may arrive before the case it concerns."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from liandong.clock import ManualClock
from liandong.contracts import CaseTransferredV1, CaseWithdrawnV1, EnforcementPerformedV1, WithdrawalGround
from liandong.contracts.arrests import CaseSuspect
from liandong.contracts.common import PartyKind, SuspectRole
from liandong.contracts.enforcement import PerformanceKind
from liandong.messaging.handlers import Outcome
from liandong_procuratorate.domain.prosecutions import ProsecutionReview, ProsecutionStatus
from liandong_procuratorate.service_layer.event_handlers import on_case_transferred, on_case_withdrawn, on_performance
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork
from tests.support.deliveries import delivery
from tests.support.fake_uow import FakeRepository, as_uow
from tests.unit.test_timeline_and_breach_handlers import FakeProcuratorateUnitOfWork

AT = datetime(2025, 11, 3, 2, 0, tzinfo=UTC)


class FakeProsecutions(FakeRepository[ProsecutionReview]):
    async def for_case(self, case_id: str) -> ProsecutionReview | None:
        return next((r for r in self.items.values() if r.case_id == case_id), None)

    async def of_matter(self, correlation_id: str) -> list[ProsecutionReview]:
        return [r for r in self.items.values() if r.correlation_id == correlation_id]


class FakeProsecutingUnitOfWork(FakeProcuratorateUnitOfWork):
    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.prosecutions = FakeProsecutions(self)


def transferred() -> CaseTransferredV1:
    return CaseTransferredV1(
        case_id="case-1",
        case_number="421222公立〔2025〕00001号",
        referral_id="ref-1",
        police_unit="421222",
        document_number="421222公诉〔2025〕00001号",
        resubmission=0,
        suspects=[CaseSuspect(suspect_id="s-1", name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR)],
        transferred_at=AT,
        transferred_by="tongcheng.investigator",
    )


def paid(amount: str) -> EnforcementPerformedV1:
    return EnforcementPerformedV1(
        lead_id="lead-1",
        referral_id="ref-1",
        enforcement_case_number="(2025)鄂1222执100号",
        court_unit="421222",
        kind=PerformanceKind.PAID_IN_FULL,
        amount_owed=Decimal(amount),
        amount_paid=Decimal(amount),
        paid_now=Decimal(amount),
        performed_at=AT,
    )


def fresh(clock: ManualClock) -> FakeProsecutingUnitOfWork:
    clock.set(AT)
    return FakeProsecutingUnitOfWork(clock)


async def test_a_payment_known_before_the_case_arrives_is_on_the_review(clock: ManualClock) -> None:
    fake = fresh(clock)
    payment = delivery(paid("52000"), agency="court", correlation_id="lead-1")
    assert await on_performance(payment, as_uow(fake, ProcuratorateUnitOfWork)) is Outcome.APPLIED
    fake.inbox.append(payment.envelope)  # what the consumer keeps of an applied event
    other_matter = delivery(paid("9"), agency="court", correlation_id="lead-2")
    fake.inbox.append(other_matter.envelope)

    case = delivery(transferred(), agency="police", correlation_id="lead-1")
    assert await on_case_transferred(case, as_uow(fake, ProcuratorateUnitOfWork)) is Outcome.APPLIED

    (review,) = fake.prosecutions.items.values()
    assert review.performance is not None
    assert review.performance["amount_paid"] == "52000"  # this matter's payment, not the other's


async def test_a_payment_after_the_case_arrived_reaches_the_review(clock: ManualClock) -> None:
    fake = fresh(clock)
    case = delivery(transferred(), agency="police", correlation_id="lead-1")
    assert await on_case_transferred(case, as_uow(fake, ProcuratorateUnitOfWork)) is Outcome.APPLIED
    (review,) = fake.prosecutions.items.values()
    assert review.performance is None
    payment = delivery(paid("52000"), agency="court", correlation_id="lead-1")
    assert await on_performance(payment, as_uow(fake, ProcuratorateUnitOfWork)) is Outcome.APPLIED
    assert review.performance is not None
    assert review.performance["kind"] == "paid_in_full"


async def test_mps_rules_186_a_case_withdrawn_while_returned_ends_its_prosecution_review(clock: ManualClock) -> None:
    fake = fresh(clock)
    case = delivery(transferred(), agency="police", correlation_id="lead-1")
    await on_case_transferred(case, as_uow(fake, ProcuratorateUnitOfWork))
    (review,) = fake.prosecutions.items.values()
    withdrawal = CaseWithdrawnV1(
        case_id="case-1",
        case_number="421222公立〔2025〕00001号",
        referral_id="ref-1",
        police_unit="421222",
        ground=WithdrawalGround.NO_LIABILITY,
        reasons="补充侦查期间被执行人全部履行",
        decided_at=AT,
        decided_by="tongcheng.head",
        notified_at=AT,
    )
    news = delivery(withdrawal, agency="police", correlation_id="lead-1")
    await on_case_withdrawn(news, as_uow(fake, ProcuratorateUnitOfWork))
    assert review.status is ProsecutionStatus.REVIEWING, "a case under review is not the police's to withdraw"

    review.return_for_investigation(outline="查明财产去向", by="tongcheng.prosecutor", at=AT)
    await on_case_withdrawn(news, as_uow(fake, ProcuratorateUnitOfWork))
    assert review.status.value == "withdrawn"
    assert review.decision is not None
    assert (review.decision["decision"], review.decision["ground"]) == ("withdrawn_by_police", "no_liability")
