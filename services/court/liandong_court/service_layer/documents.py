"""The court's papers, drawn from the lead at the moment of the act: the 告知书 served on the debtor (法发〔2025〕8号
Art. 3) and the 移送函 to the police with its list of materials (Art. 4-5). The referral letter names the suspects
with their identity numbers, as a letter asking the police to file a case must; the notice names its addressee."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from liandong.console.labels import VALUES
from liandong.documents.kinds import COURT_NOTICE, COURT_REFERRAL_LETTER, JUDGMENT, issuer, place
from liandong.documents.render import Draft, Drawing, chinese_date, chinese_time, paper, persons, shanghai_day
from liandong.sla.counting import SHANGHAI
from liandong_court.domain.leads import Lead
from liandong_court.domain.referrals import Referral
from liandong_court.domain.trials import Trial
from liandong_court.domain.values import EvidenceFile


def _label(code: str) -> str:
    return VALUES.get(code, code)


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
            f"请你（单位）于{chinese_time(due_at)}前履行上述义务。逾期仍不履行的，本院将依法把案件线索及证据材料"
            "移送公安机关立案侦查。",
            f"本告知书于{chinese_time(served_at)}送达。",
        ),
        issued_on=served_at.astimezone(SHANGHAI).date(),
    )


def referral_letter(lead: Lead, referral: Referral, files: Sequence[EvidenceFile]) -> Draft:
    """移送函: the lead and its evidence sent to the county's police, asking them to file and to answer in writing."""
    suspects = persons({"name": s.name, "id_number": s.id_number} for s in lead.suspects)
    paragraphs = [
        f"本院在执行{lead.enforcement_case_number}一案中，依据{_basis(lead)}，被执行人负有履行义务，"
        f"尚有人民币{_outstanding(lead)}元未履行。经查，{suspects}有能力执行而拒不执行人民法院判决、裁定，"
        "涉嫌拒不执行判决、裁定罪。",
    ]
    if lead.notice_number and lead.notice_served_at:
        paragraphs.append(
            f"本院已于{chinese_time(lead.notice_served_at)}向被执行人送达告知书，文号{lead.notice_number}，"
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


def _months(months: int) -> str:
    years, rest = divmod(months, 12)
    return (f"{years}年" if years else "") + (f"{rest}个月" if rest else "")


def _sentence(s: dict[str, Any]) -> str:
    """One defendant's sentence as a judgment's 判决如下 says it."""
    name = s["name"]
    if s.get("acquitted"):
        return f"被告人{name}无罪（《中华人民共和国刑事诉讼法》第二百条{_label(str(s.get('acquittal_ground')))}）。"
    if s.get("exempt"):
        return f"被告人{name}犯拒不执行判决、裁定罪，免予刑事处罚。"
    parts = []
    if s.get("imprisonment_months"):
        parts.append(f"有期徒刑{_months(int(s['imprisonment_months']))}")
    if s.get("criminal_detention_months"):
        parts.append(f"拘役{_months(int(s['criminal_detention_months']))}")
    if s.get("probation_months"):
        parts.append(f"缓刑{_months(int(s['probation_months']))}")
    if s.get("fine"):
        parts.append(f"{'并处' if parts else ''}罚金人民币{s['fine']}元")
    return f"被告人{name}犯拒不执行判决、裁定罪，判处{'，'.join(parts)}。"


def judgment(trial: Trial) -> Drawing:
    """刑事判决书 (the parts the system knows): the prosecution, the defendants, the judgment and the appeal."""
    judged = trial.judgment or {}
    defendants = {d["defendant_id"]: d for d in trial.defendants}
    named = [defendants.get(s["defendant_id"], s) for s in judged.get("sentences", [])]
    if trial.indictment is not None:
        received = chinese_date(shanghai_day(trial.received_at)) if trial.received_at else ""
        prosecution = (
            f"{issuer('procuratorate', trial.court_unit)}以{trial.indictment.get('document_number', '')}起诉书指控"
            f"被告人犯拒不执行判决、裁定罪，于{received}向本院提起公诉。"
        )
    else:
        complainant = (trial.complaint or {}).get("complainant", "")
        prosecution = f"自诉人{complainant}以被告人犯拒不执行判决、裁定罪，向本院提起自诉。"
    paragraphs = [
        f"被告人：{persons(named)}。",
        prosecution,
        f"本院依法组成合议庭审理了本案（案号{trial.court_case_number or ''}），现已审理终结。",
        "本院认为，依照《中华人民共和国刑法》第三百一十三条、《中华人民共和国刑事诉讼法》第二百条之规定，判决如下：",
        *(_sentence(s) for s in judged.get("sentences", [])),
    ]
    if Decimal(judged.get("recovered") or "0") > 0:
        paragraphs.append(f"责令被告人履行执行义务，已追回执行款人民币{judged['recovered']}元。")
    paragraphs.append("如不服本判决，可在接到判决书的第二日起十日内，通过本院或者直接向咸宁市中级人民法院提出上诉。")
    return paper(JUDGMENT, trial.court_unit, "、".join(d["name"] for d in named), paragraphs, judged["judged_at"])
