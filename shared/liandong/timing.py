"""When an act says it happened: never in the future, never before the act it follows.

Staff record service times (of a 告知书, of a 不予立案通知书) that start or meet legal windows; a time in the future or
before the act it serves would move a window. A small allowance covers clocks that differ between machines.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from liandong.errors import DomainError

CLOCK_ALLOWANCE = timedelta(minutes=2)


def to_the_minute(at: datetime) -> datetime:
    """A time at the precision people write it on paper."""
    return at.replace(second=0, microsecond=0)


def check_act_time(at: datetime, *, now: datetime, not_before: datetime | None, what: str, follows: str) -> None:
    """`at` is no later than now and, to the minute, no earlier than the act it follows (staff write 19:50 for a
    paper served at 19:50:40, and may record it after the act that it follows was recorded)."""
    if at > now + CLOCK_ALLOWANCE:
        raise DomainError(f"{what} at {at.isoformat()} is in the future", code="time_in_future")
    if not_before is not None and to_the_minute(at) < to_the_minute(not_before):
        raise DomainError(
            f"{what} at {at.isoformat()} comes before {follows} ({not_before.isoformat()})", code="time_before_act"
        )
