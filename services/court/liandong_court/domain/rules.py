"""Small rules several court aggregates share."""

from __future__ import annotations

import re
from decimal import Decimal

from liandong.errors import DomainError

CENT = Decimal("0.01")
ENFORCEMENT_CASE_NUMBER = re.compile(r"^\((?P<year>\d{4})\)鄂(?P<court>\d{2,4})执(恢|异|复)?(?P<seq>\d{1,6})号$")


def validate_case_number(case_number: str, court_code: str) -> None:
    match = ENFORCEMENT_CASE_NUMBER.match(case_number)
    if match is None:
        raise DomainError(
            f"{case_number!r} is not an enforcement case number like (2024)鄂1222执123号",
            code="invalid_case_number",
        )
    if f"鄂{match['court']}" != court_code:
        raise DomainError(
            f"case {case_number} belongs to court 鄂{match['court']}, not {court_code}", code="case_of_other_court"
        )
