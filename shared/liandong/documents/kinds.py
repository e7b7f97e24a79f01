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
CPL = "《中华人民共和国刑事诉讼法》"
MPS_RULES = "《公安机关办理刑事案件程序规定》"
SPP_RULES = "《人民检察院刑事诉讼规则》"
ART_313 = "《中华人民共和国刑法》第三百一十三条"

POLICE_RECEIPT = DocumentKind("police_receipt", "受案回执", "police", "受字", f"{MPS_RULES}第一百七十一条")
POLICE_FILING_DECISION = DocumentKind(
    "police_filing_decision", "立案决定书", "police", "立字", f"{CPL}第一百一十二条；{MPS_RULES}第一百七十八条"
)
POLICE_NON_FILING_NOTICE = DocumentKind(
    "police_non_filing_notice", "不予立案通知书", "police", "不立字", f"{CPL}第一百一十二条；{MPS_RULES}第一百七十九条"
)
POLICE_ARREST_REQUEST = DocumentKind(
    "police_arrest_request", "提请批准逮捕书", "police", "提捕字", f"{CPL}第八十一条、第八十七条；{ART_313}"
)
POLICE_TRANSFER_OPINION = DocumentKind(
    "police_transfer_opinion", "起诉意见书", "police", "诉字", f"{CPL}第一百六十二条；{ART_313}"
)
POLICE_WITHDRAWAL_DECISION = DocumentKind(
    "police_withdrawal_decision",
    "撤销案件决定书",
    "police",
    "撤案字",
    f"{CPL}第一百六十三条；{MPS_RULES}第一百八十六条",
)
ARREST_APPROVAL = DocumentKind(
    "arrest_approval", "批准逮捕决定书", "procuratorate", "批捕", f"{CPL}第八十一条、第九十条；{ART_313}"
)
ARREST_REFUSAL = DocumentKind(
    "arrest_refusal", "不批准逮捕决定书", "procuratorate", "不捕", f"{CPL}第九十条；{SPP_RULES}第二百八十五条"
)
EXPLANATION_DEMAND = DocumentKind(
    "explanation_demand", "要求说明不立案理由通知书", "procuratorate", "要说", f"{CPL}第一百一十三条"
)
FILING_NOTICE = DocumentKind("filing_notice", "通知立案书", "procuratorate", "通立", f"{CPL}第一百一十三条")
CORRECTION_NOTICE = DocumentKind(
    "correction_notice", "纠正违法通知书", "procuratorate", "纠违", f"{CPL}第八条、第一百条"
)
PROSECUTION_RETURN = DocumentKind(
    "prosecution_return", "退回补充侦查决定书", "procuratorate", "退查", f"{CPL}第一百七十五条第二款"
)
INDICTMENT = DocumentKind("indictment", "起诉书", "procuratorate", "诉", f"{CPL}第一百七十六条；{ART_313}")
NON_PROSECUTION = DocumentKind("non_prosecution", "不起诉决定书", "procuratorate", "不诉", f"{CPL}第一百七十七条")
JUDGMENT = DocumentKind("judgment", "刑事判决书", "court", "刑初", f"{CPL}第二百条；{ART_313}")

KINDS: dict[str, DocumentKind] = {
    k.name: k
    for k in (
        COURT_NOTICE,
        COURT_REFERRAL_LETTER,
        POLICE_RECEIPT,
        POLICE_FILING_DECISION,
        POLICE_NON_FILING_NOTICE,
        POLICE_ARREST_REQUEST,
        POLICE_TRANSFER_OPINION,
        POLICE_WITHDRAWAL_DECISION,
        ARREST_APPROVAL,
        ARREST_REFUSAL,
        EXPLANATION_DEMAND,
        FILING_NOTICE,
        CORRECTION_NOTICE,
        PROSECUTION_RETURN,
        INDICTMENT,
        NON_PROSECUTION,
        JUDGMENT,
    )
}

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
