"""The rules of a matter's end in each agency's domain: what a sentence may be, how a prosecution review moves, when
the bureau may transfer or withdraw a case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from liandong.errors import Conflict, DomainError
from liandong.sla.kinds import Kind
from liandong_court.domain.trials import Trial, TrialStatus, check_sentence
from liandong_court.service_layer.trial_handlers import trial_period
from liandong_police.domain.cases import Case, CaseStatus
from liandong_procuratorate.domain.prosecutions import ProsecutionReview

AT = datetime(2025, 10, 9, 2, 0, tzinfo=UTC)
PERSON = {"name": "祁某某", "kind": "person"}
UNIT = {"name": "武汉某建筑工程有限公司", "kind": "unit"}


@pytest.mark.parametrize(
    "sentence",
    [
        {"imprisonment_months": 30},  # the basic tier: imprisonment of at most three years …
        {"criminal_detention_months": 5, "probation_months": 8},  # … or criminal detention …
        {"fine": "20000"},  # … or a fine alone
        {"imprisonment_months": 36, "probation_months": 48},
        {"imprisonment_months": 36, "fine": "30000"},  # three years is also the floor of the especially serious tier
        {"imprisonment_months": 84, "fine": "50000"},  # the especially serious tier: 3 to 7 years and a fine
        {"exempt": True},  # Criminal Law Art. 37
        {"acquitted": True, "acquittal_ground": "insufficient_evidence"},  # CPL Art. 200(3)
        {"acquitted": True, "acquittal_ground": "not_a_crime"},  # CPL Art. 200(2)
    ],
)
def test_criminal_law_313_sentences_the_law_allows_a_person(sentence: dict[str, Any]) -> None:
    check_sentence(PERSON, sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        {"imprisonment_months": 85},  # Criminal Law Art. 313: at most seven years
        {"imprisonment_months": 5},  # Art. 45: at least six months
        {"criminal_detention_months": 7},  # Art. 42: one to six months
        {"imprisonment_months": 24, "criminal_detention_months": 3},  # one principal penalty
        {"imprisonment_months": 48, "probation_months": 60},  # Art. 72: probation for at most three years
        {"imprisonment_months": 30, "probation_months": 24},  # Art. 73: not shorter than the sentence
        {"criminal_detention_months": 3, "probation_months": 13},  # Art. 73: at most a year for detention
        {"exempt": True, "fine": "1000"},
        {},
        {"fine": "0"},
        {"imprisonment_months": 48},  # more than three years: the especially serious tier, with a fine
        {"imprisonment_months": 24, "fine": "10000"},  # the basic tier's fine is imposed alone
        {"criminal_detention_months": 3, "fine": "5000"},  # nor added to criminal detention
        {"acquitted": True},  # an acquittal gives its ground
        {"acquitted": True, "acquittal_ground": "insufficient_evidence", "fine": "1"},
        {"acquitted": True, "acquittal_ground": "not_a_crime", "exempt": True},
        {"acquittal_ground": "not_a_crime", "imprisonment_months": 12},
    ],
)
def test_criminal_law_313_sentences_the_law_does_not_allow_a_person(sentence: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as caught:
        check_sentence(PERSON, sentence)
    assert caught.value.code == "invalid_sentence"


def test_a_unit_is_fined_exempted_or_acquitted_and_nothing_else() -> None:
    """Criminal Law Art. 313(2) and Art. 37; the 2024 interpretation Art. 11: a unit may be exempted."""
    check_sentence(UNIT, {"fine": "100000"})
    check_sentence(UNIT, {"exempt": True})
    check_sentence(UNIT, {"acquitted": True, "acquittal_ground": "not_a_crime"})
    for wrong in ({"imprisonment_months": 12, "fine": "1"}, {}, {"exempt": True, "fine": "1"}):
        with pytest.raises(DomainError):
            check_sentence(UNIT, wrong)


def private_trial(explained_on: date = date(2025, 10, 9), earlier: tuple[Trial, ...] = ()) -> Trial:
    return Trial.private(
        lead_id="lead-1",
        court_unit="421222",
        referral_id="ref-1",
        creditor="洪某某",
        explained_on=explained_on,
        by="o",
        now=AT,
        earlier=earlier,
    )


def test_the_option_is_explained_on_a_day_that_has_come_and_once_while_a_private_prosecution_is_open() -> None:
    """释明 is dated no later than today (Asia/Shanghai), and a referral has one open private prosecution."""
    with pytest.raises(DomainError) as ahead:
        private_trial(explained_on=date(2025, 10, 10))
    assert ahead.value.code == "date_in_future"
    first = private_trial()
    with pytest.raises(Conflict) as twice:
        private_trial(earlier=(first,))
    assert twice.value.code == "private_prosecution_open"
    first.register_complaint(complainant="洪某某", text="自诉", defendants=[PERSON], filed_at=AT, now=AT)
    first.reject(reasons="证据不足", by="j", at=AT)
    assert private_trial(earlier=(first,)).status is TrialStatus.OPTION_EXPLAINED, "after a rejection, again"


def test_a_prosecution_is_accepted_under_a_criminal_case_number_of_this_court() -> None:
    """受理 gives the case its 刑初 number, written like the court's other numbers and of the trial's own court."""
    for wrong, code in (
        ("自诉", "invalid_case_number"),
        ("(2025)鄂1222执1号", "invalid_case_number"),
        ("(2025)鄂1224刑初1号", "case_of_other_court"),
    ):
        trial = private_trial()
        trial.register_complaint(complainant="洪某某", text="自诉", defendants=[PERSON], filed_at=AT, now=AT)
        with pytest.raises(DomainError) as refused:
            trial.accept(number=wrong, by="j", at=AT)
        assert refused.value.code == code
        assert trial.status is TrialStatus.COMPLAINT_REGISTERED
    trial.accept(number="（2025）鄂1222刑初12号", by="j", at=AT)
    assert trial.court_case_number == "(2025)鄂1222刑初12号", "one spelling"


def test_a_private_prosecution_runs_its_course_and_ends_without_mediation() -> None:
    trial = private_trial()
    with pytest.raises(Conflict):
        trial.accept(number="(2025)鄂1222刑初1号", by="j", at=AT)
    with pytest.raises(DomainError):  # filed the day before the option was explained
        trial.register_complaint(
            complainant="洪某某", text="自诉", defendants=[PERSON], filed_at=AT - timedelta(days=1), now=AT
        )
    trial.register_complaint(complainant="洪某某", text="自诉", defendants=[PERSON], filed_at=AT, now=AT)
    assert trial.status is TrialStatus.COMPLAINT_REGISTERED
    trial.accept(number="(2025)鄂1222刑初1号", by="j", at=AT)
    with pytest.raises(DomainError) as mediated:
        trial.close_private(outcome="mediated", reasons="调解", by="j", at=AT)
    assert mediated.value.code == "outcome"
    trial.close_private(outcome="settled", reasons="双方自行和解", by="j", at=AT)
    assert trial.status.value == "settled"
    assert trial.events == [], "a private prosecution's acceptance and closure stay in the court"


def test_a_judgment_names_only_the_defendants_and_is_not_dated_ahead() -> None:
    trial = private_trial()
    trial.register_complaint(complainant="洪某某", text="自诉", defendants=[PERSON], filed_at=AT, now=AT)
    trial.accept(number="(2025)鄂1222刑初1号", by="j", at=AT)
    defendant = trial.defendants[0]["defendant_id"]
    judged: dict[str, Any] = {
        "recovered": Decimal("0"),
        "owed": Decimal("50000"),
        "over_reason": None,
        "appeal_ends_at": AT + timedelta(days=11),
        "by": "j",
        "now": AT,
    }
    with pytest.raises(DomainError) as stranger:
        trial.judge(sentences=[{"defendant_id": "x", "fine": "1"}], judged_at=AT, served_at=AT, **judged)
    assert stranger.value.code == "not_a_defendant"
    with pytest.raises(DomainError) as ahead:
        trial.judge(
            sentences=[{"defendant_id": defendant, "fine": "1"}],
            judged_at=AT + timedelta(days=1),
            served_at=AT + timedelta(days=1),
            **judged,
        )
    assert ahead.value.code == "time_in_future"
    trial.judge(sentences=[{"defendant_id": defendant, "fine": "1000"}], judged_at=AT, served_at=AT, **judged)
    assert trial.judgment is not None
    assert trial.judgment["sentences"][0]["fine"] == "1000.00"
    assert [type(e).__name__ for e in trial.events] == ["TrialJudged"]


def test_more_recovered_than_is_owed_needs_the_judges_reason_and_both_figures_are_kept() -> None:
    """A judgment that recovers more than the lead still owes (interest for the delay, costs) says why; the judgment
    keeps what was owed beside what was recovered."""
    trial = private_trial()
    trial.register_complaint(complainant="洪某某", text="自诉", defendants=[PERSON], filed_at=AT, now=AT)
    trial.accept(number="(2025)鄂1222刑初1号", by="j", at=AT)
    sentence = [{"defendant_id": trial.defendants[0]["defendant_id"], "imprisonment_months": 12}]
    judged: dict[str, Any] = {"appeal_ends_at": AT + timedelta(days=11), "by": "j", "now": AT}
    owed = Decimal("50000")
    with pytest.raises(DomainError) as unexplained:
        trial.judge(sentences=sentence, recovered=Decimal("56000"), owed=owed, over_reason=" ", judged_at=AT,
                    served_at=AT, **judged)  # fmt: skip
    assert unexplained.value.code == "recovery_exceeds_owed"
    assert unexplained.value.details == {"recovered": "56000", "owed": "50000"}
    assert trial.status is TrialStatus.ACCEPTED
    trial.judge(sentences=sentence, recovered=Decimal("56000"), owed=owed, over_reason="迟延履行期间的债务利息",
                judged_at=AT, served_at=AT, **judged)  # fmt: skip
    assert trial.judgment is not None
    assert (trial.judgment["recovered"], trial.judgment["owed_at_judgment"]) == ("56000.00", "50000.00")
    assert trial.judgment["recovered_over_reason"] == "迟延履行期间的债务利息"


def test_cpl_200_a_trial_ends_in_an_acquittal_and_a_unit_in_an_exemption() -> None:
    """CPL Art. 200: an acquittal ends a trial as a judgment does; a unit exempted from punishment (Art. 37) too."""
    trial = private_trial()
    trial.register_complaint(complainant="洪某某", text="自诉", defendants=[PERSON, UNIT], filed_at=AT, now=AT)
    trial.accept(number="(2025)鄂1222刑初2号", by="j", at=AT)
    person, unit = (d["defendant_id"] for d in trial.defendants)
    sentences = [
        {"defendant_id": person, "acquitted": True, "acquittal_ground": "insufficient_evidence"},
        {"defendant_id": unit, "exempt": True},
    ]
    trial.judge(sentences=sentences, recovered=Decimal("0"), owed=None, over_reason=None, judged_at=AT,
                served_at=AT, appeal_ends_at=AT + timedelta(days=11), by="j", now=AT)  # fmt: skip
    assert trial.status is TrialStatus.JUDGED
    assert trial.judgment is not None
    assert [(s["name"], s.get("acquitted"), s.get("exempt")) for s in trial.judgment["sentences"]] == [
        ("祁某某", True, None),
        ("武汉某建筑工程有限公司", None, True),
    ]


PLEADED: dict[str, Any] = {
    "guilty_plea": True,
    "agreement_signed_on": date(2025, 10, 8),
    "likely_sentence_months": 18,
    "by": "p",
}


def test_cpl_222_the_fast_track_needs_the_plea_the_agreement_and_a_likely_sentence_of_three_years_at_most() -> None:
    for terms, code in (
        ({"guilty_plea": False}, "plea_required"),
        ({"agreement_signed_on": None}, "plea_required"),  # CPL Art. 174: the signed 认罪认罚具结书
        ({"likely_sentence_months": 37}, "beyond_fast_track"),
    ):
        r = review()
        with pytest.raises(DomainError) as refused:
            r.choose_fast_track(**{**PLEADED, **terms})
        assert (refused.value.code, r.fast_track) == (code, False)
    r = review()
    r.choose_fast_track(**PLEADED)
    assert (r.fast_track, r.fast_track_extendable()) == (True, True), "more than a year may follow: 15 days"
    short = review()
    short.choose_fast_track(**{**PLEADED, "likely_sentence_months": 12})
    assert short.fast_track_extendable() is False, "CPL Art. 172: a year or less stays at 10 days"


def test_indicting_some_defendants_decides_the_others() -> None:
    r = review()
    r.defendants = [*r.defendants, {"suspect_id": "s-2", "name": "郑某某", "kind": "person"}]
    indictment: dict[str, Any] = {"number": "I1", "charges": "x", "asset_proposal": {"text": "无"}, "by": "p", "at": AT}
    with pytest.raises(DomainError) as undecided:
        r.indict(defendant_ids=["s-1"], **indictment)
    assert (undecided.value.code, r.status.value) == ("others_undecided", "reviewing")
    separate = {"suspect_id": "s-2", "disposition": "separate_case", "reasons": "在逃，另案处理"}
    with pytest.raises(DomainError):
        r.indict(defendant_ids=None, others=[separate], **indictment)  # all indicted: nobody to decide
    r.indict(defendant_ids=["s-1"], others=[separate], **indictment)
    assert r.decision is not None
    assert [(o["name"], o["disposition"]) for o in r.decision["others"]] == [("郑某某", "separate_case")]


def review() -> ProsecutionReview:
    return ProsecutionReview(
        id="pr-1",
        case_id="case-1",
        case_number="X",
        referral_id="ref-1",
        correlation_id="lead-1",
        police_unit="421222",
        unit="421222",
        defendants=[{"suspect_id": "s-1", "name": "祁某某", "kind": "person", "role": "debtor"}],
        evidence=[],
        investigation_log=[],
        transfer_number="T1",
        received_at=AT,
    )


def test_a_review_returns_at_most_twice_and_follows_the_resubmissions_in_order() -> None:
    r = review()
    r.return_for_investigation(outline="补充一", by="p", at=AT)
    with pytest.raises(Conflict):
        r.indict(number="I1", defendant_ids=None, charges="x", asset_proposal={"text": "无"}, by="p", at=AT)
    with pytest.raises(DomainError) as disorder:
        r.resubmitted(transfer_number="T3", resubmission=2, at=AT)
    assert disorder.value.code == "out_of_order"
    assert r.resubmitted(transfer_number="T2", resubmission=1, at=AT) is True
    assert r.resubmitted(transfer_number="T2", resubmission=1, at=AT) is False
    r.return_for_investigation(outline="补充二", by="p", at=AT)
    r.resubmitted(transfer_number="T3", resubmission=2, at=AT)
    with pytest.raises(Conflict) as third:
        r.return_for_investigation(outline="补充三", by="p", at=AT)
    assert third.value.code == "return_limit"
    with pytest.raises(Conflict):
        r.choose_fast_track(**PLEADED)  # a returned case is not fast-tracked
    with pytest.raises(Conflict) as unpaid:
        r.propose_non_prosecution(ground="paid_and_minor", reasons="已履行", by="p", at=AT)
    assert unpaid.value.code == "no_performance"
    r.record_performance({"kind": "paid_in_full"})
    r.propose_non_prosecution(ground="paid_and_minor", reasons="已履行", by="p", at=AT)
    assert r.status.value == "reviewing", "proposed: the chief prosecutor decides"
    assert r.decide_proposal(approve=True, note=None, by="chief", at=AT) is True
    assert r.status.value == "not_prosecuted"
    assert r.decision is not None
    assert (r.decision["by"], r.decision["approved_by"]) == ("p", "chief")
    assert [type(e).__name__ for e in r.events] == ["ProsecutionReturned", "ProsecutionReturned", "ProsecutionDeclined"]


def test_spp_rules_367_and_365_non_prosecution_for_insufficient_evidence_follows_a_return_and_the_chief_decides() -> (
    None
):
    r = review()
    with pytest.raises(Conflict) as first:
        r.propose_non_prosecution(ground="insufficient_evidence", reasons="证据不足", by="p", at=AT)
    assert first.value.code == "return_first"
    r.return_for_investigation(outline="补充一", by="p", at=AT)
    r.resubmitted(transfer_number="T2", resubmission=1, at=AT)
    r.propose_non_prosecution(ground="insufficient_evidence", reasons="补充侦查后仍证据不足", by="p", at=AT)
    with pytest.raises(Conflict) as pending:
        r.indict(number="I1", defendant_ids=None, charges="x", asset_proposal={"text": "无"}, by="p", at=AT)
    assert pending.value.code == "proposal_pending"
    with pytest.raises(Conflict) as twice:
        r.propose_non_prosecution(ground="no_crime", reasons="不构成犯罪", by="p", at=AT)
    assert twice.value.code == "proposal_pending"
    assert r.decide_proposal(approve=False, note="再审查", by="chief", at=AT) is False
    assert (r.status.value, r.proposal, r.events[-1].__class__.__name__) == ("reviewing", None, "ProsecutionReturned")
    with pytest.raises(Conflict) as nothing:
        r.decide_proposal(approve=True, note=None, by="chief", at=AT)
    assert nothing.value.code == "no_proposal"


def case() -> Case:
    return Case.open(
        id="case-1",
        referral_id="ref-1",
        correlation_id="lead-1",
        police_unit="421222",
        case_number="X",
        suspects=[{"suspect_id": "s-1", "name": "祁某某", "kind": "person", "role": "debtor", "custody": "free"}],
        by="h",
        at=AT,
    )


def test_the_bureau_transfers_or_withdraws_only_a_case_in_its_hands() -> None:
    c = case()
    c.transfer(suspect_ids=None, number="T1", evidence=[], by="i", at=AT)
    assert c.status is CaseStatus.TRANSFERRED
    with pytest.raises(Conflict):
        c.transfer(suspect_ids=None, number="T2", evidence=[], by="i", at=AT)
    with pytest.raises(Conflict):
        c.withdraw(ground="no_liability", reasons="已履行", by="h", at=AT)
    assert c.returned(review_id="pr-1", number=1, outline="补充", at=AT) is True
    assert c.returned(review_id="pr-1", number=1, outline="补充", at=AT) is False
    resubmitted = c.transfer(suspect_ids=None, number="T2", evidence=[], by="i", at=AT)
    assert resubmitted["resubmission"] == 1
    other = case()
    other.withdraw(ground="no_liability", reasons="已全部履行", by="h", at=AT)
    with pytest.raises(DomainError) as ahead:
        other.notify_withdrawal(at=AT + timedelta(days=1), now=AT)
    assert ahead.value.code == "time_in_future"
    other.notify_withdrawal(at=AT + timedelta(hours=1), now=AT + timedelta(hours=1))
    with pytest.raises(Conflict):
        other.notify_withdrawal(at=AT + timedelta(hours=2), now=AT + timedelta(hours=2))
    assert [type(e).__name__ for e in other.events] == ["CaseOpened", "CaseWithdrawn"]


def test_cpl_208_212_the_trial_period_is_two_months_or_six_for_a_private_prosecution_at_liberty() -> None:
    private = private_trial()
    assert trial_period(private, False) == (Kind.PRIVATE_TRIAL_AT_LIBERTY, False)
    assert trial_period(private, True) == (Kind.TRIAL_PERIOD, True), "a held defendant: two months, custody"
    public = Trial.public(
        lead_id="lead-1",
        court_unit="421222",
        referral_id="ref-1",
        indictment={
            "case_id": "case-1",
            "review_id": "pr-1",
            "defendants": [{"suspect_id": "s-1", "name": "祁某某", "kind": "person", "custody": "arrested"}],
        },
        at=AT,
    )
    assert trial_period(public, False) == (Kind.TRIAL_PERIOD, True), "the indictment says the defendant is held"


def test_cpl_230_the_appeal_period_runs_from_the_written_judgments_receipt() -> None:
    trial = private_trial()
    trial.register_complaint(complainant="洪某某", text="自诉", defendants=[PERSON], filed_at=AT, now=AT)
    trial.accept(number="(2025)鄂1222刑初3号", by="j", at=AT)
    sentence = [{"defendant_id": trial.defendants[0]["defendant_id"], "imprisonment_months": 12}]
    trial.judge(sentences=sentence, recovered=Decimal("0"), owed=None, over_reason=None, judged_at=AT,
                served_at=None, appeal_ends_at=None, by="j", now=AT + timedelta(days=3))  # fmt: skip
    assert trial.judgment is not None
    assert trial.judgment["appeal_ends_at"] is None, "pronounced, not yet received"
    received = AT + timedelta(days=2)
    trial.judgment_served(served_at=received, appeal_ends_at=received + timedelta(days=10), now=AT + timedelta(days=3))
    assert trial.judgment["served_at"] == received.isoformat()
    with pytest.raises(Conflict) as twice:
        trial.judgment_served(served_at=received, appeal_ends_at=received, now=AT + timedelta(days=3))
    assert twice.value.code == "already_served"


def test_cpl_180_the_creditor_petitions_within_seven_days_of_the_non_prosecution() -> None:
    r = review()
    r.record_performance({"kind": "paid_in_full"})
    r.propose_non_prosecution(ground="paid_and_minor", reasons="已履行", by="p", at=AT)
    r.decide_proposal(approve=True, note=None, by="chief", at=AT)
    until = AT + timedelta(days=7)
    petition: dict[str, Any] = {
        "petitioner": "申请执行人",
        "text": "请求提起公诉",
        "until": until,
        "by": "p",
        "now": until,
    }
    with pytest.raises(Conflict) as late:
        r.record_petition(filed_at=until + timedelta(minutes=1), **{**petition, "now": until + timedelta(days=1)})
    assert late.value.code == "petition_late"
    recorded = r.record_petition(filed_at=until - timedelta(hours=1), **petition)
    assert recorded["petitioner"] == "申请执行人"
    with pytest.raises(Conflict) as twice:
        r.record_petition(filed_at=until - timedelta(hours=1), **petition)
    assert twice.value.code == "petition_recorded"
    assert review().status.value == "reviewing"
    with pytest.raises(Conflict) as undecided:
        review().record_petition(filed_at=AT, **{**petition, "now": AT})
    assert undecided.value.code == "not_declined"


def test_spc_interpretation_219_a_public_prosecution_is_returned_or_its_materials_asked_within_three_days() -> None:
    def received() -> Trial:
        return Trial.public(
            lead_id="lead-1",
            court_unit="421222",
            referral_id="ref-1",
            indictment={"case_id": "case-1", "review_id": "pr-1", "defendants": [{"suspect_id": "s-1", **PERSON}]},
            at=AT,
        )

    trial = received()
    asked = trial.request_materials(missing="证据目录", due_at=AT + timedelta(days=3), by="j", at=AT)
    with pytest.raises(Conflict) as pending:
        trial.request_materials(missing="再", due_at=AT, by="j", at=AT)
    assert pending.value.code == "materials_pending"
    done = trial.materials_received(at=AT + timedelta(days=1), now=AT + timedelta(days=1))
    assert (done["request_id"], done["received_at"]) == (asked["request_id"], (AT + timedelta(days=1)).isoformat())

    returned = received()
    returned.return_to_procuratorate(ground="not_this_court", reasons="不属于本院管辖", by="j", at=AT)
    assert (returned.status, returned.ended) == (TrialStatus.RETURNED, True)
    with pytest.raises(Conflict):
        returned.accept(number="(2025)鄂1222刑初9号", by="j", at=AT)
