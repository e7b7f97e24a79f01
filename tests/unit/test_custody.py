"""Custody, read closely: a detention ends other than by an arrest decision (MPS Rules Art. 131, 187), a transfer
carries it to the procuratorate, and every period that runs while a person is held is a custody period that never
extends past a holiday (CPL Art. 105) — the prosecution review, the fast track, the supplementary investigation."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import UTC, date, datetime, timedelta

import pytest

from liandong.__main__ import main
from liandong.clock import ManualClock
from liandong.contracts import CaseTransferredV1, CustodyEndedV1, ProsecutionReturnedV1, SuspectCustody
from liandong.contracts.arrests import CaseSuspect
from liandong.contracts.common import PartyKind, SuspectRole
from liandong.errors import Conflict, Forbidden
from liandong.messaging.handlers import Outcome
from liandong.security import Principal
from liandong.sla.kinds import Kind
from liandong.sla.rules import DeadlineState
from liandong_police.adapters.translators import translate
from liandong_police.domain import events
from liandong_police.domain.cases import Case
from liandong_police.service_layer import case_handlers, commands
from liandong_police.service_layer import event_handlers as on
from liandong_procuratorate.service_layer import commands as procuratorate_commands
from liandong_procuratorate.service_layer import prosecution_handlers
from liandong_procuratorate.service_layer.event_handlers import on_case_transferred
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork
from tests.support.deliveries import delivery
from tests.support.fake_uow import as_uow
from tests.unit.test_police_cases import FILED, debtor, decided, detain, request
from tests.unit.test_police_handlers import HEAD, INVESTIGATOR, FakePoliceUnitOfWork, uow
from tests.unit.test_prosecution_handlers import FakeProsecutingUnitOfWork, transferred

pytest_plugins = ["tests.unit.test_police_cases"]

# 2025-09-01 10:00 in Shanghai: a month ends on 1 October, the first day of National Day's holiday (1–8 October)
FIRST_OF_SEPTEMBER = datetime(2025, 9, 1, 2, 0, tzinfo=UTC)
HOLIDAY_EVE_END = datetime(2025, 10, 1, 16, 0, tzinfo=UTC)  # 1 October, 24:00 in Shanghai
AFTER_THE_HOLIDAY_END = datetime(2025, 10, 9, 16, 0, tzinfo=UTC)  # 9 October, 24:00: the first working day after
PROSECUTOR = Principal(username="tongcheng.prosecutor", agency="procuratorate", role="prosecutor", unit="421222")


async def test_mps_rules_131_a_detained_person_is_bailed_instead_of_an_arrest_request(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    fake.clock.set(FILED + timedelta(hours=2))
    detention_id = await detain(fake, case, FILED + timedelta(hours=1))
    bail = commands.EndCustody(INVESTIGATOR, case.id, debtor(case), "bail", "需要逮捕而证据还不足")
    with pytest.raises(Forbidden):
        await case_handlers.end_custody(bail, uow(fake))
    fake.clock.set(FILED + timedelta(days=1))
    await case_handlers.end_custody(commands.EndCustody(HEAD, case.id, debtor(case), "bail", "证据尚不足"), uow(fake))

    assert case.suspects[0]["custody"] == "bail"
    assert (case.detentions[0]["ended_by"], case.detentions[0]["ended_at"]) == ("bail", fake.clock.now().isoformat())
    (window,) = fake.deadlines.of_kind(Kind.POLICE_ARREST_REQUEST)
    assert window.state is DeadlineState.MET, "the person is no longer held: no request is owed"
    (ended,) = fake.events_of(events.CustodyEnded)
    (envelope,) = translate(ended)
    assert envelope.event_type == "police.custody.ended"
    contract = CustodyEndedV1.model_validate(envelope.payload)
    assert (contract.detention_id, contract.previous, contract.outcome) == (detention_id, "detained", "bail")

    with pytest.raises(Conflict) as again:
        await case_handlers.end_custody(commands.EndCustody(HEAD, case.id, debtor(case), "released", "释放"), uow(fake))
    assert again.value.code == "not_detained"


async def test_mps_rules_131_custody_awaiting_an_arrest_decision_ends_only_by_its_execution(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    fake.clock.set(FILED + timedelta(hours=2))
    await detain(fake, case, FILED + timedelta(hours=1))
    await request(fake, case, debtor(case))
    release = commands.EndCustody(HEAD, case.id, debtor(case), "released", "不需要逮捕")
    with pytest.raises(Conflict) as pending:
        await case_handlers.end_custody(release, uow(fake))
    assert pending.value.code == "request_pending"
    assert case.suspects[0]["custody"] == "detained"


async def test_mps_rules_187_a_withdrawal_releases_every_person_held_and_ends_their_windows(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    """A suspect whose arrest was refused, not yet released, and another detained: both released at once, the
    detention's window and the refusal's execution window cancelled — no false breach runs on."""
    fake.clock.set(FILED + timedelta(hours=2))
    await detain(fake, case, FILED + timedelta(hours=1))
    sent = await request(fake, case, debtor(case))
    fake.clock.set(FILED + timedelta(days=6))
    news = delivery(decided(case, str(sent["request_id"]), "refuse"), agency="procuratorate")
    assert await on.on_arrest_decided(news, uow(fake)) is Outcome.APPLIED
    partner = case.add_suspect(name="王某", kind="person", role="other", id_number=None, represents=None)
    await detain(fake, case, FILED + timedelta(days=6), partner["suspect_id"])

    withdraw = commands.WithdrawCase(HEAD, case.id, "no_liability", "被执行人已全部履行")
    await case_handlers.withdraw_case(withdraw, uow(fake))

    assert {s["name"]: s["custody"] for s in case.suspects} == {"黎某某": "released", "王某": "released"}
    assert all(d["ended_at"] is not None for d in case.detentions)
    states = {(d.kind, d.subject_id): d.state for d in fake.deadlines.rows.values()}
    partner_detention = case.detentions[-1]["detention_id"]
    assert states[(Kind.POLICE_ARREST_REQUEST, partner_detention)] is DeadlineState.CANCELLED
    assert [d.state for d in fake.deadlines.of_kind(Kind.POLICE_ARREST_EXECUTION)] == [DeadlineState.CANCELLED]
    assert [d.state for d in fake.deadlines.of_kind(Kind.POLICE_WITHDRAWAL_NOTICE)] == [DeadlineState.RUNNING]
    assert sorted(e.name for e in fake.events_of(events.CustodyEnded)) == ["王某", "黎某某"]


async def test_a_transfer_carries_each_suspects_custody_and_meets_the_detention_window(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    fake.clock.set(FILED + timedelta(hours=2))
    await detain(fake, case, FILED + timedelta(hours=1))
    await case_handlers.transfer_case(commands.TransferCase(INVESTIGATOR, case.id), uow(fake))
    (window,) = fake.deadlines.of_kind(Kind.POLICE_ARREST_REQUEST)
    assert window.state is DeadlineState.MET
    (sent,) = fake.events_of(events.CaseTransferred)
    (envelope,) = translate(sent)
    contract = CaseTransferredV1.model_validate(envelope.payload)
    assert [s.custody for s in contract.suspects] == [SuspectCustody.DETAINED]


def held(custody: SuspectCustody) -> CaseTransferredV1:
    suspect = CaseSuspect(
        suspect_id="s-1", name="黎某某", kind=PartyKind.PERSON, role=SuspectRole.DEBTOR, custody=custody
    )
    return transferred().model_copy(update={"suspects": [suspect]})


@pytest.mark.parametrize(
    ("custody", "due"),
    [(SuspectCustody.ARRESTED, HOLIDAY_EVE_END), (SuspectCustody.BAIL, AFTER_THE_HOLIDAY_END)],
)
async def test_cpl_105_a_prosecution_review_with_a_defendant_held_never_extends_past_a_holiday(
    clock: ManualClock, custody: SuspectCustody, due: datetime
) -> None:
    clock.set(FIRST_OF_SEPTEMBER)
    fake = FakeProsecutingUnitOfWork(clock)
    case = delivery(held(custody), agency="police", correlation_id="lead-1")
    assert await on_case_transferred(case, as_uow(fake, ProcuratorateUnitOfWork)) is Outcome.APPLIED
    (window,) = fake.deadlines.of_kind(Kind.PROSECUTION_REVIEW)
    assert (window.custody, window.due_at) == (custody is SuspectCustody.ARRESTED, due)

    (review,) = fake.prosecutions.items.values()
    fast_track = procuratorate_commands.FastTrack(PROSECUTOR, review.id, True, date(2025, 9, 1), 24)
    await prosecution_handlers.fast_track(fast_track, as_uow(fake, ProcuratorateUnitOfWork))
    (fast,) = fake.deadlines.of_kind(Kind.PROSECUTION_REVIEW_FAST_TRACK)
    assert fast.custody is (custody is SuspectCustody.ARRESTED)


async def test_cpl_105_the_supplementary_investigation_of_a_held_suspect_never_extends_past_a_holiday(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    fake.clock.set(FILED + timedelta(hours=2))
    await detain(fake, case, FILED + timedelta(hours=1))
    await case_handlers.transfer_case(commands.TransferCase(INVESTIGATOR, case.id), uow(fake))
    returned = ProsecutionReturnedV1(
        review_id="review-1",
        case_id=case.id,
        case_number=case.case_number,
        police_unit="421222",
        procuratorate_unit="421222",
        return_number=1,
        outline="查明转移财产去向",
        decided_at=FIRST_OF_SEPTEMBER,
        decided_by="tongcheng.prosecutor",
    )
    fake.clock.set(FIRST_OF_SEPTEMBER)
    news = delivery(returned, agency="procuratorate", correlation_id=case.correlation_id)
    assert await on.on_prosecution_news(news, uow(fake)) is Outcome.APPLIED
    (window,) = fake.deadlines.of_kind(Kind.POLICE_SUPPLEMENTARY_INVESTIGATION)
    assert (window.custody, window.due_at) == (True, HOLIDAY_EVE_END)


@pytest.mark.parametrize(("custody", "last_day"), [("yes", "2026-10-01"), ("no", "2026-10-08")])
def test_the_calculator_takes_custody(custody: str, last_day: str) -> None:
    """A review received 2026-09-01 for an arrested suspect ends 2026-10-01; at liberty, 2026-10-08."""
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(
            ["deadline", "--kind", "prosecution_review", "--start", "2026-09-01T10:00+08:00", "--custody", custody]
        )
    assert code == 0
    assert f"due:   {last_day} 24:00" in out.getvalue()
    with redirect_stdout(io.StringIO()) as shown:
        main(["deadline", "--kind", "prosecution_review", "--start", "2026-09-01T10:00+08:00", "--json"])
    assert json.loads(shown.getvalue())["custody"] is False, "the kind's own rule by default"


async def test_cpl_156_to_159_investigation_custody_runs_from_the_arrest_and_extends_in_turn(
    fake: FakePoliceUnitOfWork, case: Case
) -> None:
    """Two months from the arrest (a custody period: never past a holiday), extended as the procuratorate approves —
    to 3 months (Art. 156), 5 (Art. 158), 7 (Art. 159), each in its turn — and met by the transfer."""
    fake.clock.set(FILED + timedelta(hours=2))
    sent = await request(fake, case, debtor(case))
    news = delivery(decided(case, str(sent["request_id"]), "approve"), agency="procuratorate")
    fake.clock.set(FILED + timedelta(days=6))
    await on.on_arrest_decided(news, uow(fake))
    arrested_at = FILED + timedelta(days=6)
    execute = commands.ExecuteDecision(INVESTIGATOR, case.id, str(sent["request_id"]), debtor(case), "arrested")
    await case_handlers.execute_decision(execute, uow(fake))
    (window,) = fake.deadlines.of_kind(Kind.POLICE_INVESTIGATION_CUSTODY)
    assert (window.state, window.custody, window.period_started_at) == (DeadlineState.RUNNING, True, arrested_at)

    def extension(article: str) -> commands.ExtendCustody:
        return commands.ExtendCustody(HEAD, case.id, debtor(case), article, "咸宁市人民检察院", "案情复杂")

    with pytest.raises(Conflict) as early:
        await case_handlers.extend_custody(extension("158"), uow(fake))
    assert early.value.code == "out_of_turn"
    with pytest.raises(Forbidden):
        by_investigator = commands.ExtendCustody(INVESTIGATOR, case.id, debtor(case), "156", "x", "y")
        await case_handlers.extend_custody(by_investigator, uow(fake))
    for article, months in (("156", 3), ("158", 5), ("159", 7)):
        await case_handlers.extend_custody(extension(article), uow(fake))
        assert fake.deadlines.of_kind(Kind.POLICE_INVESTIGATION_CUSTODY)[0].window == months
    with pytest.raises(Conflict):
        await case_handlers.extend_custody(extension("159"), uow(fake))

    await case_handlers.transfer_case(commands.TransferCase(INVESTIGATOR, case.id), uow(fake))
    assert fake.deadlines.of_kind(Kind.POLICE_INVESTIGATION_CUSTODY)[0].state is DeadlineState.MET
