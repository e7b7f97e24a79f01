"""The deadline engine with an injected clock, on SQLite: warnings, breach, meet, extend, restart, cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select

from liandong.clock import ManualClock
from liandong.deadlines.engine import DeadlineEngine
from liandong.envelope import Envelope
from liandong.errors import Conflict, DomainError
from liandong.persistence.engine import create_engine, session_factory
from liandong.persistence.uow import SqlUnitOfWork
from liandong_police.adapters.orm import common
from liandong_police.bootstrap import spec
from tests.support.outbox import no_translation
from tests.unit.conftest import migrated_sqlite

# Received on Friday 26 September 2025 at 10:00 in Shanghai: the 7-day filing window ends 9 October 24:00.
RECEIVED = datetime(2025, 9, 26, 2, 0, tzinfo=UTC)
DUE = datetime(2025, 10, 9, 16, 0, tzinfo=UTC)


class Tracker:
    def __init__(self, engine: DeadlineEngine, clock: ManualClock, sessions: Any) -> None:
        self.engine = engine
        self.clock = clock
        self.sessions = sessions

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(session_factory=self.sessions, tables=common, clock=self.clock, translate=no_translation)

    async def run(self, method: str, *args: Any, **kwargs: Any) -> Any:
        async with self.uow() as uow:
            result = await getattr(self.engine, method)(uow, *args, **kwargs)
            await uow.commit()
            return result

    async def start(self, kind: str = "police_filing_decision", subject: str = "ref-1", at: datetime = RECEIVED) -> str:
        deadline_id: str = await self.run(
            "start",
            kind_name=kind,
            subject_type="referral",
            subject_id=subject,
            correlation_id="lead-1",
            unit="421222",
            started_at=at,
        )
        return deadline_id

    async def tick_at(self, instant: datetime) -> int:
        self.clock.set(instant)
        return await self.engine.tick(self.uow)

    async def events(self, *, lifecycle: bool = False) -> list[Envelope]:
        """The tracker's events (warnings, breaches, meetings); with `lifecycle`, also started, changed, cancelled."""
        async with self.sessions() as session:
            rows = (await session.execute(select(common.outbox.c.envelope).order_by(common.outbox.c.seq))).scalars()
            envelopes = [Envelope.model_validate_json(r) for r in rows]
        moves = (".deadline.started", ".deadline.changed", ".deadline.cancelled")
        return [e for e in envelopes if lifecycle or not e.event_type.endswith(moves)]

    async def row(self, deadline_id: str) -> Any:
        async with self.uow() as uow:
            return await self.engine.get(uow, deadline_id)

    async def history(self, deadline_id: str) -> list[str]:
        async with self.uow() as uow:
            return [h.action for h in await self.engine.history(uow, deadline_id)]


@pytest.fixture
async def tracker(tmp_path: Path) -> Tracker:
    clock = ManualClock(RECEIVED)
    engine = create_engine(await migrated_sqlite(spec(), tmp_path / "police.db"))
    return Tracker(
        DeadlineEngine(agency="police", tables=common, clock=clock, late_after=timedelta(minutes=2)),
        clock,
        session_factory(engine),
    )


def firings(stage: str) -> float:
    labels = {"agency": "police", "stage": stage, "kind": "police_filing_decision"}
    return REGISTRY.get_sample_value("liandong_deadline_firings_total", labels) or 0.0


async def test_a_window_warns_twice_then_breaches_each_exactly_once(tracker: Tracker) -> None:
    before = {stage: firings(stage) for stage in ("warning", "breach")}
    deadline_id = await tracker.start()
    row = await tracker.row(deadline_id)
    assert row.due_at == DUE
    assert await tracker.tick_at(DUE - timedelta(hours=49)) == 0
    assert await tracker.tick_at(DUE - timedelta(hours=48)) == 1
    assert await tracker.tick_at(DUE - timedelta(hours=47)) == 0
    assert await tracker.tick_at(DUE - timedelta(hours=24)) == 1
    assert await tracker.tick_at(DUE - timedelta(seconds=1)) == 0
    assert await tracker.tick_at(DUE) == 1
    assert await tracker.tick_at(DUE + timedelta(days=3)) == 0

    events = await tracker.events()
    assert [e.event_type for e in events] == ["police.deadline.approaching"] * 2 + ["police.deadline.breached"]
    assert [e.payload.get("stage") for e in events[:2]] == ["approaching_48h", "approaching_24h"]
    assert events[0].payload["hours_left"] == 48.0
    assert all(e.aggregate_id == deadline_id and e.correlation_id == "lead-1" for e in events)
    assert not any(e.payload["late"] for e in events)
    assert (await tracker.row(deadline_id)).state == "breached"
    assert await tracker.history(deadline_id) == ["started", "approaching_48h", "approaching_24h", "breached"]
    assert (firings("warning") - before["warning"], firings("breach") - before["breach"]) == (2, 1), "by stage, kind"


