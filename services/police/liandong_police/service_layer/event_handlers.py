"""What the police do with the events they receive; each handler returns what its state guard decided."""

from __future__ import annotations

from typing import Any

from liandong.contracts import (
    ArrestDecidedV1,
    ArrestReconsideredV1,
    CorrectionNoticeIssuedV1,
    EnforcementPerformedV1,
    EnforcementResumedV1,
    ExplanationDemandedV1,
    FilingNoticeIssuedV1,
    IndictmentFiledV1,
    JudgmentPronouncedV1,
    ProsecutionDeclinedV1,
    ProsecutionReturnedV1,
    ReconsiderationStage,
    ReferralSubmittedV1,
    ReferralSubmittedV2,
    ReferralWithdrawnV1,
    ReminderSentV1,
)
from liandong.errors import DomainError, NotFound
from liandong.messaging.handlers import Delivery, Outcome, PoisonMessage
from liandong.sla.kinds import NOTICE_SUBJECT, NOTICE_WINDOWS, Kind
from liandong.units import CITY_CODE, court_code_of
from liandong_police.domain.cases import Case
from liandong_police.domain.model import Referral
from liandong_police.domain.supervision import NoticeKind, SupervisionNotice
from liandong_police.service_layer.case_handlers import EXECUTION, execution_subject
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork

CourtNews = ReferralWithdrawnV1 | EnforcementPerformedV1 | EnforcementResumedV1


async def on_referral_submitted(event: Delivery[ReferralSubmittedV1], uow: PoliceUnitOfWork) -> Outcome:
    """案件移送函 from the court: the referral lands in the inbox of the bureau of the court's county, its evidence is
    queued for fetching from the court, and the filing window starts (法发〔2025〕8号 第五条: the police must
    accept it)."""
    letter = event.payload
    _from_the_court_of_the_county(event)
    if await uow.referrals.get(letter.referral_id) is not None:
        return Outcome.STALE  # the same referral under another event id: already in the inbox
    now = uow.clock.now()
    manifest = [e.model_dump(mode="json") for e in letter.evidence]
    uow.referrals.add(
        Referral(
            id=letter.referral_id,
            lead_id=letter.lead_id,
            letter_number=letter.letter_number,
            court_code=letter.court_code,
            court_unit=letter.court_unit,
            police_unit=letter.police_unit,
            enforcement_case_number=letter.enforcement_case_number,
            enforcement_summary=letter.enforcement_summary,
            amount_owed=letter.amount_owed,
            amount_paid=letter.amount_paid,
            suspects=[s.model_dump(mode="json") for s in letter.suspects],
            evidence=manifest,
            submitted_at=letter.submitted_at,
            arrived_at=now,
            particulars=_particulars(letter),
        )
    )
    await uow.evidence.expect(letter.referral_id, manifest, now)
    # the bureau must accept a court's referral: its filing window runs from arrival, registered or not
    await uow.deadlines.start(
        kind=Kind.POLICE_FILING_DECISION,
        subject_type="referral",
        subject_id=letter.referral_id,
        correlation_id=letter.lead_id,
        unit=letter.police_unit,
        started_at=now,
    )
    return Outcome.APPLIED


def _particulars(letter: ReferralSubmittedV1) -> dict[str, Any] | None:
    """What a version-2 letter adds: 执行依据, creditor, the 告知书, coercive measures, reasons for missing evidence."""
    if not isinstance(letter, ReferralSubmittedV2):
        return None
    fields = ReferralSubmittedV2.model_fields.keys() - ReferralSubmittedV1.model_fields.keys()
    return letter.model_dump(mode="json", include=set(fields))


