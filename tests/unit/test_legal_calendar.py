"""Counting legal periods over the real 2025–2026 PRC holidays."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime

import pytest

from liandong.__main__ import main
from liandong.sla.calendar import DaySource, LegalCalendar
from liandong.sla.counting import NaiveTime, add_months, compute_due
from liandong.sla.kinds import CATALOGUE, kind


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


def ends(day: str) -> datetime:
    """24:00 of `day` in Asia/Shanghai, in UTC."""
    return datetime.fromisoformat(day + "T16:00:00+00:00")


def test_national_day_2025_rolls_a_filing_window_to_the_first_working_day() -> None:
    due = compute_due(kind("police_filing_decision"), shanghai("2025-09-26T10:00"))
    assert due.nominal_last_day == date(2025, 10, 3)
    assert due.last_day == date(2025, 10, 9)  # 1–8 October are holidays, the 9th is a Thursday at work
    assert due.due == ends("2025-10-09")
    assert [s.day for s in due.skipped] == [date(2025, 10, d) for d in range(3, 9)]
    assert due.rolled_forward
    assert due.calendar_source is DaySource.STATUTORY
    assert "rolled forward to the first working day 2025-10-09" in due.rule()


def test_the_sunday_28_september_make_up_day_is_a_working_day() -> None:
    due = compute_due(kind("debtor_performance"), shanghai("2025-09-23T15:00"))
    assert due.last_day == date(2025, 9, 28)
    assert not due.rolled_forward
    assert due.due == ends("2025-09-28")


def test_the_saturday_11_october_make_up_day_is_a_working_day() -> None:
    due = compute_due(kind("police_filing_decision"), shanghai("2025-10-04T09:00"))
    assert due.last_day == date(2025, 10, 11)
    assert not due.rolled_forward


def test_spring_festival_2026_rolls_past_the_whole_holiday() -> None:
    due = compute_due(kind("police_investigation"), shanghai("2026-02-10T09:00"))
    assert due.nominal_last_day == date(2026, 2, 17)
    assert due.last_day == date(2026, 2, 24)  # 15–23 February are holidays
    assert due.due == ends("2026-02-24")


def test_a_custody_period_ending_on_a_holiday_never_extends() -> None:
    due = compute_due(kind("arrest_review_detained"), shanghai("2025-09-24T11:00"))
    assert due.last_day == due.nominal_last_day == date(2025, 10, 1)
    assert due.due == ends("2025-10-01")
    assert due.custody
    assert [s.day for s in due.skipped] == [date(2025, 10, 1)]
    assert "custody periods never extend" in due.rule()
    not_detained = compute_due(kind("arrest_review_not_detained"), shanghai("2025-09-16T11:00"))
    assert not_detained.last_day == date(2025, 10, 9), "the same kind of day rolls when nobody is in custody"


@pytest.mark.parametrize(
    ("start", "last_day"),
    [
        ("2026-01-31T09:00", date(2026, 2, 28)),  # a Saturday, but a 2026 Spring Festival make-up working day
        ("2025-03-31T09:00", date(2025, 4, 30)),
        ("2024-01-31T09:00", date(2024, 2, 29)),  # leap year
        ("2025-08-15T09:00", date(2025, 9, 15)),
    ],
)
def test_months_run_day_to_same_day_or_to_the_month_end(start: str, last_day: date) -> None:
    due = compute_due(kind("prosecution_review"), shanghai(start))
    assert due.nominal_last_day == last_day
    assert due.last_day == last_day


def test_a_month_and_fifteen_days_when_prosecution_review_is_extended() -> None:
    due = compute_due(kind("prosecution_review"), shanghai("2025-08-15T09:00"), extra_days=15)
    assert due.nominal_last_day == date(2025, 9, 30)
    assert due.last_day == date(2025, 9, 30)


def test_add_months_clamps_and_crosses_years() -> None:
    assert add_months(date(2025, 12, 31), 2) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 29), 1) == date(2025, 12, 29)
    assert add_months(date(2025, 1, 30), 1) == date(2025, 2, 28)


def test_a_period_starting_on_a_months_last_day_ends_on_the_last_day_of_the_month_reached() -> None:
    """SPC Interpretation of the CPL (2021), Art. 202: a period counted in months that starts on the last day of a
    month ends on the last day of the month it reaches; the holiday rule then applies as usual (CPL Art. 105)."""
    assert add_months(date(2025, 11, 30), 1) == date(2025, 12, 31)
    assert add_months(date(2025, 2, 28), 1) == date(2025, 3, 31)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    over_a_holiday = compute_due(kind("prosecution_review"), shanghai("2025-04-30T16:00"))
    assert over_a_holiday.nominal_last_day == date(2025, 5, 31), "the last day of May, not the 30th"
    assert over_a_holiday.last_day == date(2025, 6, 3), "31 May–2 June is the Dragon Boat holiday"
    assert compute_due(kind("prosecution_review"), shanghai("2025-02-28T09:00")).last_day == date(2025, 3, 31)


def test_a_year_beyond_the_statutory_calendar_counts_weekends_only_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = LegalCalendar()
    with caplog.at_level(logging.WARNING, logger="liandong.sla.calendar"):
        due = compute_due(kind("police_filing_decision"), shanghai("2030-12-28T10:00"), calendar=calendar)
        compute_due(kind("police_filing_decision"), shanghai("2030-12-28T10:00"), calendar=calendar)
    assert due.nominal_last_day == date(2031, 1, 4)  # a Saturday
    assert due.last_day == date(2031, 1, 6)
    assert due.calendar_source is DaySource.WEEKENDS_ONLY
    warnings = [r for r in caplog.records if "2031" in r.getMessage()]
    assert len(warnings) == 1, "warned once per year"


def test_ops_can_add_holidays_and_working_days() -> None:
    start = shanghai("2030-12-28T10:00")
    declared = LegalCalendar(extra_workdays=[date(2031, 1, 4)])
    assert compute_due(kind("police_filing_decision"), start, calendar=declared).last_day == date(2031, 1, 4)
    closed = LegalCalendar(extra_holidays=[date(2025, 10, 9)])
    assert compute_due(kind("police_filing_decision"), shanghai("2025-09-26T10:00"), calendar=closed).last_day == (
        date(2025, 10, 10)
    )
    with pytest.raises(ValueError, match="both"):
        LegalCalendar(extra_holidays=[date(2031, 1, 4)], extra_workdays=[date(2031, 1, 4)])


def test_the_start_day_is_the_day_in_shanghai() -> None:
    late_evening_utc = datetime(2025, 9, 25, 17, 0, tzinfo=UTC)  # 01:00 on 26 September in Shanghai
    due = compute_due(kind("police_filing_decision"), late_evening_utc)
    assert due.nominal_last_day == date(2025, 10, 3)


def test_a_start_without_a_time_zone_is_refused() -> None:
    with pytest.raises(NaiveTime):
        compute_due(kind("police_filing_decision"), datetime(2025, 9, 26, 10, 0))


def test_every_kind_states_its_legal_basis_and_a_sane_window() -> None:
    assert {"police_filing_decision", "arrest_review_detained", "prosecution_review"} <= set(CATALOGUE)
    for spec in CATALOGUE.values():
        assert spec.legal_basis.strip()
        assert spec.window > 0
        assert spec.max_window is None or spec.max_window > spec.window
    assert kind("arrest_review_detained").custody
    assert kind("police_filing_decision").max_window == 30


def test_the_command_line_calculator(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadline", "--kind", "police_filing_decision", "--start", "2025-09-26T10:00+08:00", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["due"] == "2025-10-09T16:00:00+00:00"
    assert answer["rolled_forward"] is True
    assert answer["legal_basis"].startswith("法发〔2025〕8号")
    assert main(["deadline", "--kind", "police_filing_decision", "--start", "2025-09-26T10:00"]) == 2
    assert "time zone" in capsys.readouterr().err
    assert main(["deadline", "--kind", "no_such_kind", "--start", "2025-09-26T10:00+08:00"]) == 2