async def test_met_before_any_warning_stops_the_clock(tracker: Tracker) -> None:
    deadline_id = await tracker.start()
    tracker.clock.set(RECEIVED + timedelta(days=2))
    await tracker.run("meet", deadline_id, at=tracker.clock.now())
    assert await tracker.tick_at(DUE + timedelta(days=1)) == 0
    (met,) = await tracker.events()
    assert met.event_type == "police.deadline.met"
    assert met.payload["on_time"] is True
    assert met.payload["days_used"] == 2.0
    with pytest.raises(Conflict, match="already met"):
        await tracker.run("meet", deadline_id, at=tracker.clock.now())


async def test_an_extension_after_a_warning_moves_the_warnings_and_the_breach(tracker: Tracker) -> None:
    deadline_id = await tracker.start()
    assert await tracker.tick_at(DUE - timedelta(hours=30)) == 1  # the 48-hour warning
    await tracker.run("extend", deadline_id, approver="tongcheng.supervisor", reason="重大、复杂", window=30)
    row = await tracker.row(deadline_id)
    new_due = datetime(2025, 10, 27, 16, 0, tzinfo=UTC)  # 26 Sep + 30 days = Sun 26 Oct → Mon 27 Oct
    assert row.due_at == new_due
    assert row.extensions == 1
    assert await tracker.tick_at(DUE) == 0, "the old due passes without a breach"
    assert await tracker.tick_at(new_due - timedelta(hours=48)) == 1
    assert await tracker.tick_at(new_due) == 1
    stages = [(e.event_type, e.payload.get("stage")) for e in await tracker.events()]
    assert stages == [
        ("police.deadline.approaching", "approaching_48h"),
        ("police.deadline.approaching", "approaching_48h"),
        ("police.deadline.breached", None),
    ]
    assert "extended" in await tracker.history(deadline_id)


async def test_a_deadline_that_fell_due_while_the_service_was_down_fires_once_marked_late(tracker: Tracker) -> None:
    deadline_id = await tracker.start()
    assert await tracker.tick_at(DUE + timedelta(hours=5)) == 1
    assert await tracker.tick_at(DUE + timedelta(hours=6)) == 0
    (breach,) = await tracker.events()
    assert breach.event_type == "police.deadline.breached"
    assert breach.payload["late"] is True
    async with tracker.uow() as uow:
        history = await tracker.engine.history(uow, deadline_id)
    assert history[-1].detail["skipped"] == ["approaching_48h", "approaching_24h"]


async def test_prosecution_review_restarts_after_supplementary_investigation_at_most_twice(tracker: Tracker) -> None:
    engine = DeadlineEngine(agency="procuratorate", tables=common, clock=tracker.clock)
    tracker.engine = engine
    start = datetime(2025, 8, 15, 1, 0, tzinfo=UTC)
    deadline_id = await tracker.start("prosecution_review", "case-1", start)
    assert (await tracker.row(deadline_id)).due_at == datetime(2025, 9, 15, 16, 0, tzinfo=UTC)
    returned_again = datetime(2025, 9, 20, 1, 0, tzinfo=UTC)
    await tracker.run("restart", deadline_id, at=returned_again, reason="补充侦查完毕重新移送")
    row = await tracker.row(deadline_id)
    assert row.due_at == datetime(2025, 10, 20, 16, 0, tzinfo=UTC)
    assert row.restarts == 1
    await tracker.run("restart", deadline_id, at=returned_again + timedelta(days=40), reason="第二次补充侦查")
    with pytest.raises(DomainError) as caught:
        await tracker.run("restart", deadline_id, at=returned_again + timedelta(days=80), reason="第三次")
    assert caught.value.code == "restart_limit"


