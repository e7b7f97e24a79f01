"""The bureau's papers, drawn from the referral or the case at the moment of the act: the 受案回执 to the court, the
立案决定书 or the 不予立案通知书, the 提请批准逮捕书 and the 起诉意见书 to the procuratorate, the 撤销案件决定书.
Documents that ask for or decide on a person's liberty name the suspects with their identity numbers; the receipt
and the notices to the court name them only."""

from __future__ import annotations

from typing import Any

from liandong.console.labels import VALUES
from liandong.documents import kinds
from liandong.documents.kinds import issuer
from liandong.documents.render import Drawing, chinese_time, paper, persons
from liandong.documents.store import Placement
from liandong_police.domain.cases import Case
from liandong_police.domain.model import Referral


def _court(referral: Referral) -> str:
    return issuer("court", referral.court_unit)


def _procuratorate(case: Case) -> str:
    """The county's procuratorate, which reviews the bureau's arrests and prosecutions."""
    return issuer("procuratorate", case.police_unit)


def of_referral(referral: Referral) -> Placement:
    return Placement("police", referral.police_unit, "referral", referral.id, referral.lead_id)


def of_case(case: Case) -> Placement:
    return Placement("police", case.police_unit, "case", case.id, case.correlation_id)


def receipt(referral: Referral) -> Drawing:
    """受案回执: the court's letter received and registered."""
    return paper(
        kinds.POLICE_RECEIPT,
        referral.police_unit,
        _court(referral),
        (
            f"你院{referral.letter_number}移送函及所附案件线索、证据材料（执行案号{referral.enforcement_case_number}）"
            f"已于{chinese_time(referral.arrived_at)}收到，本局已受案登记。",
            f"涉嫌人员：{persons(referral.suspects, with_ids=False)}。",
            "本局将依法审查，并将是否立案的决定书面告知你院。",
        ),
        referral.registered_at or referral.arrived_at,
    )


def filing_decision(referral: Referral, case: Case) -> Drawing:
    """立案决定书: the case filed on the court's referral."""
    return paper(
        kinds.POLICE_FILING_DECISION,
        case.police_unit,
        _court(referral),
        (
            f"根据《中华人民共和国刑事诉讼法》第一百一十二条之规定，本局决定对{persons(case.suspects)}"
            "涉嫌拒不执行判决、裁定罪一案立案侦查。",
            f"案件来源：{_court(referral)}{referral.letter_number}移送函（执行案号{referral.enforcement_case_number}）。",
            f"立案时间：{chinese_time(case.opened_at)}。",
        ),
        case.opened_at,
    )


def non_filing_notice(referral: Referral) -> Drawing:
    """不予立案通知书: the referral declined, with the reasons, to the court that referred it."""
    return paper(
        kinds.POLICE_NON_FILING_NOTICE,
        referral.police_unit,
        _court(referral),
        (
            f"你院{referral.letter_number}移送的{persons(referral.suspects, with_ids=False)}"
            "涉嫌拒不执行判决、裁定一案，本局经审查认为：",
            f"{referral.decline_reasons}。",
            "根据《中华人民共和国刑事诉讼法》第一百一十二条之规定，决定不予立案。"
            "如不服本决定，可以在收到本通知书之日起七日以内向本局申请复议；你院也可以请求人民检察院进行立案监督。",
        ),
        referral.declined_at or referral.arrived_at,
    )


def arrest_request(case: Case, request: dict[str, Any]) -> Drawing:
    """提请批准逮捕书: the persons named, with their identity numbers, the facts found and the grounds."""
    facts = [str(entry["summary"]).strip() for entry in case.log][-5:]
    return paper(
        kinds.POLICE_ARREST_REQUEST,
        case.police_unit,
        _procuratorate(case),
        (
            f"犯罪嫌疑人{persons(request['suspects'])}涉嫌拒不执行判决、裁定罪，"
            f"本局于{chinese_time(case.opened_at)}立案侦查（案件编号{case.case_number}）。",
            *([f"经侦查查明：{'；'.join(facts)}。"] if facts else []),
            "犯罪嫌疑人有能力执行而拒不执行人民法院判决、裁定，情节严重，可能判处徒刑以上刑罚，"
            "采取取保候审尚不足以防止发生社会危险性。",
            "根据《中华人民共和国刑事诉讼法》第八十一条、第八十七条之规定，特提请批准逮捕。",
        ),
        request["requested_at"],
    )


def transfer_opinion(case: Case, transfer: dict[str, Any]) -> Drawing:
    """起诉意见书: the case to the procuratorate, recommending prosecution of the suspects named."""
    named = [s for s in case.suspects if s["suspect_id"] in set(transfer["suspect_ids"])]
    return paper(
        kinds.POLICE_TRANSFER_OPINION,
        case.police_unit,
        _procuratorate(case),
        (
            f"犯罪嫌疑人{persons(named)}涉嫌拒不执行判决、裁定罪一案，"
            f"本局于{chinese_time(case.opened_at)}立案侦查（案件编号{case.case_number}），现已侦查终结。",
            "犯罪嫌疑人有能力执行而拒不执行人民法院判决、裁定，情节严重，其行为已触犯"
            "《中华人民共和国刑法》第三百一十三条之规定，涉嫌拒不执行判决、裁定罪。",
            "依照《中华人民共和国刑事诉讼法》第一百六十二条之规定，现将此案移送审查起诉。",
        ),
        transfer["transferred_at"],
    )


def withdrawal_decision(case: Case) -> Drawing:
    """撤销案件决定书: the case withdrawn, with the ground and the reasons, served on the court."""
    withdrawal = case.withdrawal or {}
    return paper(
        kinds.POLICE_WITHDRAWAL_DECISION,
        case.police_unit,
        issuer("court", case.police_unit),
        (
            f"本局侦查的{persons(case.suspects, with_ids=False)}涉嫌拒不执行判决、裁定一案"
            f"（案件编号{case.case_number}），经侦查，{withdrawal.get('reasons', '')}。",
            "根据《中华人民共和国刑事诉讼法》第一百六十三条、《公安机关办理刑事案件程序规定》第一百八十六条"
            f"之规定（{VALUES.get(str(withdrawal.get('ground')), withdrawal.get('ground'))}），决定撤销此案。",
        ),
        withdrawal["decided_at"],
    )
