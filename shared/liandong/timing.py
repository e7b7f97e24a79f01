"""When an act says it happened: never in the future, never before the act it follows.

Staff record service times (of a 告知书, of a 不予立案通知书) that start or meet legal windows; a time in the future or
before the act it serves would move a window. A small allowance covers clocks that differ between machines.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from liandong.errors import DomainError

CLOCK_ALLOWANCE = timedelta(minutes=2)


def check_act_time(at: datetime, *, now: datetime, not_before: datetime, what: str, follows: str) -> None:
    if at > now + CLOCK_ALLOWANCE:
        raise DomainError(f"{what} at {at.isoformat()} is in the future", code="time_in_future")
    if at < not_before:
        raise DomainError(
            f"{what} at {at.isoformat()} comes before {follows} ({not_before.isoformat()})", code="time_before_act"
        )
