"""The court's papers, drawn from the lead at the moment of the act: the 告知书 served on the debtor (法发〔2025〕8号
Art. 3) and the 移送函 to the police with its list of materials (Art. 4-5). The referral letter names the suspects
with their identity numbers, as a letter asking the police to file a case must; the notice names its addressee."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from liandong.console.labels import VALUES
from liandong.documents.kinds import COURT_NOTICE, COURT_REFERRAL_LETTER, issuer, place
from liandong.documents.render import Draft, chinese_date
from liandong.sla.counting import SHANGHAI
from liandong_court.domain.leads import Lead
from liandong_court.domain.referrals import Referral
from liandong_court.domain.values import EvidenceFile


def _label(code: str) -> str:
    return VALUES.get(code, code)


def _shanghai(at: datetime) -> str:
    local = at.astimezone(SHANGHAI)
    return f"{chinese_date(local.date())}{local:%H时%M分}"


def _outstanding(lead: Lead) -> Decimal:
    return max(lead.amount_owed - lead.amount_paid, Decimal("0.00"))


def _debtor(lead: Lead) -> str:
    debtors = [s.name for s in lead.suspects if s.role == "debtor"] or [s.name for s in lead.suspects]
    return "、".join(debtors)


def _basis(lead: Lead) -> str:
    return lead.enforcement_basis or "已经发生法律效力的判决、裁定"


def notice(lead: Lead, number: str, served_at: datetime, due_at: datetime) -> Draft:
    """告知书: the debtor is told that refusing to perform may be a crime, and given the window to perform."""
    creditor = f"申请执行人{lead.creditor}" if lead.creditor else "申请执行人"
    return Draft(
        kind=COURT_NOTICE,
        issuer=issuer("court", lead.unit),
        number=number,
        addressee=_debtor(lead),
        paragraphs=(
            f"本院在执行{creditor}申请执行的{lead.enforcement_case_number}一案中，依据{_basis(lead)}，"
            f"你（单位）负有履行义务，尚有人民币{_outstanding(lead)}元未履行。",
            "现依法告知：有能力执行而拒不执行人民法院判决、裁定，情节严重的，构成拒不执行判决、裁定罪，"
            "依法追究刑事责任。",
            f"请你（单位）于{_shanghai(due_at)}前履行上述义务。逾期仍不履行的，本院将依法把案件线索及证据材料"
            "移送公安机关立案侦查。",
            f"本告知书于{_shanghai(served_at)}送达。",
        ),
        issued_on=served_at.astimezone(SHANGHAI).date(),
    )


def referral_letter(lead: Lead, referral: Referral, files: Sequence[EvidenceFile]) -> Draft:
    """移送函: the lead and its evidence sent to the county's police, asking them to file and to answer in writing."""
    suspects = "；".join(f"{s.name}（公民身份号码{s.id_number}）" if s.id_number else s.name for s in lead.suspects)
    paragraphs = [
        f"本院在执行{lead.enforcement_case_number}一案中，依据{_basis(lead)}，被执行人负有履行义务，"
        f"尚有人民币{_outstanding(lead)}元未履行。经查，{suspects}有能力执行而拒不执行人民法院判决、裁定，"
        "涉嫌拒不执行判决、裁定罪。",
    ]
    if lead.notice_number and lead.notice_served_at:
        paragraphs.append(
            f"本院已于{_shanghai(lead.notice_served_at)}向被执行人送达告知书，文号{lead.notice_number}，"
            "告知期满仍未履行。"
        )
    if referral.override_reason:
        paragraphs.append(f"经本院刑事审判法官审查，决定移送：{referral.override_reason}。")
    for evidence_class, why in referral.missing_evidence.items():
        paragraphs.append(f"{_label(evidence_class)}方面的证据尚待补充：{why}。")
    paragraphs.append(
        "现将案件线索及证据材料移送你局，请依法审查立案，并将是否立案的决定书面告知本院。材料清单附后，"
        "各文件可凭其SHA-256摘要向本院调取、核验。"
    )
    rows = tuple(
        (str(i), _label(f.evidence_class), _label(f.evidence_type), f.filename) for i, f in enumerate(files, start=1)
    )
    return Draft(
        kind=COURT_REFERRAL_LETTER,
        issuer=issuer("court", lead.unit),
        number=referral.letter_number,
        addressee=f"{place(referral.police_unit)}公安局",
        paragraphs=tuple(paragraphs),
        issued_on=referral.submitted_at.astimezone(SHANGHAI).date(),
        attachment_title="移送材料清单",
        attachment_columns=("序号", "证据类别", "种类", "文件"),
        attachment_rows=rows,
        attachment_digests=tuple(f.sha256 for f in files),
    )