async def test_a_cancelled_window_fires_nothing_and_cannot_be_met(tracker: Tracker) -> None:
    deadline_id = await tracker.start()
    await tracker.run("cancel", deadline_id, reason="法院撤回移送")
    assert await tracker.tick_at(DUE + timedelta(days=1)) == 0
    with pytest.raises(Conflict) as caught:
        await tracker.run("meet", deadline_id, at=tracker.clock.now())
    assert caught.value.code == "deadline_cancelled"
    assert await tracker.events() == []


async def test_a_window_another_act_ended_is_left_alone_by_a_workflow_and_refused_to_staff(tracker: Tracker) -> None:
    """A workflow ends the windows it found running (a withdrawal ends the investigation target); when another act
    (the debtor's payment, applied by the consumer at the same moment) ended one first, the workflow goes on."""
    deadline_id = await tracker.start()
    await tracker.run("cancel", deadline_id, reason="被执行人已履行")
    async with tracker.uow() as uow:
        book = tracker.engine.bind(uow)
        assert await book.cancel(deadline_id, reason="撤销案件") is False
        assert (
            await book.meet(kind="police_filing_decision", subject_type="referral", subject_id="ref-1", at=DUE) is False
        )
        await uow.commit()
    assert await tracker.history(deadline_id) == ["started", "cancelled"]  # nothing more recorded
    with pytest.raises(Conflict) as caught:  # by hand (DELETE /deadlines/{id}), an ended window is a conflict
        await tracker.run("cancel", deadline_id, reason="再次撤销")
    assert caught.value.code == "already_cancelled"
    with pytest.raises(Conflict):
        await tracker.run("meet", deadline_id, at=DUE)


@pytest.mark.parametrize(
    ("kind", "changes", "code"),
    [
        ("police_filing_decision", {"approver": "", "reason": "r", "window": 30}, "approver_required"),
        ("police_filing_decision", {"approver": "a", "reason": " ", "window": 30}, "reason_required"),
        ("police_filing_decision", {"approver": "a", "reason": "r", "window": 31}, "beyond_legal_maximum"),
        ("police_filing_decision", {"approver": "a", "reason": "r", "extra_days": 3}, "beyond_legal_maximum"),
        ("police_filing_decision", {"approver": "a", "reason": "r"}, "extension_shape"),
        ("arrest_review_detained", {"approver": "a", "reason": "r", "window": 10}, "not_extendable"),
        ("prosecution_review", {"approver": "a", "reason": "r", "extra_days": 16}, "beyond_legal_maximum"),
    ],
)
async def test_an_unlawful_extension_is_refused_and_changes_nothing(
    tracker: Tracker, kind: str, changes: dict[str, Any], code: str
) -> None:
    deadline_id = await tracker.start(kind)
    before = await tracker.row(deadline_id)
    with pytest.raises(DomainError) as caught:
        await tracker.run("extend", deadline_id, **changes)
    assert caught.value.code == code
    assert await tracker.row(deadline_id) == before


async def test_starting_needs_a_known_kind_a_time_zone_and_no_twin(tracker: Tracker) -> None:
    with pytest.raises(DomainError) as unknown:
        await tracker.start("police_coffee_break")
    assert unknown.value.code == "unknown_kind"
    with pytest.raises(DomainError) as naive:
        await tracker.start(at=datetime(2025, 9, 26, 10, 0))
    assert naive.value.code == "naive_time"
    await tracker.start()
    with pytest.raises(Conflict) as twin:
        await tracker.start()
    assert twin.value.code == "already_running"


async def test_a_configured_window_applies_only_to_configurable_kinds(tracker: Tracker) -> None:
    engine = DeadlineEngine(
        agency="police", tables=common, clock=tracker.clock, window_overrides={"police_investigation": 10}
    )
    _, due = engine.preview("police_investigation", RECEIVED)
    assert due.window == 10
    with pytest.raises(ValueError, match="set by law"):
        DeadlineEngine(
            agency="police", tables=common, clock=tracker.clock, window_overrides={"arrest_review_detained": 10}
        )


