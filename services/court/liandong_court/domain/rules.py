"""Small rules several court aggregates share."""

from __future__ import annotations

import re
from decimal import Decimal

from liandong.errors import DomainError

CENT = Decimal("0.01")
# (year)court 执[type]sequence号 — 执 enforcement, 执恢 resumed, 执异 objection, 执复 review, 执保 preservation,
# 执监 supervision, 执协 assistance
ENFORCEMENT_CASE_NUMBER = re.compile(
    r"^\((?P<year>\d{4})\)鄂(?P<court>\d{2,4})执(?P<type>恢|异|复|保|监|协)?(?P<seq>\d{1,6})号$"
)
# (year)court 刑[type]sequence号 — 刑初 first instance (public and private prosecutions), 刑终 appeal, 刑再 retrial,
# 刑监 trial supervision, 刑更 commutation, 刑申 petition
CRIMINAL_CASE_NUMBER = re.compile(
    r"^\((?P<year>\d{4})\)鄂(?P<court>\d{2,4})刑(?P<type>初|终|再|监|更|申)(?P<seq>\d{1,6})号$"
)
FULL_WIDTH = str.maketrans({"（": "(", "）": ")", "〔": "(", "〕": ")", " ": "", "\u3000": ""})


def normalize_case_number(case_number: str) -> str:
    """One spelling of a case number: full-width brackets （2024） or 〔2024〕 and stray spaces become (2024)."""
    return case_number.strip().translate(FULL_WIDTH)


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


def validate_criminal_case_number(case_number: str, court_code: str | None) -> str:
    """A criminal case number of this court, like (2025)鄂1221刑初45号, in its one spelling."""
    number = normalize_case_number(case_number)
    match = CRIMINAL_CASE_NUMBER.match(number)
    if match is None:
        raise DomainError(
            f"{case_number!r} is not a criminal case number like (2025)鄂1221刑初45号", code="invalid_case_number"
        )
    if court_code is not None and f"鄂{match['court']}" != court_code:
        raise DomainError(
            f"case {number} belongs to court 鄂{match['court']}, not {court_code}", code="case_of_other_court"
        )
    return number
