"""Every kind of document the three agencies issue, drawn from a sample record by the drawing its handler uses,
rendered to PDF and read back with pdftotext: the number, the title, the parties and the article cited are on the
page; a page of each is kept as a PNG in test-artifacts/documents/ for a reader."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from liandong.documents import kinds
from liandong.documents.render import Draft, html_of, pdf_of
from liandong_court.service_layer import documents as court
from liandong_police.service_layer import documents as police
from liandong_procuratorate.service_layer import documents as procuratorate
from tests.unit.test_documents import keep_first_page, pdf_text

AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
ISO = AT.isoformat()
DEBTOR = {"suspect_id": "s1", "name": "黎某某", "kind": "person", "id_number": "42122219800101123X"}
HELPER = {"suspect_id": "s2", "name": "郑某某", "kind": "person", "id_number": None}
REFERRAL: Any = SimpleNamespace(
    id="r1",
    lead_id="m1",
    letter_number="(2026)鄂1222执移3号",
    court_unit="421222",
    police_unit="421222",
    enforcement_case_number="(2024)鄂1222执123号",
    suspects=[DEBTOR, HELPER],
    arrived_at=AT,
    registered_at=AT,
    receipt_number="通城公（刑）受字〔2026〕4号",
    declined_at=AT,
    decline_reasons="现有证据不能证明被执行人有履行能力",
)
CASE: Any = SimpleNamespace(
    id="c1",
    correlation_id="m1",
    police_unit="421222",
    case_number="通城公（刑）立字〔2026〕2号",
    suspects=[DEBTOR, HELPER],
    opened_at=AT,
    log=[{"summary": "调取银行流水，查明被执行人转移存款32万元"}],
    withdrawal={"ground": "full_performance", "reasons": "被执行人已全部履行", "decided_at": ISO},
)
REQUEST = {"document_number": "通城公（刑）提捕字〔2026〕1号", "suspects": [DEBTOR], "requested_at": ISO}
TRANSFER = {"document_number": "通城公（刑）诉字〔2026〕1号", "suspect_ids": ["s1", "s2"], "transferred_at": ISO}
REVIEW: Any = SimpleNamespace(
    id="a1",
    correlation_id="m1",
    unit="421222",
    police_unit="421222",
    document_number=REQUEST["document_number"],
    case_number=CASE.case_number,
)
DECIDED = [{**DEBTOR, "decided_at": ISO, "reasons": "有证据证明有犯罪事实", "outline": "查明资金去向"}]
PROSECUTION: Any = SimpleNamespace(
    id="p1",
    correlation_id="m1",
    unit="421222",
    police_unit="421222",
    transfer_number=TRANSFER["document_number"],
    case_number=CASE.case_number,
    defendants=[DEBTOR, HELPER],
    decision={
        "defendant_ids": ["s1"],
        "charges": "被告人黎某某隐匿财产拒不履行",
        "asset_proposal": {"冻结款项": "发还申请执行人"},
        "others": [{"suspect_id": "s2", "name": "郑某某", "reasons": "另案处理"}],
        "reasons": "犯罪情节轻微，已全部履行",
        "at": ISO,
    },
)
SUPERVISION: Any = SimpleNamespace(id="v1", correlation_id="m1", unit="421222", police_unit="421222")
NOTICE = {"reasons": "被执行人转移财产证据确实", "issued_at": ISO, "co_offender": HELPER, "violation": "逾期未答复"}
CONCERNED = {"issued_at": ISO, "document_number": "通城检刑要说〔2026〕1号"}
TRIAL: Any = SimpleNamespace(
    court_unit="421222",
    indictment={"document_number": "通城检刑诉〔2026〕1号"},
    complaint=None,
    received_at=AT,
    court_case_number="(2026)鄂1222刑初5号",
    defendants=[{**DEBTOR, "defendant_id": "s1"}],
    judgment={
        "sentences": [
            {"defendant_id": "s1", "name": "黎某某", "imprisonment_months": 18, "probation_months": 24},
        ],
        "recovered": str(Decimal("320000.00")),
        "judged_at": ISO,
    },
)

DRAWINGS: dict[str, tuple[Callable[[str], Draft], str]] = {
    "police_receipt": (police.receipt(REFERRAL), "黎某某"),
    "police_filing_decision": (police.filing_decision(REFERRAL, CASE), "42122219800101123X"),
    "police_non_filing_notice": (police.non_filing_notice(REFERRAL), "黎某某"),
    "police_arrest_request": (police.arrest_request(CASE, REQUEST), "42122219800101123X"),
    "police_transfer_opinion": (police.transfer_opinion(CASE, TRANSFER), "郑某某"),
    "police_withdrawal_decision": (police.withdrawal_decision(CASE), "黎某某"),
    "arrest_approval": (procuratorate.arrest_decision(REVIEW, DECIDED, approved=True), "42122219800101123X"),
    "arrest_refusal": (procuratorate.arrest_decision(REVIEW, DECIDED, approved=False), "查明资金去向"),
    "explanation_demand": (procuratorate.explanation_demand(SUPERVISION, NOTICE), "通城县公安局"),
    "filing_notice": (procuratorate.filing_notice(SUPERVISION, NOTICE), "郑某某"),
    "correction_notice": (
        procuratorate.correction_notice(SUPERVISION, NOTICE, CONCERNED),
        CONCERNED["document_number"],
    ),
    "prosecution_return": (
        procuratorate.prosecution_return(PROSECUTION, {"return_number": 1, "outline": "补查流水", "returned_at": ISO}),
        "补查流水",
    ),
    "indictment": (procuratorate.indictment(PROSECUTION), "42122219800101123X"),
    "non_prosecution": (procuratorate.non_prosecution(PROSECUTION, "minor"), "第一百七十七条第二款"),
    "judgment": (court.judgment(TRIAL), "有期徒刑1年6个月"),
}


def test_every_kind_an_agency_issues_has_a_drawing_here() -> None:
    assert set(DRAWINGS) | {"court_notice", "court_referral_letter"} == set(kinds.KINDS)


@pytest.mark.parametrize("name", sorted(DRAWINGS))
async def test_each_kind_renders_with_its_number_title_parties_and_article(name: str) -> None:
    kind = kinds.KINDS[name]
    number = kinds.number(kind, "421222", 2026, 7)
    draw, party = DRAWINGS[name]
    draft = draw(number)
    assert draft.kind is kind
    pdf, pages = await pdf_of(html_of(draft))
    assert pdf.startswith(b"%PDF")
    assert pages >= 1
    flat = "".join(pdf_text(pdf).split())
    assert number in flat, f"the number {number}"
    assert kind.title in flat
    assert draft.issuer in flat
    assert draft.addressee.split("；")[0] in flat
    assert "".join(party.split()) in flat, f"the party or fact {party}"
    first_article = kind.legal_basis.split("》")[1].split("条")[0] + "条"
    assert first_article in flat, f"the article {first_article}"
    keep_first_page(pdf, name)


def test_numbers_take_each_agencys_form() -> None:
    assert kinds.number(kinds.POLICE_FILING_DECISION, "421222", 2026, 12) == "通城公（刑）立字〔2026〕12号"
    assert kinds.number(kinds.NON_PROSECUTION, "421222", 2026, 2) == "通城检刑不诉〔2026〕2号"
    assert kinds.number(kinds.JUDGMENT, "421222", 2026, 3) == "(2026)鄂1222刑初3号"
    assert kinds.number(kinds.INDICTMENT, "421281", 2026, 1) == "赤壁检刑诉〔2026〕1号"
