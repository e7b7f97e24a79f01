"""The procuratorate's arrest reviews, the court's record of police cases, and the peer windows every agency keeps,
on fake units of work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from liandong.clock import ManualClock
from liandong.contracts import (
    ArrestDecidedV1,
    ArrestRequestedV1,
    ArrestSuspect,
    CaseOpenedV1,
    CaseSuspect,
    SuspectDecision,
)
from liandong.contracts.deadlines import BREACHED, MET, STARTED
from liandong.deadlines.breaches import on_peer_window
from liandong.errors import Conflict, DomainError, Forbidden
from liandong.messaging.handlers import Outcome, PoisonMessage
from liandong.security import Principal
from liandong.sla.calendar import DEFAULT_CALENDAR
from liandong.sla.counting import compute_due
from liandong.sla.kinds import Kind, kind
from liandong.sla.records import PeerWindow, merge_peer_window
from liandong.sla.rules import DeadlineState
from liandong_court.service_layer import event_handlers as court_on
from liandong_procuratorate.domain.reviews import ArrestReview
from liandong_procuratorate.service_layer import commands, handlers
from liandong_procuratorate.service_layer.event_handlers import on_arrest_requested
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork
from tests.support.deliveries import delivery
from tests.support.fake_uow import FakeRepository, as_uow
from tests.unit.test_court_event_handlers import referred_lead
from tests.unit.test_court_event_handlers import uow as court_uow
from tests.unit.test_timeline_and_breach_handlers import FakeProcuratorateUnitOfWork

RECEIVED = datetime(2025, 9, 26, 2, 0, tzinfo=UTC)  # Friday 26 September 2025, 10:00 in Shanghai
PROSECUTOR = Principal(username="tongcheng.prosecutor", agency="procuratorate", role="prosecutor", unit="421222")
SUPERVISOR = Principal(username="city.supervisor", agency="procuratorate", role="supervisor", unit="421200")


class FakeReviews(FakeRepository[ArrestReview]):
    async def for_request(self, request_id: str) -> ArrestReview | None:
        return next((r for r in self.items.values() if r.request_id == request_id), None)


class FakeReviewingUnitOfWork(FakeProcuratorateUnitOfWork):
    clock: ManualClock

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.reviews = FakeReviews(self)


def uow(fake: FakeReviewingUnitOfWork) -> ProcuratorateUnitOfWork:
    return as_uow(fake, ProcuratorateUnitOfWork)


def requested(*, unit: str = "421222") -> ArrestRequestedV1:
    return ArrestRequestedV1(
        case_id="case-1",
        case_number="421222公立〔2025〕00001号",
        referral_id="ref-1",
        police_unit=unit,
        request_id="req-1",
        document_number="421222公提捕〔2025〕00001号",
        attempt=1,
        suspects=[
            ArrestSuspect(suspect_id="s-1", name="陈某某", role="debtor", detained=True, detained_at=RECEIVED),
            ArrestSuspect(suspect_id="s-2", name="郑某某", role="helper", detained=False),
        ],
        requested_at=RECEIVED,
        requested_by="tongcheng.investigator",
    )


@pytest.fixture
async def review(clock: ManualClock) -> tuple[FakeReviewingUnitOfWork, ArrestReview]:
    clock.set(RECEIVED)
    fake = FakeReviewingUnitOfWork(clock)
    assert await on_arrest_requested(delivery(requested(), agency="police"), uow(fake)) is Outcome.APPLIED
    (review,) = fake.reviews.items.values()
    return fake, review


def windows(fake: FakeReviewingUnitOfWork) -> dict[str, Any]:
    return {d.kind: d for d in fake.deadlines.rows.values()}


def test_the_review_windows_count_custody_strictly_and_the_others_past_a_holiday() -> None:
    """CPL Art. 91 / SPP Rules Art. 282 with CPL Art. 105: received 26 September 2025, seven days end on 3 October,
    inside National Day's holiday — a detained suspect's review ends there; fifteen days from 16 September end on
    1 October and roll past the holiday (1–8 October) to Thursday 9 October."""
    detained = compute_due(kind(Kind.ARREST_REVIEW_DETAINED), RECEIVED, calendar=DEFAULT_CALENDAR)
    assert detained.last_day.isoformat() == "2025-10-03"
    assert not detained.rolled_forward
    free = compute_due(kind(Kind.ARREST_REVIEW_NOT_DETAINED), RECEIVED - timedelta(days=10), calendar=DEFAULT_CALENDAR)
    assert free.nominal_last_day.isoformat() == "2025-10-01"
    assert free.last_day.isoformat() == "2025-10-09"
    detention = kind(Kind.POLICE_ARREST_REQUEST)
    assert (detention.window, detention.max_extra_days, detention.max_window, detention.custody) == (3, 4, 30, True)
    assert "第九十一条" in detention.legal_basis


async def test_a_request_opens_a_review_with_one_window_per_suspect_by_custody(
    review: tuple[FakeReviewingUnitOfWork, ArrestReview],
) -> None:
    fake, opened = review
    assert opened.unit == "421222"
    assert [s["detained"] for s in opened.suspects] == [True, False]
    by_kind = windows(fake)
    assert by_kind[Kind.ARREST_REVIEW_DETAINED].custody is True
    assert by_kind[Kind.ARREST_REVIEW_DETAINED].subject_id == f"{opened.id}:s-1"
    assert by_kind[Kind.ARREST_REVIEW_NOT_DETAINED].subject_id == f"{opened.id}:s-2"
    again = await on_arrest_requested(delivery(requested(), agency="police"), uow(fake))
    assert again is Outcome.STALE
    assert len(fake.reviews.items) == 1
    assert [e.event_type for e in fake.timeline.items.values()] == ["police.arrest.requested"]


async def test_a_request_sent_by_another_bureau_is_poison(clock: ManualClock) -> None:
    fake = FakeReviewingUnitOfWork(clock)
    with pytest.raises(PoisonMessage):
        await on_arrest_requested(delivery(requested(), agency="police", unit="421224"), uow(fake))
    assert fake.reviews.items == {}


async def test_a_prosecutor_decides_each_suspect_once_and_meets_their_window(
    review: tuple[FakeReviewingUnitOfWork, ArrestReview],
) -> None:
    fake, opened = review
    fake.clock.advance(timedelta(days=3))
    approve = {"suspect_id": "s-1", "decision": "approve", "reasons": "符合逮捕条件"}
    with pytest.raises(Forbidden):
        await handlers.decide_arrest(commands.DecideArrest(SUPERVISOR, opened.id, (approve,)), uow(fake))
    bad = {**approve, "outline": "补充侦查提纲"}
    with pytest.raises(DomainError) as caught:
        await handlers.decide_arrest(commands.DecideArrest(PROSECUTOR, opened.id, (bad,)), uow(fake))
    assert caught.value.code == "outline"
    await handlers.decide_arrest(commands.DecideArrest(PROSECUTOR, opened.id, (approve,)), uow(fake))
    assert windows(fake)[Kind.ARREST_REVIEW_DETAINED].state is DeadlineState.MET
    assert windows(fake)[Kind.ARREST_REVIEW_NOT_DETAINED].state is DeadlineState.RUNNING
    assert opened.status.value == "pending", "one suspect is still to be decided"
    with pytest.raises(Conflict) as twice:
        await handlers.decide_arrest(commands.DecideArrest(PROSECUTOR, opened.id, (approve,)), uow(fake))
    assert twice.value.code == "already_decided"
    refuse = {"suspect_id": "s-2", "decision": "refuse", "reasons": "证据不足", "outline": "查明账户用途"}
    await handlers.decide_arrest(commands.DecideArrest(PROSECUTOR, opened.id, (refuse,)), uow(fake))
    assert opened.status.value == "decided"
    assert [len(e.decided) for e in fake.published] == [1, 1]


async def test_only_a_free_suspects_review_extends_to_twenty_days(
    review: tuple[FakeReviewingUnitOfWork, ArrestReview],
) -> None:
    fake, opened = review
    await handlers.extend_review(commands.ExtendReview(SUPERVISOR, opened.id, "重大、复杂"), uow(fake))
    assert windows(fake)[Kind.ARREST_REVIEW_NOT_DETAINED].window == 20
    assert windows(fake)[Kind.ARREST_REVIEW_DETAINED].window == 7
    with pytest.raises(Conflict):
        await handlers.extend_review(commands.ExtendReview(SUPERVISOR, opened.id, "再延"), uow(fake))
    with pytest.raises(Forbidden):
        await handlers.extend_review(commands.ExtendReview(PROSECUTOR, opened.id, "重大、复杂"), uow(fake))


async def test_persons_involved_are_kept_on_the_review(review: tuple[FakeReviewingUnitOfWork, ArrestReview]) -> None:
    fake, opened = review
    person = commands.RecordPerson(PROSECUTOR, opened.id, "郑某某", "提供账户用于转移财产", ("银行流水",))
    await handlers.record_person(person, uow(fake))
    with pytest.raises(Conflict):
        await handlers.record_person(person, uow(fake))
    assert [(p["name"], p["evidence"]) for p in opened.persons_involved] == [("郑某某", ["银行流水"])]


async def test_the_court_follows_its_matters_cases_whatever_arrives_first(clock: ManualClock) -> None:
    fake = await referred_lead(clock)
    (lead_id,) = fake.leads.items
    decided = ArrestDecidedV1(
        review_id="review-1",
        request_id="req-1",
        case_id="case-1",
        police_unit="421222",
        procuratorate_unit="421222",
        decisions=[SuspectDecision(suspect_id="s-1", name="黎某某", decision="approve", reasons="符合逮捕条件")],
        decided_at=RECEIVED,
        decided_by="tongcheng.prosecutor",
    )
    first = delivery(decided, agency="procuratorate", correlation_id=lead_id)
    assert await court_on.on_arrest_decided(first, court_uow(fake)) is Outcome.APPLIED
    opened = CaseOpenedV1(
        case_id="case-1",
        case_number="421222公立〔2025〕00001号",
        referral_id="ref-1",
        police_unit="421222",
        suspects=[CaseSuspect(suspect_id="s-1", name="黎某某", kind="person", role="debtor")],
        opened_at=RECEIVED - timedelta(days=3),
        opened_by="tongcheng.head",
    )
    news = delivery(opened, agency="police", correlation_id=lead_id)
    assert await court_on.on_case_opened(news, court_uow(fake)) is Outcome.APPLIED
    assert await court_on.on_case_opened(news, court_uow(fake)) is Outcome.STALE
    case = fake.police_cases.items["case-1"]
    assert case.case_number == "421222公立〔2025〕00001号"
    assert [d["decision"] for d in case.decisions] == ["approve"]
    forged = delivery(opened, agency="police", unit="421224", correlation_id=lead_id)
    with pytest.raises(PoisonMessage):
        await court_on.on_case_opened(forged, court_uow(fake))
    stranger = delivery(opened, agency="police", correlation_id="no-such-lead")
    with pytest.raises(PoisonMessage):
        await court_on.on_case_opened(stranger, court_uow(fake))


def window(state: DeadlineState, **values: Any) -> PeerWindow:
    return PeerWindow(
        deadline_id="d-1",
        agency="procuratorate",
        unit="421222",
        kind=Kind.ARREST_REVIEW_DETAINED,
        title="审查批准逮捕",
        subject_type="arrest_review",
        subject_id="r-1:s-1",
        correlation_id="lead-1",
        state=state,
        started_at=RECEIVED,
        due_at=RECEIVED + timedelta(days=7),
        updated_at=RECEIVED,
        **values,
    )


def test_a_peer_window_only_moves_forward() -> None:
    running = window(DeadlineState.RUNNING)
    breached = window(DeadlineState.BREACHED, breached_at=RECEIVED + timedelta(days=7))
    met = window(DeadlineState.MET, met_at=RECEIVED + timedelta(days=8), days_used=8.0, on_time=False)
    assert merge_peer_window(None, running) == running
    after_breach = merge_peer_window(breached, met)
    assert after_breach is not None
    assert after_breach.breached_at == breached.breached_at, "a late meeting keeps the breach"
    assert merge_peer_window(met, running) is None, "a start after the end changes nothing"
    assert merge_peer_window(met, breached) is None
    assert merge_peer_window(window(DeadlineState.CANCELLED), met) is None
    restarted = merge_peer_window(met, running, moved=True)
    assert restarted is not None
    assert restarted.state is DeadlineState.RUNNING


async def test_peer_windows_come_from_their_own_unit_only(clock: ManualClock) -> None:
    clock.set(RECEIVED)
    fake = FakeReviewingUnitOfWork(clock)
    facts = {
        "deadline_id": "d-1",
        "kind": Kind.ARREST_REVIEW_DETAINED.value,
        "title": "审查批准逮捕",
        "legal_basis": "刑事诉讼法第九十一条",
        "unit": "421222",
        "subject_type": "arrest_review",
        "subject_id": "r-1:s-1",
        "started_at": RECEIVED,
        "due_at": RECEIVED + timedelta(days=7),
    }
    started = STARTED["police"](**facts, window=7, window_unit="days", custody=True)
    assert await on_peer_window(delivery(started, agency="police"), as_uow(fake, ProcuratorateUnitOfWork)) is (
        Outcome.APPLIED
    )
    met = MET["police"](**facts, met_at=RECEIVED + timedelta(days=2), days_used=2.0, on_time=True)
    assert await on_peer_window(delivery(met, agency="police"), as_uow(fake, ProcuratorateUnitOfWork)) is (
        Outcome.APPLIED
    )
    assert fake.deadlines.peers["d-1"].state is DeadlineState.MET
    assert fake.deadlines.peers["d-1"].days_used == 2.0
    late = BREACHED["police"](**facts, fired_at=RECEIVED + timedelta(days=7))
    assert await on_peer_window(delivery(late, agency="police"), as_uow(fake, ProcuratorateUnitOfWork)) is (
        Outcome.STALE
    )
    forged = delivery(started, agency="police", unit="421224")
    with pytest.raises(PoisonMessage):
        await on_peer_window(forged, as_uow(fake, ProcuratorateUnitOfWork))
