"""The deadline catalogue: every legal or agreed window the trackers watch, in one place a reader can audit.

Each kind names its window and unit, whether the period may extend past a holiday (custody periods never do), its
extension rule, whether the law restarts it, the warnings before expiry, and the text of its legal basis.
Abbreviations in the basis texts: 刑事诉讼法 (CPL), 《公安机关办理刑事案件程序规定》 (MPS Rules),
《人民检察院刑事诉讼规则》 (SPP Rules), 最高法《关于适用〈中华人民共和国刑事诉讼法〉的解释》 (SPC Interpretation).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """The names of the deadline kinds: workflows name a kind by these, never by a string typed again."""

    DEBTOR_PERFORMANCE = "debtor_performance"
    POLICE_FILING_DECISION = "police_filing_decision"
    POLICE_NON_FILING_NOTICE = "police_non_filing_notice"
    POLICE_INVESTIGATION = "police_investigation"
    POLICE_ARREST_REQUEST = "police_arrest_request"
    POLICE_ARREST_EXECUTION = "police_arrest_execution"
    POLICE_ARREST_RECEIPT = "police_arrest_receipt"
    POLICE_INVESTIGATION_CUSTODY = "police_investigation_custody"
    POLICE_EXPLAIN_NON_FILING = "police_explain_non_filing"
    POLICE_FILE_AFTER_NOTICE = "police_file_after_notice"
    ARREST_REVIEW_DETAINED = "arrest_review_detained"
    ARREST_REVIEW_NOT_DETAINED = "arrest_review_not_detained"
    ARREST_RECONSIDERATION = "arrest_reconsideration"
    ARREST_REVIEW_AT_NEXT_LEVEL = "arrest_review_at_next_level"
    POLICE_RECONSIDERATION_REQUEST = "police_reconsideration_request"
    VICTIM_PETITION_PERIOD = "victim_petition_period"
    PROSECUTION_REVIEW = "prosecution_review"
    PROSECUTION_REVIEW_FAST_TRACK = "prosecution_review_fast_track"
    POLICE_SUPPLEMENTARY_INVESTIGATION = "police_supplementary_investigation"
    POLICE_WITHDRAWAL_NOTICE = "police_withdrawal_notice"
    JUDGMENT_APPEAL_PERIOD = "judgment_appeal_period"
    PUBLIC_PROSECUTION_ACCEPTANCE = "public_prosecution_acceptance"
    PRIVATE_PROSECUTION_ACCEPTANCE = "private_prosecution_acceptance"
    TRIAL_PERIOD = "trial_period"
    PUBLIC_PROSECUTION_MATERIALS = "public_prosecution_materials"
    PRIVATE_TRIAL_AT_LIBERTY = "private_trial_at_liberty"


class WindowUnit(StrEnum):
    DAYS = "days"
    MONTHS = "months"


DEFAULT_WARNINGS_HOURS: tuple[int, ...] = (48, 24)


@dataclass(frozen=True)
class DeadlineKind:
    name: str
    owner: str  # the agency whose duty it is; another agency may track a mirror of it
    title: str
    window: int
    unit: WindowUnit
    legal_basis: str
    custody: bool = False  # custody periods never roll forward past a holiday
    max_window: int | None = None  # the longest the window may be extended to (same unit), if it may be
    max_extra_days: int = 0  # or: how many days may be added on top of the window
    extension_rule: str | None = None
    restartable: bool = False
    max_restarts: int = 0
    restart_rule: str | None = None
    warnings_hours: tuple[int, ...] = DEFAULT_WARNINGS_HOURS
    configurable: bool = False  # a local agreement, not a statute: ops may set the window

    @property
    def extendable(self) -> bool:
        return (self.max_window is not None and self.max_window > self.window) or self.max_extra_days > 0


CATALOGUE: dict[str, DeadlineKind] = {
    k.name: k
    for k in (
        DeadlineKind(
            name=Kind.DEBTOR_PERFORMANCE,
            owner="court",
            title="被执行人收到《涉嫌拒执犯罪告知书》后履行义务",
            window=5,
            unit=WindowUnit.DAYS,
            legal_basis="地方做法：责令被执行人五日内履行生效法律文书确定的义务，逾期移送公安机关（咸宁法院专项行动）",
            configurable=True,
        ),
        DeadlineKind(
            name=Kind.POLICE_FILING_DECISION,
            owner="police",
            title="公安机关对法院移送的拒执案件作出是否立案的决定（自接受移送之日起）",
            window=7,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "法发〔2025〕8号 第五条：对人民法院移送涉嫌拒不执行判决、裁定罪的刑事案件材料，公安机关应当接受，"
                "制作受案登记表并出具回执。公安机关经审查认为符合立案条件的，应当在七日内立案侦查；案情重大疑难复杂的，"
                "审查期限可以延长至三十日。经审查认为不符合立案条件的，应当在审查期限内作出不予立案决定，"
                "并将不予立案通知书送达移送案件的人民法院。"
            ),
            max_window=30,
            extension_rule="案情重大疑难复杂的，审查期限可以延长至三十日（法发〔2025〕8号 第五条）",
        ),
        DeadlineKind(
            name=Kind.POLICE_NON_FILING_NOTICE,
            owner="police",
            title="公安机关将不予立案通知书送达移送法院（在审查期限内，且不迟于决定后七日）",
            window=7,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "法发〔2025〕8号 第五条：经审查认为不符合立案条件的，应当在审查期限内作出不予立案决定，"
                "并将不予立案通知书送达移送案件的人民法院。法发〔2025〕8号：公安机关不予立案或者立案后撤销案件的，"
                "应当在七日内函告执行法院并说明理由。"
            ),
        ),
        DeadlineKind(
            name=Kind.POLICE_INVESTIGATION,
            owner="police",
            title="公安机关立案后完成侦查取证（联动机制的工作目标）",
            window=7,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "地方工作目标，非法定期限：联动机制约定立案后七日内完成侦查取证（咸宁市专项行动中，县公安局7日内完成"
                "侦查取证）。刑事诉讼法未规定此期限；由运维按本地协议配置。提请批准逮捕或者移送审查起诉即达成，"
                "撤回移送或者撤销案件即取消。"
            ),
            configurable=True,
        ),
        DeadlineKind(
            name=Kind.POLICE_ARREST_REQUEST,
            owner="police",
            title="公安机关对被拘留的犯罪嫌疑人提请审查批准逮捕（自拘留时起）",
            window=3,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "《中华人民共和国刑事诉讼法》第九十一条第一款、第二款：公安机关对被拘留的人，认为需要逮捕的，应当在拘留后的"
                "三日以内，提请人民检察院审查批准。在特殊情况下，提请审查批准的时间可以延长一日至四日。对于流窜作案、"
                "多次作案、结伙作案的重大嫌疑分子，提请审查批准的时间可以延长至三十日。另见《公安机关办理刑事案件程序规定》"
                "第一百二十九条。拘留期间属羁押期间，期满日为节假日的不顺延（刑事诉讼法第一百零五条）。"
            ),
            custody=True,
            max_window=30,
            max_extra_days=4,
            extension_rule=(
                "特殊情况下延长一日至四日；流窜作案、多次作案、结伙作案的重大嫌疑分子延长至三十日（刑事诉讼法第九十一条）"
            ),
        ),
        DeadlineKind(
            name=Kind.POLICE_ARREST_EXECUTION,
            owner="police",
            title="公安机关对不批准逮捕的犯罪嫌疑人立即释放或者变更强制措施，并送达执行回执（自收到不批准逮捕决定书时起）",
            window=3,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "《中华人民共和国刑事诉讼法》第九十条：公安机关对于人民检察院的决定，应当立即执行，并且将执行情况及时"
                "通知人民检察院。《公安机关办理刑事案件程序规定》第一百四十一条：对人民检察院不批准逮捕的，应当立即释放"
                "或者变更强制措施，并在收到不批准逮捕决定书后三日以内将执行回执送达作出不批准逮捕决定的人民检察院。"
            ),
        ),
        DeadlineKind(
            name=Kind.POLICE_ARREST_RECEIPT,
            owner="police",
            title="公安机关执行逮捕后送达执行回执（自执行时起）",
            window=3,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "《公安机关办理刑事案件程序规定》第一百四十条：接到人民检察院批准逮捕决定书后，应当由县级以上公安机关"
                "负责人签发逮捕证，立即执行，并将执行回执送达作出批准逮捕决定的人民检察院。第一百四十二条：执行逮捕后，"
                "应当在三日以内将执行回执送达人民检察院；未能抓获犯罪嫌疑人的，应当将执行情况和未能抓获的原因通知人民"
                "检察院（另见《人民检察院刑事诉讼规则》第二百八十六条）。逮捕本身应当立即执行，法律未规定日数。"
            ),
        ),
        DeadlineKind(
            name=Kind.POLICE_INVESTIGATION_CUSTODY,
            owner="police",
            title="逮捕后的侦查羁押期限（每名犯罪嫌疑人，自逮捕执行时起；移送审查起诉即达成）",
            window=2,
            unit=WindowUnit.MONTHS,
            legal_basis=(
                "《中华人民共和国刑事诉讼法》第一百五十六条：对犯罪嫌疑人逮捕后的侦查羁押期限不得超过二个月。案情复杂、"
                "期限届满不能终结的案件，可以经上一级人民检察院批准延长一个月。第一百五十八条：下列案件在本法第一百五十六条"
                "规定的期限届满不能侦查终结的，经省、自治区、直辖市人民检察院批准或者决定，可以延长二个月。第一百五十九条："
                "对犯罪嫌疑人可能判处十年有期徒刑以上刑罚，依照本法第一百五十八条规定延长期限届满，仍不能侦查终结的，经省、"
                "自治区、直辖市人民检察院批准或者决定，可以再延长二个月。羁押期间，期满日为节假日的不顺延（第一百零五条）。"
            ),
            custody=True,
            max_window=7,
            extension_rule=(
                "经上一级人民检察院批准延长一个月（第一百五十六条）；经省级人民检察院批准再延长二个月（第一百五十八条）；"
                "可能判处十年有期徒刑以上刑罚的，再延长二个月（第一百五十九条）"
            ),
        ),
        DeadlineKind(
            name=Kind.POLICE_EXPLAIN_NON_FILING,
            owner="police",
            title="公安机关收到《要求说明不立案理由通知书》后书面说明理由",
            window=7,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "法发〔2025〕8号：人民检察院经审查，认为公安机关应当立案侦查而不立案侦查的，应当要求公安机关书面说明"
                "不立案的理由。公安机关应当在收到通知书后七日以内，书面说明不立案的情况、依据和理由，连同有关证据材料"
                "回复人民检察院。另见《公安机关办理刑事案件程序规定》第一百八十二条、《人民检察院刑事诉讼规则》第五百六十条。"
            ),
        ),
        DeadlineKind(
            name=Kind.POLICE_FILE_AFTER_NOTICE,
            owner="police",
            title="公安机关收到《通知立案书》后立案",
            window=15,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "法发〔2025〕8号：人民检察院经审查，认为公安机关不立案理由不能成立的，经检察长决定，应当通知公安机关立案，"
                "公安机关应当在收到通知书后十五日以内立案。另见《公安机关办理刑事案件程序规定》第一百八十二条、"
                "《人民检察院刑事诉讼规则》第五百六十三条。"
            ),
        ),
        DeadlineKind(
            name=Kind.ARREST_REVIEW_DETAINED,
            owner="procuratorate",
            title="审查批准逮捕（犯罪嫌疑人已被拘留）",
            window=7,
            unit=WindowUnit.DAYS,
            legal_basis="《中华人民共和国刑事诉讼法》第九十一条第三款：人民检察院应当自接到公安机关提请批准逮捕书后的七日以内"
            "作出批准逮捕或者不批准逮捕的决定",
            custody=True,
        ),
        DeadlineKind(
            name=Kind.ARREST_REVIEW_NOT_DETAINED,
            owner="procuratorate",
            title="审查批准逮捕（犯罪嫌疑人未被拘留）",
            window=15,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "《人民检察院刑事诉讼规则》第二百八十二条：对公安机关提请批准逮捕的犯罪嫌疑人，已被拘留的，人民检察院"
                "应当在收到提请批准逮捕书后的七日以内作出是否批准逮捕的决定；未被拘留的，应当在收到提请批准逮捕书后的"
                "十五日以内作出是否批准逮捕的决定，重大、复杂案件，不得超过二十日。"
            ),
            max_window=20,
            extension_rule="重大、复杂案件不得超过二十日",
        ),
        DeadlineKind(
            name=Kind.ARREST_RECONSIDERATION,
            owner="procuratorate",
            title="人民检察院对公安机关要求复议的不批准逮捕决定作出复议决定",
            window=7,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "《中华人民共和国刑事诉讼法》第九十二条：公安机关对人民检察院不批准逮捕的决定，认为有错误的时候，可以要求"
                "复议。《人民检察院刑事诉讼规则》第二百九十条：对公安机关要求复议的不批准逮捕案件，人民检察院应当另行指派"
                "检察官审查，在收到要求复议意见书和案卷材料后七日以内作出是否变更的决定，通知公安机关。"
            ),
        ),
        DeadlineKind(
            name=Kind.ARREST_REVIEW_AT_NEXT_LEVEL,
            owner="procuratorate",
            title="上一级人民检察院对公安机关提请复核的不批准逮捕决定作出复核决定",
            window=15,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "《中华人民共和国刑事诉讼法》第九十二条：如果意见不被接受，可以向上一级人民检察院提请复核。上级人民检察院"
                "应当立即复核，作出是否变更的决定，通知下级人民检察院和公安机关执行。《人民检察院刑事诉讼规则》第二百九十"
                "一条：上一级人民检察院应当在收到提请复核意见书和案卷材料后十五日以内作出是否变更的决定。"
            ),
        ),
        DeadlineKind(
            name=Kind.POLICE_RECONSIDERATION_REQUEST,
            owner="police",
            title="公安机关要求复议或者提请复核的期限（自收到不批准逮捕决定书或者复议决定书时起；不跟踪，仅用于审查）",
            window=5,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "《公安机关办理刑事案件程序规定》第一百四十三条：对人民检察院不批准逮捕的决定，认为有错误需要复议的，应当在"
                "收到不批准逮捕决定书后五日以内制作要求复议意见书，报经县级以上公安机关负责人批准后，送交同级人民检察院"
                "复议。第一百四十四条：如果意见不被接受，认为需要复核的，应当在收到人民检察院的复议决定书后五日以内制作"
                "提请复核意见书，报经县级以上公安机关负责人批准后，连同人民检察院的复议决定书，一并提请上一级人民检察院复核。"
            ),
        ),
        DeadlineKind(
            name=Kind.VICTIM_PETITION_PERIOD,
            owner="procuratorate",
            title="被害人（申请执行人）不服不起诉决定的申诉期限（自收到不起诉决定书后；不跟踪，仅用于审查）",
            window=7,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "《中华人民共和国刑事诉讼法》第一百八十条：对于有被害人的案件，决定不起诉的，人民检察院应当将不起诉决定书"
                "送达被害人。被害人如果不服，可以自收到决定书后七日以内向上一级人民检察院申诉，请求提起公诉。人民检察院"
                "应当将复查决定告知被害人。对人民检察院维持不起诉决定的，被害人可以向人民法院起诉。被害人也可以不经申诉，"
                "直接向人民法院起诉。"
            ),
        ),
        DeadlineKind(
            name=Kind.PROSECUTION_REVIEW,
            owner="procuratorate",
            title="审查起诉",
            window=1,
            unit=WindowUnit.MONTHS,
            legal_basis="《中华人民共和国刑事诉讼法》第一百七十二条：一个月以内作出决定，重大、复杂的案件可以延长十五日；"
            "第一百七十五条：补充侦查完毕移送人民检察院后，人民检察院重新计算审查起诉期限；补充侦查以二次为限",
            max_extra_days=15,
            extension_rule="重大、复杂案件可以延长十五日（在一个月之后另计十五日）",
            restartable=True,
            max_restarts=2,
            restart_rule="退回补充侦查后重新移送的，重新计算审查起诉期限；补充侦查以二次为限",
        ),
        DeadlineKind(
            name=Kind.PROSECUTION_REVIEW_FAST_TRACK,
            owner="procuratorate",
            title="审查起诉（认罪认罚，适用速裁程序）",
            window=10,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "《中华人民共和国刑事诉讼法》第一百七十二条第一款：犯罪嫌疑人认罪认罚，符合速裁程序适用条件的，应当在十日以内"
                "作出决定，对可能判处的有期徒刑超过一年的，可以延长至十五日。"
            ),
            max_window=15,
            extension_rule="可能判处的有期徒刑超过一年的，可以延长至十五日",
            restartable=True,
            max_restarts=2,
            restart_rule="退回补充侦查后重新移送的，重新计算审查起诉期限；补充侦查以二次为限",
        ),
        DeadlineKind(
            name=Kind.POLICE_SUPPLEMENTARY_INVESTIGATION,
            owner="police",
            title="公安机关补充侦查（人民检察院退回补充侦查）",
            window=1,
            unit=WindowUnit.MONTHS,
            legal_basis=(
                "《中华人民共和国刑事诉讼法》第一百七十五条第三款：对于补充侦查的案件，应当在一个月以内补充侦查完毕。"
                "补充侦查以二次为限。补充侦查完毕移送人民检察院后，人民检察院重新计算审查起诉期限。"
            ),
        ),
        DeadlineKind(
            name=Kind.POLICE_WITHDRAWAL_NOTICE,
            owner="police",
            title="公安机关撤销案件后函告移送法院并说明理由",
            window=7,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "法发〔2025〕8号：公安机关不予立案或者立案后撤销案件的，应当在七日内函告执行法院并说明理由。"
                "另见《公安机关办理刑事案件程序规定》第一百八十六条（撤销案件经县级以上公安机关负责人批准）。"
            ),
        ),
        DeadlineKind(
            name=Kind.JUDGMENT_APPEAL_PERIOD,
            owner="court",
            title="不服判决的上诉、抗诉期限（自接到判决书的第二日起算）",
            window=10,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "《中华人民共和国刑事诉讼法》第二百三十条：不服判决的上诉和抗诉的期限为十日，不服裁定的上诉和抗诉的期限为五日，"
                "从接到判决书、裁定书的第二日起算。期满未上诉、抗诉的，判决发生法律效力。"
            ),
        ),
        DeadlineKind(
            name=Kind.PUBLIC_PROSECUTION_ACCEPTANCE,
            owner="court",
            title="人民法院对提起公诉的案件审查决定是否受理",
            window=7,
            unit=WindowUnit.DAYS,
            legal_basis="最高人民法院《关于适用〈中华人民共和国刑事诉讼法〉的解释》第二百一十九条",
        ),
        DeadlineKind(
            name=Kind.PUBLIC_PROSECUTION_MATERIALS,
            owner="procuratorate",
            title="人民检察院按人民法院通知补送起诉材料（法院跟踪）",
            window=3,
            unit=WindowUnit.DAYS,
            legal_basis=(
                "最高人民法院《关于适用〈中华人民共和国刑事诉讼法〉的解释》第二百一十九条：人民法院对提起公诉的案件审查后，"
                "……起诉书、证据材料等不齐全的，应当通知人民检察院在三日以内补送；……不属于本院管辖的，应当退回人民检察院。"
            ),
        ),
        DeadlineKind(
            name=Kind.TRIAL_PERIOD,
            owner="court",
            title="人民法院审理公诉案件（及被告人被羁押的自诉案件）的审理期限（自受理时起）",
            window=2,
            unit=WindowUnit.MONTHS,
            legal_basis=(
                "《中华人民共和国刑事诉讼法》第二百零八条第一款：人民法院审理公诉案件，应当在受理后二个月以内宣判，至迟"
                "不得超过三个月。对于可能判处死刑的案件或者附带民事诉讼的案件，以及有本法第一百五十八条规定情形之一的，"
                "经上一级人民法院批准，可以延长三个月；因特殊情况还需要延长的，报请最高人民法院批准。第二百一十二条第二款："
                "人民法院审理自诉案件的期限，被告人被羁押的，适用本法第二百零八条第一款、第二款的规定。"
            ),
            max_window=6,
            extension_rule="至迟不超过三个月；经上一级人民法院批准，可以再延长三个月（刑事诉讼法第二百零八条）",
        ),
        DeadlineKind(
            name=Kind.PRIVATE_TRIAL_AT_LIBERTY,
            owner="court",
            title="人民法院审理被告人未被羁押的自诉案件的审理期限（自受理时起）",
            window=6,
            unit=WindowUnit.MONTHS,
            legal_basis=(
                "《中华人民共和国刑事诉讼法》第二百一十二条第二款：人民法院审理自诉案件的期限，被告人被羁押的，适用本法"
                "第二百零八条第一款、第二款的规定；未被羁押的，应当在受理后六个月以内宣判。"
            ),
        ),
        DeadlineKind(
            name=Kind.PRIVATE_PROSECUTION_ACCEPTANCE,
            owner="court",
            title="人民法院对自诉案件审查决定是否立案",
            window=15,
            unit=WindowUnit.DAYS,
            legal_basis="最高人民法院《关于适用〈中华人民共和国刑事诉讼法〉的解释》第三百二十条",
        ),
    )
}


NOTICE_SUBJECT = "supervision_notice"
"""The subject of the police's window to answer a notice of the procuratorate (立案监督), by the notice's id: the police
own the window, the procuratorate reads it as a peer window by this subject."""
NOTICE_WINDOWS = {
    "explanation_demand": Kind.POLICE_EXPLAIN_NON_FILING,  # 要求说明不立案理由通知书
    "filing_notice": Kind.POLICE_FILE_AFTER_NOTICE,  # 通知立案书
}
"""The window each kind of notice gives the police to answer it."""


class UnknownKind(ValueError):
    pass


def kind(name: str) -> DeadlineKind:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise UnknownKind(f"unknown deadline kind {name!r}; known kinds: {', '.join(sorted(CATALOGUE))}") from None