async def test_custody_follows_the_person_not_the_kind(tracker: Tracker) -> None:
    """CPL Art. 105: a period that runs while the suspect is in custody never extends past a holiday — any kind of
    window, prosecution review included; the same kind rolls forward for a suspect at liberty."""
    # handed over on 1 September 2025: one month ends on 1 October, the first day of the National Day holiday
    start = datetime(2025, 9, 1, 2, 0, tzinfo=UTC)
    held = await tracker.run(
        "start",
        kind_name="prosecution_review",
        subject_type="case",
        subject_id="held",
        correlation_id="lead-1",
        unit="421222",
        started_at=start,
        custody=True,
    )
    free = await tracker.run(
        "start",
        kind_name="prosecution_review",
        subject_type="case",
        subject_id="free",
        correlation_id="lead-1",
        unit="421222",
        started_at=start,
    )
    held_row, free_row = await tracker.row(held), await tracker.row(free)
    assert held_row.custody is True
    assert held_row.due_at == datetime(2025, 10, 1, 16, 0, tzinfo=UTC), "1 October, a holiday, and it stays"
    assert free_row.custody is False
    assert free_row.due_at == datetime(2025, 10, 9, 16, 0, tzinfo=UTC), "rolled past National Day week"
    await tracker.run("extend", held, approver="检察长", reason="重大、复杂", extra_days=15)
    extended = await tracker.row(held)
    assert extended.custody is True
    assert extended.due_at == datetime(2025, 10, 16, 16, 0, tzinfo=UTC), "the extension keeps the custody rule"


async def test_a_windows_start_change_and_cancellation_are_told_to_the_other_agencies(tracker: Tracker) -> None:
    """Every move of a window is an event (the others keep a copy of the windows of their matters)."""
    deadline_id = await tracker.start()
    async with tracker.uow() as uow:
        await tracker.engine.extend(uow, deadline_id, approver="tongcheng.supervisor", reason="重大复杂", window=30)
        await uow.commit()
    async with tracker.uow() as uow:
        await tracker.engine.cancel(uow, deadline_id, reason="法院撤回移送")
        await uow.commit()
    started, changed, cancelled = await tracker.events(lifecycle=True)
    assert [started.event_type, changed.event_type, cancelled.event_type] == [
        "police.deadline.started",
        "police.deadline.changed",
        "police.deadline.cancelled",
    ]
    assert started.payload["window"] == 7
    assert started.payload["custody"] is False
    assert changed.payload["change"] == "extended"
    assert "重大复杂" in changed.payload["reason"]
    assert changed.payload["due_at"] != started.payload["due_at"]
    assert cancelled.payload["reason"] == "法院撤回移送"
    assert {e.aggregate_id for e in (started, changed, cancelled)} == {deadline_id}


async def test_the_windows_of_some_subjects_are_theirs_alone_in_the_order_they_started(tracker: Tracker) -> None:
    """What a record's page shows: the windows of its (subject type, subject id) pairs — not another subject's, nor
    another type's of the same id."""
    started = []
    for subject in ("ref-1", "ref-2", "ref-3"):
        started.append(await tracker.start(subject=subject))
        tracker.clock.advance(timedelta(minutes=1))
    first, third = started[0], started[2]
    await tracker.run(
        "start",
        kind_name="police_filing_decision",
        subject_type="case",  # the same id, another kind of record
        subject_id="ref-1",
        correlation_id="lead-1",
        unit="421222",
        started_at=RECEIVED,
    )
    async with tracker.uow() as uow:
        shown = await tracker.engine.of_subjects(uow, [("referral", "ref-3"), ("referral", "ref-1")], units={"421222"})
        elsewhere = await tracker.engine.of_subjects(uow, [("referral", "ref-1")], units={"421224"})
        none = await tracker.engine.of_subjects(uow, [], units={"421222"})
    assert [d.id for d in shown] == [first, third]
    assert (elsewhere, none) == ([], [])
