"""The procuratorate's timeline handler and every service's breach handler, on a fake unit of work."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from liandong.clock import ManualClock
from liandong.contracts import CaseFiledV1, ReferralSubmittedV1, Suspect
from liandong.contracts.common import PartyKind, SuspectRole
from liandong.contracts.deadlines import BREACHED
from liandong.deadlines.breaches import on_breach_received
from liandong.messaging.handlers import Outcome, PoisonMessage
from liandong.persistence.uow import SqlUnitOfWork
from liandong.units import COUNTIES
from liandong_procuratorate.domain.model import TimelineEntry
from liandong_procuratorate.service_layer.event_handlers import on_hand_off
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork
from tests.support.deliveries import delivery
from tests.support.fake_uow import FakeRepository, FakeUnitOfWork, as_uow

AT = datetime(2025, 10, 12, 2, 0, tzinfo=UTC)


class FakeTimeline(FakeRepository[TimelineEntry]):
    async def matter_units(self, correlation_id: str) -> set[str]:
        return {
            e.jurisdiction
            for e in self.items.values()
            if e.correlation_id == correlation_id and e.event_type == "court.referral.submitted"
        }


class FakeProcuratorateUnitOfWork(FakeUnitOfWork):
    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.timeline = FakeTimeline(self, key="event_id")


@pytest.fixture
def fake(clock: ManualClock) -> FakeProcuratorateUnitOfWork:
    clock.set(AT)
    return FakeProcuratorateUnitOfWork(clock)


async def test_a_filing_goes_on_the_matters_timeline_with_its_suspects(fake: FakeProcuratorateUnitOfWork) -> None:
    filed = CaseFiledV1(
        referral_id="ref-1",
        case_id="case-1",
        case_number="通公(经)立字〔2025〕123号",
        police_unit="421222",
        suspects=[
            Suspect(name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR),
            Suspect(name="祁某某", kind=PartyKind.PERSON, role=SuspectRole.HELPER),
        ],
        filed_at=AT,
        filed_by="tongcheng.investigator",
    )
    event = delivery(filed, agency="police", correlation_id="lead-7")
    assert await on_hand_off(event, as_uow(fake, ProcuratorateUnitOfWork)) is Outcome.APPLIED
    (entry,) = fake.timeline.items.values()
    assert entry.correlation_id == "lead-7"
    assert entry.producer_agency == "police"
    assert entry.summary == "421222 公安机关立案 通公(经)立字〔2025〕123号（犯罪嫌疑人：黎某某、祁某某）"
    assert entry.recorded_at == AT


async def test_another_agencys_breach_is_kept_for_the_supervisors(fake: FakeProcuratorateUnitOfWork) -> None:
    breach = BREACHED["police"](
        deadline_id="d-1",
        kind="police_filing_decision",
        title="公安机关对法院移送的拒执案件作出是否立案决定",
        legal_basis="法发〔2025〕8号 第五条",
        unit="421222",
        subject_type="referral",
        subject_id="ref-1",
        started_at=AT,
        due_at=AT,
        fired_at=AT,
        late=True,
    )
    event = delivery(breach, agency="police", correlation_id="lead-7")
    assert await on_breach_received(event, as_uow(fake, SqlUnitOfWork)) is Outcome.APPLIED
    (kept,) = fake.deadlines.received
    assert (kept.agency, kept.unit, kept.correlation_id, kept.late) == ("police", "421222", "lead-7", True)
    assert kept.event_id == str(event.envelope.event_id)


def referral_letter(correlation_id: str, unit: str = "421222") -> ReferralSubmittedV1:
    return ReferralSubmittedV1(
        referral_id=f"ref-{correlation_id}",
        lead_id=correlation_id,
        letter_number="L1",
        court_code=COUNTIES[unit].court_code,
        court_unit=unit,
        police_unit=unit,
        enforcement_case_number="(2024)鄂1222执1号",
        enforcement_summary="拒不履行",
        amount_owed=Decimal("1"),
        amount_paid=Decimal("0"),
        suspects=[Suspect(name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR)],
        submitted_at=AT,
        submitted_by="o",
    )


async def test_a_hand_off_from_another_county_is_not_put_on_the_matter(fake: FakeProcuratorateUnitOfWork) -> None:
    """A Tongcheng matter takes entries from Tongcheng's agencies only; a Tongshan "filing" on it is poison."""
    work = as_uow(fake, ProcuratorateUnitOfWork)
    await on_hand_off(delivery(referral_letter("lead-7"), agency="court", correlation_id="lead-7"), work)
    filed = CaseFiledV1(
        referral_id="ref-lead-7",
        case_id="c",
        case_number="通公(经)立字〔2025〕1号",
        police_unit="421224",
        suspects=[Suspect(name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR)],
        filed_at=AT,
        filed_by="x",
    )
    with pytest.raises(PoisonMessage):
        await on_hand_off(delivery(filed, agency="police", unit="421224", correlation_id="lead-7"), work)
    misnamed = referral_letter("lead-8").model_copy(update={"police_unit": "421224"})
    with pytest.raises(PoisonMessage):
        await on_hand_off(delivery(misnamed, agency="court", correlation_id="lead-8"), work)
    assert [e.event_type for e in fake.timeline.items.values()] == ["court.referral.submitted"]


def test_the_matter_timeline_shows_one_line_per_act() -> None:
    """A filing opens the case in the register (police.case.filed and police.case.opened at one instant; a
    co-offender's filing on notice likewise): the court's timeline shows the act once, the opening folded into it; an
    opening alone (another instant) stays a line of its own."""
    from datetime import UTC, datetime, timedelta

    from liandong.api.timeline import TimelineEvent, one_line_per_act

    at = datetime(2025, 10, 9, 2, 0, tzinfo=UTC)

    def line(event_type: str, when: datetime, agency: str = "police") -> TimelineEvent:
        return TimelineEvent(at=when, agency=agency, unit="421222", event_type=event_type, summary="", source="x")

    events = [
        line("court.referral.submitted", at - timedelta(days=1), agency="court"),
        line("police.case.filed", at),
        line("police.case.opened", at),
        line("police.supervision.filing_notice_complied", at + timedelta(days=3)),
        line("police.case.opened", at + timedelta(days=3)),
        line("police.case.opened", at + timedelta(days=9)),
    ]
    shown = one_line_per_act(events)
    assert [(e.event_type, e.folded) for e in shown] == [
        ("court.referral.submitted", []),
        ("police.case.filed", ["police.case.opened"]),
        ("police.supervision.filing_notice_complied", ["police.case.opened"]),
        ("police.case.opened", []),
    ]
