"""Bounded input types: every number and date staff can send has a range, so edge input gets 422, not a 500.

Dates and times of legal acts lie between 1990 and 2100 (the calendar and the counting work inside it); amounts
are yuan with at most 14 digits before the point; paging offsets stop at a million rows.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field

EARLIEST = date(1990, 1, 1)
LATEST = date(2100, 12, 31)
MAX_OFFSET = 1_000_000
MAX_AMOUNT = Decimal("99999999999999.99")


def within_years(value: datetime) -> datetime:
    if not EARLIEST <= value.date() <= LATEST:
        raise ValueError(f"a time between {EARLIEST.year} and {LATEST.year}")
    return value


LegalTime = Annotated[AwareDatetime, AfterValidator(within_years)]
"""An instant with its time zone, between 1990 and 2100."""

LegalDate = Annotated[date, Field(ge=EARLIEST, le=LATEST)]
"""A calendar day between 1990 and 2100."""
