"""The procuratorate's papers, drawn from the review or the supervision case at the moment of the act: the
批准逮捕决定书 and the 不批准逮捕决定书 (with its 补充侦查提纲), the 要求说明不立案理由通知书, the 通知立案书 and the
纠正违法通知书 to the police, the 退回补充侦查决定书, the 起诉书 to the court and the 不起诉决定书. A decision on a
person's liberty or a charge names them with their identity number; the notices name the persons of the referral
only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from liandong.documents import kinds
from liandong.documents.kinds import issuer, place
from liandong.documents.render import Drawing, chinese_time, paper, persons
from liandong.documents.store import Placement
from liandong_procuratorate.domain.prosecutions import ProsecutionReview
from liandong_procuratorate.domain.reviews import ArrestReview
from liandong_procuratorate.domain.supervision import SupervisionCase

NON_PROSECUTION_ARTICLES = {
    "insufficient_evidence": "《中华人民共和国刑事诉讼法》第一百七十五条第四款",
    "no_crime": "《中华人民共和国刑事诉讼法》第一百七十七条第一款",
    "minor": "《中华人民共和国刑事诉讼法》第一百七十七条第二款",
    "paid_and_minor": "《中华人民共和国刑事诉讼法》第一百七十七条第二款；法释〔2024〕13号第十一条",
}


def _police(unit: str) -> str:
    return issuer("police", unit)


def of_review(review: ArrestReview) -> Placement:
    return Placement("procuratorate", review.unit, "arrest_review", review.id, review.correlation_id)


def of_prosecution(review: ProsecutionReview) -> Placement:
    return Placement("procuratorate", review.unit, "prosecution_review", review.id, review.correlation_id)


def of_supervision(case: SupervisionCase) -> Placement:
    return Placement("procuratorate", case.unit, "supervision_case", case.id, case.correlation_id)


def arrest_decision(review: ArrestReview, decided: Sequence[Mapping[str, Any]], *, approved: bool) -> Drawing:
    """批准逮捕决定书 for the persons approved, or 不批准逮捕决定书 for those refused, with the reasons and, for a
    refusal, the outline of supplementary investigation (补充侦查提纲)."""
    body = [
        f"你局{review.document_number}提请批准逮捕书（案件编号{review.case_number}）收悉。"
        f"经本院审查认为：{'；'.join(str(s['reasons']) for s in decided)}。",
    ]
    if approved:
        body.append(
            f"根据《中华人民共和国刑事诉讼法》第八十一条、第九十条之规定，决定批准逮捕犯罪嫌疑人{persons(decided)}。"
            "请依法立即执行，并将执行情况在三日以内通知本院。"
        )
    else:
        body.append(
            f"根据《中华人民共和国刑事诉讼法》第九十条之规定，决定不批准逮捕犯罪嫌疑人{persons(decided)}。"
            "请依法执行，并将执行情况在三日以内通知本院。"
        )
        body += [f"补充侦查提纲（{s['name']}）：{s['outline']}" for s in decided if s.get("outline")]
    kind = kinds.ARREST_APPROVAL if approved else kinds.ARREST_REFUSAL
    return paper(kind, review.unit, _police(review.police_unit), body, decided[0]["decided_at"])


def explanation_demand(case: SupervisionCase, notice: Mapping[str, Any]) -> Drawing:
    """要求说明不立案理由通知书: the police to give their reasons for not filing within 7 days."""
    return paper(
        kinds.EXPLANATION_DEMAND,
        case.unit,
        _police(case.police_unit),
        (
            f"{place(case.police_unit)}人民法院移送你局的涉嫌拒不执行判决、裁定案件线索，你局未予立案。"
            f"本院认为：{notice['reasons']}。",
            "根据《中华人民共和国刑事诉讼法》第一百一十三条之规定，请你局在收到本通知书后七日以内，书面说明不立案的理由。",
        ),
        notice["issued_at"],
    )


def filing_notice(case: SupervisionCase, notice: Mapping[str, Any]) -> Drawing:
    """通知立案书: the police to file (the referral's case, or a co-offender's) within 15 days."""
    co_offender = notice.get("co_offender")
    whom = (
        f"对{persons([co_offender])}（{co_offender.get('part_in_scheme') or '共同犯罪'}）涉嫌拒不执行判决、裁定罪"
        if co_offender
        else f"对{place(case.police_unit)}人民法院移送的涉嫌拒不执行判决、裁定案件"
    )
    return paper(
        kinds.FILING_NOTICE,
        case.unit,
        _police(case.police_unit),
        (
            f"本院认为：{notice['reasons']}。",
            f"根据《中华人民共和国刑事诉讼法》第一百一十三条之规定，通知你局{whom}立案侦查，"
            "并在收到本通知书后十五日以内立案，将立案决定书复印件送达本院。",
        ),
        notice["issued_at"],
    )


def correction_notice(case: SupervisionCase, notice: Mapping[str, Any], concerned: Mapping[str, Any]) -> Drawing:
    """纠正违法通知书: a violation found in the police's handling, to be corrected and the correction reported."""
    return paper(
        kinds.CORRECTION_NOTICE,
        case.unit,
        _police(case.police_unit),
        (
            f"本院于{chinese_time(datetime.fromisoformat(concerned['issued_at']))}向你局发出"
            f"{concerned['document_number']}文书。经本院查明，你局存在以下违法情形：{notice['violation']}。",
            "根据《中华人民共和国刑事诉讼法》第八条之规定，请你局依法予以纠正，并将纠正情况书面回复本院。",
        ),
        notice["issued_at"],
    )