def _from_the_court_of_the_county(event: Delivery[ReferralSubmittedV1]) -> None:
    """A court refers to the police of its own county (法发〔2025〕8号): a letter from one court naming another county's
    bureau, or sent by a court other than the one it names, is not accepted."""
    letter, producer = event.payload, event.envelope.producer.unit
    if court_code_of(letter.court_unit) != letter.court_code:
        raise PoisonMessage(f"{letter.court_code} is not the court of county {letter.court_unit}")
    if letter.police_unit != letter.court_unit or producer != letter.court_unit:
        raise PoisonMessage(
            f"a referral from the court of {letter.court_unit} (sent by {producer}) goes to the bureau of "
            f"{letter.court_unit}, not {letter.police_unit}"
        )


async def _from_its_court(uow: PoliceUnitOfWork, event: Delivery[CourtNews], referral_id: str) -> Referral | None:
    """The referral the court's news is about, if that court sent it."""
    referral = await uow.referrals.get(referral_id, for_update=True)
    if referral is not None and event.envelope.producer.unit != referral.court_unit:
        raise PoisonMessage(f"referral {referral_id} came from the court of {referral.court_unit}, not this one")
    return referral


async def on_referral_withdrawn(event: Delivery[ReferralWithdrawnV1], uow: PoliceUnitOfWork) -> Outcome:
    """The court took the referral back before a decision: it leaves the inbox and its windows are cancelled."""
    withdrawal = event.payload
    referral = await _from_its_court(uow, event, withdrawal.referral_id)
    if referral is None:
        return Outcome.PARKED  # withdrawn before it arrived: nothing to take back
    if not referral.withdrawn_by_court(reason=withdrawal.reason, at=withdrawal.withdrawn_at):
        return Outcome.STALE  # the police had already decided
    for window in await uow.deadlines.running(subject_type="referral", subject_id=referral.id):
        await uow.deadlines.cancel(window.id, reason=f"referral withdrawn by the court: {withdrawal.reason}")
    return Outcome.APPLIED


async def on_enforcement_performed(event: Delivery[EnforcementPerformedV1], uow: PoliceUnitOfWork) -> Outcome:
    """The debtor paid or settled: the investigators see it on the referral, and the investigation target is
    cancelled."""
    performed = event.payload
    if performed.referral_id is None:
        return Outcome.STALE
    referral = await _from_its_court(uow, event, performed.referral_id)
    if referral is None:
        return Outcome.PARKED
    referral.record_performance(performed.model_dump(mode="json"))
    if referral.case_id is not None:
        # the investigation window is a local target, not a statute: once the debtor has performed it is moot,
        # and must not breach (the case itself goes on until the bureau decides on it)
        for window in await uow.deadlines.running(
            subject_type="case", subject_id=referral.case_id, kind=Kind.POLICE_INVESTIGATION
        ):
            await uow.deadlines.cancel(
                window.id, reason=f"被执行人已履行（{performed.kind.value}）：侦查取证目标不再适用"
            )
    return Outcome.APPLIED


async def on_enforcement_resumed(event: Delivery[EnforcementResumedV1], uow: PoliceUnitOfWork) -> Outcome:
    """The debtor defaulted on the settlement: the investigators see that enforcement has resumed."""
    resumed = event.payload
    if resumed.referral_id is None:
        return Outcome.STALE
    referral = await _from_its_court(uow, event, resumed.referral_id)
    if referral is None:
        return Outcome.PARKED
    referral.record_performance({**(referral.performance or {}), "resumed": resumed.model_dump(mode="json")})
    return Outcome.APPLIED


