"""Counting a legal period (CPL Art. 105; docs/architecture.md, "Deadlines").

- The start day is not counted: a period of N days ends at 24:00 (Asia/Shanghai) of the N-th day after it.
- Months run from day to same day; a month without that day ends on its last day, and a period that starts on the
  last day of a month ends on the last day of the month it reaches (SPC Interpretation of the CPL, Art. 202).
- If the last day is a holiday (weekend or statutory holiday; 调休 make-up days are working days), the period ends at
  24:00 of the first working day after it — except custody periods, which never extend.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from liandong.sla.calendar import DEFAULT_CALENDAR, DaySource, LegalCalendar
from liandong.sla.kinds import DeadlineKind, WindowUnit

SHANGHAI = ZoneInfo("Asia/Shanghai")


class NaiveTime(ValueError):
    """A start time without a time zone: we will not guess which."""


@dataclass(frozen=True)
class SkippedDay:
    day: date
    reason: str


@dataclass(frozen=True)
class DueDate:
    kind: str
    start: datetime
    window: int
    unit: WindowUnit
    extra_days: int
    nominal_last_day: date
    last_day: date
    due: datetime
    custody: bool
    calendar_source: DaySource
    legal_basis: str
    skipped: list[SkippedDay] = field(default_factory=list)

    @property
    def rolled_forward(self) -> bool:
        return self.last_day != self.nominal_last_day

    @property
    def due_local(self) -> datetime:
        return self.due.astimezone(SHANGHAI)

    def rule(self) -> str:
        span = f"{self.window} {'day' if self.unit is WindowUnit.DAYS else 'month'}{'s' if self.window != 1 else ''}"
        if self.extra_days:
            span += f" + {self.extra_days} days"
        start_day = self.start.astimezone(SHANGHAI).date()
        text = (
            f"{span} from {start_day.isoformat()} (start day not counted): last day {self.nominal_last_day.isoformat()}"
        )
        if self.rolled_forward:
            text += f", a holiday; rolled forward to the first working day {self.last_day.isoformat()}"
        elif self.custody and self.skipped:
            text += ", a holiday, but custody periods never extend"
        return text + f"; ends {self.last_day.isoformat()} 24:00 Asia/Shanghai (= {self.due_local.isoformat()})"


def add_months(day: date, months: int) -> date:
    """Day to same day; from a month's last day to the last day of the month reached (SPCI Art. 202)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = month_calendar.monthrange(year, month)[1]
    if day.day == month_calendar.monthrange(day.year, day.month)[1]:
        return date(year, month, last)
    return date(year, month, min(day.day, last))


def end_of_day(day: date) -> datetime:
    """24:00 of `day` in Asia/Shanghai, as a UTC instant."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI).astimezone(UTC)


def compute_due(
    kind: DeadlineKind,
    start: datetime,
    *,
    window: int | None = None,
    extra_days: int = 0,
    calendar: LegalCalendar = DEFAULT_CALENDAR,
    custody: bool | None = None,
) -> DueDate:
    """When a period of `kind` starting at `start` ends. `custody` (the person's status: a period that runs while
    the suspect is held never extends past a holiday, CPL Art. 105) defaults to the kind's own."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise NaiveTime("the start time needs a time zone, e.g. 2025-09-26T10:00+08:00")
    window = kind.window if window is None else window
    custody = kind.custody if custody is None else custody
    start_day = start.astimezone(SHANGHAI).date()
    nominal = start_day + timedelta(days=window) if kind.unit is WindowUnit.DAYS else add_months(start_day, window)
    nominal += timedelta(days=extra_days)

    last_day = nominal
    skipped: list[SkippedDay] = []
    working, source = calendar.classify(last_day)
    if not working:
        skipped.append(SkippedDay(last_day, calendar.holiday_name(last_day) or "weekend"))
        if not custody:
            while not working:
                last_day += timedelta(days=1)
                working, source = calendar.classify(last_day)
                if not working:
                    skipped.append(SkippedDay(last_day, calendar.holiday_name(last_day) or "weekend"))
    return DueDate(
        kind=kind.name,
        start=start.astimezone(UTC),
        window=window,
        unit=kind.unit,
        extra_days=extra_days,
        nominal_last_day=nominal,
        last_day=last_day,
        due=end_of_day(last_day),
        custody=custody,
        calendar_source=source,
        legal_basis=kind.legal_basis,
        skipped=skipped,
    )