def prosecution_return(review: ProsecutionReview, back: Mapping[str, Any]) -> Drawing:
    """退回补充侦查决定书 with its outline, at most twice."""
    return paper(
        kinds.PROSECUTION_RETURN,
        review.unit,
        _police(review.police_unit),
        (
            f"你局{review.transfer_number}移送审查起诉的{persons(review.defendants, with_ids=False)}"
            f"涉嫌拒不执行判决、裁定一案（案件编号{review.case_number}），本院经审查认为需要补充侦查。",
            "根据《中华人民共和国刑事诉讼法》第一百七十五条第二款之规定，决定退回你局补充侦查"
            f"（第{back['return_number']}次），请在一个月以内补充侦查完毕。",
            f"补充侦查提纲：{back['outline']}",
        ),
        back["returned_at"],
    )


def _proposal(proposal: Mapping[str, Any]) -> str:
    """The proposal on the assets involved, as the indictment states it: its text and amount, or its items."""
    if "text" in proposal:
        amount = f"（人民币{proposal['amount']}元）" if proposal.get("amount") else ""
        return f"{proposal['text']}{amount}"
    return "；".join(f"{k}：{v}" for k, v in proposal.items())


def indictment(review: ProsecutionReview) -> Drawing:
    """起诉书 to the county's court: the defendants with their identity numbers, the charge and the proposal on the
    assets involved."""
    decision = review.decision or {}
    chosen = [d for d in review.defendants if d["suspect_id"] in set(decision.get("defendant_ids", []))]
    proposal = decision.get("asset_proposal") or {}
    body = [
        f"被告人：{persons(chosen)}。",
        f"本案由{_police(review.police_unit)}侦查终结，以{review.transfer_number}起诉意见书移送本院审查起诉"
        f"（案件编号{review.case_number}）。",
        f"经依法审查查明：{decision.get('charges', '')}。",
        "本院认为，被告人有能力执行而拒不执行人民法院的判决、裁定，情节严重，其行为触犯了《中华人民共和国刑法》"
        "第三百一十三条之规定，应当以拒不执行判决、裁定罪追究其刑事责任。根据《中华人民共和国刑事诉讼法》"
        "第一百七十六条之规定，提起公诉，请依法判处。",
        *([f"涉案财物处理意见：{_proposal(proposal)}。"] if proposal else []),
        *(f"{o['name']}另案处理：{o['reasons']}。" for o in decision.get("others", [])),
    ]
    return paper(kinds.INDICTMENT, review.unit, issuer("court", review.unit), body, decision["at"])


def non_prosecution(review: ProsecutionReview, ground: str) -> Drawing:
    """不起诉决定书, decided by the chief prosecutor: served on the persons not prosecuted, the police and the
    creditor, who may petition within 7 days (CPL Art. 180)."""
    decision = review.decision or {}
    article = NON_PROSECUTION_ARTICLES.get(ground, "《中华人民共和国刑事诉讼法》第一百七十七条")
    return paper(
        kinds.NON_PROSECUTION,
        review.unit,
        f"被不起诉人{persons(review.defendants, with_ids=False)}；{_police(review.police_unit)}",
        (
            f"被不起诉人：{persons(review.defendants)}。",
            f"本案由{_police(review.police_unit)}侦查终结，以{review.transfer_number}起诉意见书移送本院审查起诉"
            f"（案件编号{review.case_number}）。",
            f"经本院依法审查，{decision.get('reasons', '')}。",
            f"根据{article}之规定，经本院检察长决定，决定对被不起诉人不起诉。",
            "被害人如不服本决定，可以自收到本决定书后七日以内向上一级人民检察院申诉，请求提起公诉；"
            "也可以不经申诉，直接向人民法院起诉。",
        ),
        decision["at"],
    )
