"""The rules of the law the workflow counts by, one test each (items of the issue "The law, read closely").

Calendar rules (months, custody) are in test_legal_calendar.py and test_deadline_engine.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from liandong.clock import ManualClock
from liandong.contracts import CaseFilingDeclinedV1, EnforcementPerformedV1, PerformanceKind
from liandong.messaging.handlers import Outcome
from liandong.sla.kinds import Kind, kind
from liandong.sla.rules import DeadlineState
from liandong_court.service_layer import event_handlers as court_on
from liandong_police.service_layer import commands, handlers
from liandong_police.service_layer import event_handlers as police_on
from tests.support.deliveries import delivery
from tests.unit.test_court_event_handlers import received, referral_id, referred_lead
from tests.unit.test_court_event_handlers import uow as court_uow
from tests.unit.test_police_handlers import (
    ARRIVED,
    INVESTIGATOR,
    SUPERVISOR,
    FakePoliceUnitOfWork,
    arrived,
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
    await handlers.decline_filing(commands.DeclineFiling(INVESTIGATOR, "ref-1", "证据不足"), uow(fake))
    (notice,) = fake.deadlines.of_kind(Kind.POLICE_NON_FILING_NOTICE)
    assert notice.due_at == datetime(2025, 10, 16, 16, 0, tzinfo=UTC), "the review period's end, not 21 October"

    clock.set(ARRIVED)
    early = FakePoliceUnitOfWork(clock)
    await registered(early)
    await handlers.extend_filing_window(commands.ExtendFilingWindow(SUPERVISOR, "ref-1", "重大复杂"), uow(early))
    clock.set(ARRIVED + timedelta(days=1))  # declined on Friday 10 October, with 30 days to decide
    await handlers.decline_filing(commands.DeclineFiling(INVESTIGATOR, "ref-1", "证据不足"), uow(early))
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
    filed = await handlers.file_case(commands.FileCase(INVESTIGATOR, "ref-1", None, None), uow(fake))
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