async def on_arrest_decided(event: Delivery[ArrestDecidedV1], uow: PoliceUnitOfWork) -> Outcome:
    """批准 / 不批准逮捕决定书 from the procuratorate of the case's county: shown on the request (a refusal with its
    补充侦查提纲). An approval is executed at once (the law sets no days; the receipt's 3 days run from the
    execution); a refusal of a person held starts the 3 days to release them and send the receipt."""
    decided = event.payload
    case = await uow.cases.get(decided.case_id, for_update=True)
    if case is None:
        raise PoisonMessage(f"a decision about unknown case {decided.case_id}")
    units = {decided.police_unit, decided.procuratorate_unit, event.envelope.producer.unit}
    if units != {case.police_unit}:
        raise PoisonMessage(f"case {case.id} is of {case.police_unit}; a decision from {sorted(units)} is not applied")
    try:
        fresh = case.decision_received(
            request_id=decided.request_id,
            review_id=decided.review_id,
            decisions=[d.model_dump(mode="json") for d in decided.decisions],
            decided_at=decided.decided_at,
            by=decided.decided_by,
            received_at=uow.clock.now(),
        )
    except DomainError as exc:
        raise PoisonMessage(exc.message) from exc
    if not fresh:
        return Outcome.STALE
    now = uow.clock.now()
    for decision in fresh:
        if case.release_owed(decided.request_id, decision["suspect_id"]):
            await uow.deadlines.start(
                kind=Kind.POLICE_ARREST_EXECUTION,
                subject_type=EXECUTION,
                subject_id=execution_subject(decided.request_id, decision["suspect_id"]),
                correlation_id=case.correlation_id,
                unit=case.police_unit,
                started_at=now,
            )
    return Outcome.APPLIED


async def on_arrest_reconsidered(event: Delivery[ArrestReconsideredV1], uow: PoliceUnitOfWork) -> Outcome:
    """复议决定 from the procuratorate that refused, or 复核决定 from the city's: a refusal changed becomes an approval
    the bureau executes at once."""
    news, env = event.payload, event.envelope
    case = await uow.cases.get(news.case_id, for_update=True)
    if case is None:
        raise PoisonMessage(f"a reconsideration of unknown case {news.case_id}")
    deciding = case.police_unit if news.stage is ReconsiderationStage.RECONSIDERATION else CITY_CODE
    if news.police_unit != case.police_unit or {env.producer.unit, news.procuratorate_unit} != {deciding}:
        raise PoisonMessage(f"a {news.stage.value} of case {case.id} is decided by {deciding}, not {env.producer.unit}")
    try:
        fresh = case.reconsidered(
            request_id=news.request_id,
            suspect_id=news.suspect_id,
            stage=news.stage.value,
            changed=news.changed,
            reasons=news.reasons,
            decided_at=news.decided_at,
            by=news.decided_by,
            received_at=uow.clock.now(),
        )
    except (DomainError, NotFound) as exc:
        raise PoisonMessage(exc.message) from exc
    return Outcome.APPLIED if fresh else Outcome.STALE


Notice = ExplanationDemandedV1 | FilingNoticeIssuedV1 | CorrectionNoticeIssuedV1 | ReminderSentV1


def _notice_particulars(notice: Notice) -> tuple[NoticeKind, str, dict[str, Any] | None, str | None, str | None]:
    """The kind, the text, the co-offender, the notice a correction concerns, the case a reminder is about."""
    if isinstance(notice, ExplanationDemandedV1):
        return NoticeKind.EXPLANATION, notice.reasons, None, None, None
    if isinstance(notice, FilingNoticeIssuedV1):
        co_offender = notice.co_offender.model_dump(mode="json") if notice.co_offender else None
        return NoticeKind.FILING, notice.reasons, co_offender, None, None
    if isinstance(notice, CorrectionNoticeIssuedV1):
        return NoticeKind.CORRECTION, notice.violation, None, notice.concerns_notice_id, None
    return NoticeKind.REMINDER, notice.text, None, None, notice.case_id


