"""The legal calendar: which days are working days in the PRC.

Statutory holidays and 调休 make-up working days come from the maintained `chinese_calendar` library; operations can
add holidays or working days by configuration (a new year's schedule before the library ships it, a local
emergency). For a year the library does not cover and no override names, the calendar falls back to weekends only
and logs a warning once per year: a deadline is then still computed, never refused.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

import chinese_calendar

log = logging.getLogger(__name__)


class DaySource(StrEnum):
    OVERRIDE = "override"
    STATUTORY = "statutory_calendar"
    WEEKENDS_ONLY = "weekends_only"


class LegalCalendar:
    def __init__(self, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()) -> None:
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        if overlap := self.extra_holidays & self.extra_workdays:
            raise ValueError(f"days configured both as holiday and as working day: {sorted(overlap)}")
        self._warned_years: set[int] = set()

    def classify(self, day: date) -> tuple[bool, DaySource]:
        """(is it a working day?, where that answer came from)."""
        if day in self.extra_holidays:
            return False, DaySource.OVERRIDE
        if day in self.extra_workdays:
            return True, DaySource.OVERRIDE
        try:
            return bool(chinese_calendar.is_workday(day)), DaySource.STATUTORY
        except NotImplementedError:
            if day.year not in self._warned_years:
                self._warned_years.add(day.year)
                log.warning(
                    "no statutory holiday data for %s: counting weekends only; add the year's holidays by "
                    "configuration",
                    day.year,
                )
            return day.weekday() < 5, DaySource.WEEKENDS_ONLY

    def is_working_day(self, day: date) -> bool:
        return self.classify(day)[0]

    def holiday_name(self, day: date) -> str | None:
        try:
            _, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return None
        return str(name) if name else None

    def first_working_day_from(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


DEFAULT_CALENDAR = LegalCalendar()
