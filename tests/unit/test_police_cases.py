"""The bureau's cases on a fake unit of work: detention and its custody window, the arrest request, the decision
received and its execution; bad input changes nothing and publishes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from liandong.clock import ManualClock
from liandong.contracts import ArrestDecidedV1, SuspectDecision
from liandong.errors import Conflict, DomainError, Forbidden, NotFound
from liandong.messaging.handlers import Outcome, PoisonMessage
from liandong.sla.kinds import Kind
from liandong.sla.rules import DeadlineState
from liandong_police.domain import events
from liandong_police.domain.cases import Case
from liandong_police.service_layer import case_handlers, commands
from liandong_police.service_layer import event_handlers as on
from tests.support.deliveries import delivery
from tests.unit.test_police_handlers import (
    HEAD,
    INVESTIGATOR,
    OTHER_COUNTY,
    SUPERVISOR,
    FakePoliceUnitOfWork,
    decide,
    registered,
    uow,
)

# the filing is on Thursday 25 September 2025; National Day's holiday runs 1–8 October
FILED = datetime(2025, 9, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
def fake(clock: ManualClock) -> FakePoliceUnitOfWork:
    clock.set(FILED - timedelta(days=1))
    return FakePoliceUnitOfWork(clock)


@pytest.fixture
async def case(fake: FakePoliceUnitOfWork) -> Case:
    await registered(fake)
    fake.clock.set(FILED)
    referral = await decide(fake, "file")
    fake.published.clear()
    return fake.cases.items[str(referral.case_id)]


def debtor(case: Case) -> str:
    return str(case.suspects[0]["suspect_id"])


async def detain(fake: FakePoliceUnitOfWork, case: Case, at: datetime, suspect: str | None = None) -> str:
    command = commands.Detain(INVESTIGATOR, case.id, suspect or debtor(case), at, "通城县看守所")
    await case_handlers.detain(command, uow(fake))
    return str(case.detentions[-1]["detention_id"])


async def request(fake: FakePoliceUnitOfWork, case: Case, *suspects: str) -> dict[str, Any]:
    await case_handlers.request_arrest(commands.RequestArrest(INVESTIGATOR, case.id, suspects), uow(fake))
    return case.arrest_requests[-1]


def decided(case: Case, request_id: str, decision: str, *, unit: str = "421222") -> ArrestDecidedV1:
    return ArrestDecidedV1(
        review_id="review-1",
        request_id=request_id,
        case_id=case.id,
        police_unit=unit,
        procuratorate_unit=unit,
        decisions=[SuspectDecision(suspect_id=debtor(case), name="黎某某", decision=decision, reasons="依法决定")],
        decided_at=FILED + timedelta(days=5),
        decided_by="tongcheng.prosecutor",
    )


async def test_a_filing_opens_the_case_with_its_suspects(case: Case) -> None:
    assert case.referral_id == "ref-1"
    assert case.correlation_id == "lead-1"
    assert [(s["name"], s["custody"]) for s in case.suspects] == [("黎某某", "free")]
    assert all(s["suspect_id"] for s in case.suspects)


async def test_a_detention_starts_a_custody_window_that_ends_on_the_holiday(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    """CPL Art. 91 and 105: three days from a detention on 28 September end on 1 October, a holiday, not after it."""
    detained_at = datetime(2025, 9, 28, 2, 0, tzinfo=UTC)
    fake.clock.set(detained_at + timedelta(hours=1))
    detention_id = await detain(fake, case, detained_at)
    (window,) = fake.deadlines.of_kind(Kind.POLICE_ARREST_REQUEST)
    assert (window.subject_type, window.subject_id) == ("detention", detention_id)
    assert window.custody is True
    assert window.due_at == datetime(2025, 10, 1, 16, 0, tzinfo=UTC)
    assert case.suspects[0]["custody"] == "detained"
    (recorded,) = fake.events_of(events.DetentionRecorded)
    assert recorded.request_due_at == window.due_at


@pytest.mark.parametrize(
    ("at", "code"),
    [(FILED + timedelta(days=1), "time_in_future"), (FILED - timedelta(days=1), "time_before_act")],
)
async def test_a_detention_in_the_future_or_before_the_filing_is_refused(
    fake: FakePoliceUnitOfWork, case: Case, at: datetime, code: str
) -> None:
    fake.clock.set(FILED + timedelta(hours=2))
    with pytest.raises(DomainError) as caught:
        await detain(fake, case, at)
    assert caught.value.code == code
    assert case.detentions == []
    assert fake.deadlines.of_kind(Kind.POLICE_ARREST_REQUEST) == []
    assert fake.published == []


async def test_a_unit_is_never_detained_nor_arrested_and_a_held_suspect_not_twice(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    fake.clock.set(FILED + timedelta(hours=2))
    await case_handlers.add_suspect(
        commands.AddSuspect(INVESTIGATOR, case.id, "通城某公司", "unit", "debtor"), uow(fake)
    )
    company = str(case.suspects[-1]["suspect_id"])
    with pytest.raises(DomainError) as caught:
        await detain(fake, case, FILED + timedelta(hours=1), company)
    assert caught.value.code == "not_a_person"
    with pytest.raises(DomainError) as caught:
        await request(fake, case, company)
    assert caught.value.code == "not_a_person"
    await detain(fake, case, FILED + timedelta(hours=1))
    with pytest.raises(Conflict) as held:
        await detain(fake, case, FILED + timedelta(hours=1))
    assert held.value.code == "already_in_custody"
    assert len(case.detentions) == 1
    rep = commands.AddSuspect(INVESTIGATOR, case.id, "黎某", "person", "legal_representative", represents=company)
    await case_handlers.add_suspect(rep, uow(fake))
    assert case.suspects[-1]["represents"] == company


async def test_a_request_meets_the_detention_and_investigation_windows(fake: FakePoliceUnitOfWork, case: Case) -> None:
    fake.clock.set(FILED + timedelta(days=1))
    await detain(fake, case, FILED + timedelta(days=1))
    fake.clock.advance(timedelta(days=2))
    sent = await request(fake, case, debtor(case))
    assert sent["document_number"] == "通城公（刑）提捕字〔2025〕1号"
    assert sent["attempt"] == 1
    assert [s["detained"] for s in sent["suspects"]] == [True]
    (detention,) = fake.deadlines.of_kind(Kind.POLICE_ARREST_REQUEST)
    (investigation,) = fake.deadlines.of_kind(Kind.POLICE_INVESTIGATION)
    assert detention.state is DeadlineState.MET
    assert investigation.state is DeadlineState.MET
    (requested,) = fake.events_of(events.ArrestRequested)
    assert [e["sha256"] for e in requested.evidence] == ["a" * 64], "the referral's evidence travels in the manifest"
    with pytest.raises(Conflict) as pending:
        await request(fake, case, debtor(case))
    assert pending.value.code == "request_pending"


async def test_bad_requests_change_nothing(fake: FakePoliceUnitOfWork, case: Case) -> None:
    fake.clock.set(FILED + timedelta(days=1))
    for suspects, error in (((), "no_suspects"), (("nobody",), "unknown_suspect")):
        with pytest.raises(DomainError) as caught:
            await request(fake, case, *suspects)
        assert caught.value.code == error
    with pytest.raises(DomainError) as twice:
        await request(fake, case, debtor(case), debtor(case))
    assert twice.value.code == "duplicate_suspect"
    with pytest.raises(Forbidden):
        await case_handlers.request_arrest(commands.RequestArrest(OTHER_COUNTY, case.id, (debtor(case),)), uow(fake))
    with pytest.raises(NotFound):
        await case_handlers.request_arrest(commands.RequestArrest(INVESTIGATOR, "nope", (debtor(case),)), uow(fake))
    assert case.arrest_requests == []
    assert fake.published == []
    (investigation,) = fake.deadlines.of_kind(Kind.POLICE_INVESTIGATION)
    assert investigation.state is DeadlineState.RUNNING


async def test_mps_rules_140_142_an_approval_is_executed_at_once_and_its_receipt_is_due_after_the_execution(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    """The law sets no days for executing an approval (立即执行); the receipt's 3 days run from the execution."""
    fake.clock.set(FILED + timedelta(days=1))
    await detain(fake, case, FILED + timedelta(days=1))
    sent = await request(fake, case, debtor(case))
    fake.clock.set(FILED + timedelta(days=6))
    news = delivery(decided(case, str(sent["request_id"]), "approve"), agency="procuratorate")
    assert await on.on_arrest_decided(news, uow(fake)) is Outcome.APPLIED
    assert await on.on_arrest_decided(news, uow(fake)) is Outcome.STALE, "a redelivery adds nothing"
    assert fake.deadlines.of_kind(Kind.POLICE_ARREST_EXECUTION) == [], "no day count before the execution"

    execute = commands.ExecuteDecision(INVESTIGATOR, case.id, str(sent["request_id"]), debtor(case), "released")
    with pytest.raises(DomainError) as wrong:
        await case_handlers.execute_decision(execute, uow(fake))
    assert wrong.value.code == "arrest_approved"
    executed_at = FILED + timedelta(days=6, hours=2)
    fake.clock.set(executed_at + timedelta(days=1))
    arrested = commands.ExecuteDecision(
        INVESTIGATOR, case.id, str(sent["request_id"]), debtor(case), "arrested", executed_at, receipt_now=False
    )
    await case_handlers.execute_decision(arrested, uow(fake))
    (receipt,) = fake.deadlines.of_kind(Kind.POLICE_ARREST_RECEIPT)
    assert (receipt.state, receipt.period_started_at) == (DeadlineState.RUNNING, executed_at)
    assert fake.events_of(events.ArrestExecuted) == [], "the procuratorate hears with the receipt"
    send = commands.SendExecutionReceipt(INVESTIGATOR, case.id, str(sent["request_id"]), debtor(case))
    await case_handlers.send_receipt(send, uow(fake))
    assert fake.deadlines.of_kind(Kind.POLICE_ARREST_RECEIPT)[0].state is DeadlineState.MET
    assert case.suspects[0]["custody"] == "arrested"
    assert case.detentions[0]["ended_by"] == "arrested"
    with pytest.raises(Conflict) as again:
        await case_handlers.execute_decision(arrested, uow(fake))
    assert again.value.code == "already_executed"
    (executed,) = fake.events_of(events.ArrestExecuted)
    assert (executed.outcome, executed.review_id, executed.executed_at) == ("arrested", "review-1", executed_at)
    with pytest.raises(Conflict) as twice:
        await case_handlers.send_receipt(send, uow(fake))
    assert twice.value.code == "receipt_sent"