async def on_supervision_notice(event: Delivery[Notice], uow: PoliceUnitOfWork) -> Outcome:
    """A notice of the procuratorate of the bureau's county lands in the inbox; a demand for reasons or a notice to
    file starts the bureau's window to answer (from its arrival), and stays open until answered."""
    notice = event.payload
    if {notice.procuratorate_unit, notice.police_unit} != {event.envelope.producer.unit}:
        sender = event.envelope.producer.unit
        raise PoisonMessage(f"a notice to the bureau of {notice.police_unit} sent by the procuratorate of {sender}")
    if await uow.notices.get(notice.notice_id) is not None:
        return Outcome.STALE
    kind, content, co_offender, concerns, case_id = _notice_particulars(notice)
    now = uow.clock.now()
    uow.notices.add(
        SupervisionNotice(
            id=notice.notice_id,
            supervision_id=notice.supervision_id,
            correlation_id=event.envelope.correlation_id,
            police_unit=notice.police_unit,
            referral_id=notice.referral_id,
            kind=kind,
            document_number=notice.document_number,
            content=content,
            co_offender=co_offender,
            concerns_notice_id=concerns,
            case_id=case_id,
            issued_at=notice.issued_at,
            issued_by=notice.issued_by,
            received_at=now,
        )
    )
    if kind in NOTICE_WINDOWS:
        await uow.deadlines.start(
            kind=NOTICE_WINDOWS[kind],
            subject_type=NOTICE_SUBJECT,
            subject_id=notice.notice_id,
            correlation_id=event.envelope.correlation_id,
            unit=notice.police_unit,
            started_at=now,
        )
    return Outcome.APPLIED


ProsecutionNews = ProsecutionReturnedV1 | ProsecutionDeclinedV1 | IndictmentFiledV1


async def _case_of(
    uow: PoliceUnitOfWork, event: Delivery[ProsecutionNews | JudgmentPronouncedV1], case_id: str
) -> Case:
    case = await uow.cases.get(case_id, for_update=True)
    if case is None:
        raise PoisonMessage(f"news of unknown case {case_id}")
    if event.envelope.producer.unit != case.police_unit:
        raise PoisonMessage(f"case {case.id} is of county {case.police_unit}, not {event.envelope.producer.unit}")
    return case


async def on_prosecution_news(event: Delivery[ProsecutionNews], uow: PoliceUnitOfWork) -> Outcome:
    """The procuratorate's decision on a transferred case: returned for supplementary investigation (the bureau has a
    month, from the return's arrival), not prosecuted, or indicted."""
    news = event.payload
    case = await _case_of(uow, event, news.case_id)
    at = news.decided_at.isoformat()
    if isinstance(news, ProsecutionReturnedV1):
        if not case.returned(
            review_id=news.review_id, number=news.return_number, outline=news.outline, at=news.decided_at
        ):
            return Outcome.STALE
        await uow.deadlines.start(
            kind=Kind.POLICE_SUPPLEMENTARY_INVESTIGATION,
            subject_type="case",
            subject_id=case.id,
            correlation_id=case.correlation_id,
            unit=case.police_unit,
            started_at=uow.clock.now(),
            custody=case.transferred_in_custody(),  # a transferred suspect held: a custody period (CPL Art. 105)
        )
        return Outcome.APPLIED
    decision: dict[str, Any]
    if isinstance(news, ProsecutionDeclinedV1):
        decision = {"decision": "not_prosecuted", "ground": news.ground.value, "reasons": news.reasons, "at": at}
        return Outcome.APPLIED if case.prosecution_decided(decision, indicted=False) else Outcome.STALE
    decision = {
        "decision": "indicted",
        "document_number": news.document_number,
        "court_unit": news.court_unit,
        "defendants": [d.name for d in news.defendants],
        "at": at,
    }
    return Outcome.APPLIED if case.prosecution_decided(decision, indicted=True) else Outcome.STALE


async def on_judgment(event: Delivery[JudgmentPronouncedV1], uow: PoliceUnitOfWork) -> Outcome:
    """The judgment of a case the bureau investigated: kept on the case."""
    judged = event.payload
    if judged.case_id is None:
        return Outcome.STALE  # a private prosecution: no case of the bureau
    case = await _case_of(uow, event, judged.case_id)
    return Outcome.APPLIED if case.judged(judged.model_dump(mode="json")) else Outcome.STALE
