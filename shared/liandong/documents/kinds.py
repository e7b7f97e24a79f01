"""The kinds of document this system issues: each with its title, the word of its number and the article it cites.

Numbers take the agency's form, counted per unit, kind and year (liandong.persistence.counters: consecutive, never
reused): the court's `(2026)鄂1222执告3号` like its referral letters; the police's `通城公（刑）立字〔2026〕12号`; the
procuratorate's `通城检刑不诉〔2026〕2号`. A county is named by its first two characters (通城 and 通山 would both
be 通), the city by 咸宁.
"""

from __future__ import annotations

from dataclasses import dataclass

from liandong.envelope import Agency
from liandong.units import CITY_CODE, COUNTIES, court_code_of


@dataclass(frozen=True)
class DocumentKind:
    name: str
    title: str
    agency: Agency
    word: str  # the kind's word in the number: 执告, 执移, 立字 …
    legal_basis: str


COURT_NOTICE = DocumentKind(
    "court_notice",
    "告知书",
    "court",
    "执告",
    "《最高人民法院 最高人民检察院 公安部关于办理拒不执行判决、裁定刑事案件的意见》（法发〔2025〕8号）第三条；"
    "《中华人民共和国刑法》第三百一十三条",
)
COURT_REFERRAL_LETTER = DocumentKind(
    "court_referral_letter",
    "移送函",
    "court",
    "执移",
    "《中华人民共和国刑法》第三百一十三条；法发〔2025〕8号第四条、第五条",
)
KINDS: dict[str, DocumentKind] = {k.name: k for k in (COURT_NOTICE, COURT_REFERRAL_LETTER)}

BODIES = {"court": "人民法院", "police": "公安局", "procuratorate": "人民检察院"}


def place(unit: str) -> str:
    """The place a unit is named by: 通城县, 赤壁市; 咸宁市 for the city."""
    return "咸宁市" if unit == CITY_CODE else COUNTIES[unit].name


def issuer(agency: Agency, unit: str) -> str:
    """The issuing body as printed: 通城县人民法院, 通城县公安局, 咸宁市中级人民法院."""
    if agency == "court" and unit == CITY_CODE:
        return "咸宁市中级人民法院"
    return place(unit) + BODIES[agency]


def number(kind: DocumentKind, unit: str, year: int, sequence: int) -> str:
    """The document's number in its agency's form."""
    short = place(unit)[:2]
    if kind.agency == "court":
        return f"({year}){court_code_of(unit)}{kind.word}{sequence}号"
    if kind.agency == "police":
        return f"{short}公（刑）{kind.word}〔{year}〕{sequence}号"
    return f"{short}检刑{kind.word}〔{year}〕{sequence}号"