async def test_mps_rules_142_an_arrest_not_executed_is_a_receipt_with_the_reason(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    fake.clock.set(FILED + timedelta(days=1))
    sent = await request(fake, case, debtor(case))
    news = delivery(decided(case, str(sent["request_id"]), "approve"), agency="procuratorate")
    fake.clock.set(FILED + timedelta(days=6))
    await on.on_arrest_decided(news, uow(fake))
    request_id = str(sent["request_id"])
    bare = commands.ExecuteDecision(INVESTIGATOR, case.id, request_id, debtor(case), "not_executed")
    with pytest.raises(DomainError) as reasonless:
        await case_handlers.execute_decision(bare, uow(fake))
    assert reasonless.value.code == "failure_reason"
    failed = commands.ExecuteDecision(
        INVESTIGATOR, case.id, request_id, debtor(case), "not_executed", failure_reason="犯罪嫌疑人在逃，已上网追逃"
    )
    await case_handlers.execute_decision(failed, uow(fake))
    assert case.suspects[0]["custody"] == "free", "nobody was arrested"
    (receipt,) = fake.deadlines.of_kind(Kind.POLICE_ARREST_RECEIPT)
    assert receipt.state is DeadlineState.MET, "the receipt with the reason ends the window, no breach"
    (executed,) = fake.events_of(events.ArrestExecuted)
    assert (executed.outcome, executed.failure_reason) == ("not_executed", "犯罪嫌疑人在逃，已上网追逃")


async def test_a_refusal_of_a_free_suspect_needs_no_execution_and_is_never_arrested(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    fake.clock.set(FILED + timedelta(days=1))
    sent = await request(fake, case, debtor(case))
    news = delivery(decided(case, str(sent["request_id"]), "refuse"), agency="procuratorate")
    assert await on.on_arrest_decided(news, uow(fake)) is Outcome.APPLIED
    assert fake.deadlines.of_kind(Kind.POLICE_ARREST_EXECUTION) == []
    arrested = commands.ExecuteDecision(INVESTIGATOR, case.id, str(sent["request_id"]), debtor(case), "arrested")
    with pytest.raises(DomainError) as refused:
        await case_handlers.execute_decision(arrested, uow(fake))
    assert refused.value.code == "arrest_refused"
    second = await request(fake, case, debtor(case))
    assert second["attempt"] == 2, "after a refusal the bureau may request again"


async def test_a_decision_from_another_county_or_about_strangers_is_poison(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    fake.clock.set(FILED + timedelta(days=1))
    sent = await request(fake, case, debtor(case))
    forged = delivery(
        decided(case, str(sent["request_id"]), "approve", unit="421224"), agency="procuratorate", unit="421224"
    )
    with pytest.raises(PoisonMessage):
        await on.on_arrest_decided(forged, uow(fake))
    unknown = delivery(decided(case, "no-such-request", "approve"), agency="procuratorate")
    with pytest.raises(PoisonMessage):
        await on.on_arrest_decided(unknown, uow(fake))
    assert case.arrest_requests[0]["decisions"] == {}


async def test_mps_rules_129_the_bureau_head_extends_the_detention_window_within_the_law(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    fake.clock.set(FILED + timedelta(hours=1))
    detention_id = await detain(fake, case, FILED + timedelta(hours=1))
    extend = commands.ExtendDetentionWindow(INVESTIGATOR, case.id, detention_id, "异地取证", extra_days=2)
    by_supervisor = commands.ExtendDetentionWindow(SUPERVISOR, case.id, detention_id, "异地取证", extra_days=2)
    for refused in (extend, by_supervisor):  # 县级以上公安机关负责人批准, not a department's supervisor
        with pytest.raises(Forbidden):
            await case_handlers.extend_detention_window(refused, uow(fake))
    by_head = commands.ExtendDetentionWindow(HEAD, case.id, detention_id, "异地取证", extra_days=2)
    await case_handlers.extend_detention_window(by_head, uow(fake))
    (window,) = fake.deadlines.of_kind(Kind.POLICE_ARREST_REQUEST)
    assert window.window + window.extra_days == 5
    gang = commands.ExtendDetentionWindow(HEAD, case.id, detention_id, "三人结伙转移财产", ground="gang")
    await case_handlers.extend_detention_window(gang, uow(fake))
    (window,) = fake.deadlines.of_kind(Kind.POLICE_ARREST_REQUEST)
    assert window.window + window.extra_days == 30
    more = commands.ExtendDetentionWindow(HEAD, case.id, detention_id, "再延", extra_days=1)
    with pytest.raises(DomainError) as beyond:
        await case_handlers.extend_detention_window(more, uow(fake))
    assert beyond.value.code == "beyond_legal_maximum"
    assert [e["reason"] for e in case.detentions[0]["extensions"]] == ["异地取证", "三人结伙转移财产"]


async def test_mps_rules_143_reconsideration_is_asked_within_five_days_of_the_refusal(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    fake.clock.set(FILED + timedelta(days=1))
    sent = await request(fake, case, debtor(case))
    news = delivery(decided(case, str(sent["request_id"]), "refuse"), agency="procuratorate")
    received = FILED + timedelta(days=6)  # Wednesday 1 October 2025, 10:00: a holiday runs to 8 October
    fake.clock.set(received)
    await on.on_arrest_decided(news, uow(fake))
    ask = commands.RequestReconsideration(HEAD, case.id, str(sent["request_id"]), debtor(case), "reconsideration", "错")
    fake.clock.set(datetime(2025, 10, 10, 2, 0, tzinfo=UTC))  # 5 days end on 6 October, a holiday: rolled to the 9th
    with pytest.raises(Conflict) as late:
        await case_handlers.request_reconsideration(ask, uow(fake))
    assert late.value.code == "reconsideration_late"
    fake.clock.set(datetime(2025, 10, 9, 2, 0, tzinfo=UTC))
    await case_handlers.request_reconsideration(ask, uow(fake))
    (asked,) = fake.events_of(events.ReconsiderationRequested)
    assert (asked.stage, asked.suspect_id) == ("reconsideration", debtor(case))
    with pytest.raises(Conflict) as again:
        await case_handlers.request_reconsideration(ask, uow(fake))
    assert again.value.code == "out_of_turn"
