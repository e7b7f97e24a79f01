"""Command handlers of 立案监督. The police's windows to answer run at the police from the notice's arrival
(police_explain_non_filing, 7 days; police_file_after_notice, 15 days); the procuratorate sees them as peer windows,
and may record a 纠正违法通知书 once a notice is overdue — its copy of the window breached, or, if the police's
window has not reached it, past the end the law gives counted from the notice's issue."""

from __future__ import annotations

import uuid
from datetime import datetime

from liandong.documents.render import Drawing
from liandong.errors import Conflict, DomainError, Forbidden, NotFound
from liandong.security import Principal
from liandong.sla.counting import SHANGHAI
from liandong.sla.kinds import NOTICE_SUBJECT, NOTICE_WINDOWS
from liandong.sla.rules import DeadlineState
from liandong.units import can_see
from liandong_procuratorate.domain.prosecutions import ProsecutionReview
from liandong_procuratorate.domain.reviews import ArrestReview
from liandong_procuratorate.domain.supervision import (
    CORRECTION,
    EXPLANATION,
    FILING,
    REMINDER,
    Origin,
    SupervisionCase,
    notice_number,
)
from liandong_procuratorate.service_layer import commands
from liandong_procuratorate.service_layer import documents as papers
from liandong_procuratorate.service_layer.handlers import CHIEF_PROSECUTOR, PROSECUTOR, load_review, own_act
from liandong_procuratorate.service_layer.prosecution_handlers import load_prosecution
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork

TITLES = {
    EXPLANATION: "要求说明不立案理由通知书",
    FILING: "通知立案书",
    CORRECTION: "纠正违法通知书",
    REMINDER: "催办函",
}


def _prosecutor(actor: Principal) -> None:
    if actor.role != PROSECUTOR:
        raise Forbidden("立案监督 is carried out by a prosecutor")


async def load_supervision(
    uow: ProcuratorateUnitOfWork, supervision_id: str, actor: Principal, *, for_update: bool = True
) -> SupervisionCase:
    case = await uow.supervision.get(supervision_id, for_update=for_update)
    if case is None:
        raise NotFound(f"no supervision case {supervision_id}")
    if not can_see(actor.unit, case.unit):
        raise Forbidden(f"supervision case {supervision_id} is of the procuratorate of unit {case.unit}")
    return case


async def _number(uow: ProcuratorateUnitOfWork, kind: str, unit: str, at: datetime) -> str:
    year = at.astimezone(SHANGHAI).year
    return notice_number(kind, unit, year, await uow.next_number(f"supervision_{kind}", unit, year))


async def _issue(uow: ProcuratorateUnitOfWork, case: SupervisionCase, draw: Drawing, notice: dict[str, object]) -> None:
    """The notice's document, under the number the notice was given."""
    await uow.issue_document(draw(str(notice["document_number"])), papers.of_supervision(case))


async def open_supervision(cmd: commands.OpenSupervision, uow: ProcuratorateUnitOfWork) -> SupervisionCase:
    """立案监督 on the procuratorate's own initiative: from an arrest review, a prosecution review, or a matter of its
    unit."""
    _prosecutor(cmd.actor)
    sources = [cmd.review_id, cmd.prosecution_review_id, cmd.correlation_id]
    if sum(source is not None for source in sources) != 1:
        raise DomainError("give one of an arrest review, a prosecution review, a matter", code="supervision_source")
    async with uow:
        now = uow.clock.now()
        if cmd.review_id is not None or cmd.prosecution_review_id is not None:
            review: ArrestReview | ProsecutionReview
            if cmd.review_id is not None:
                review = await load_review(uow, cmd.review_id, cmd.actor, for_update=False)
                origin = Origin.ARREST_REVIEW
            else:
                review = await load_prosecution(uow, str(cmd.prosecution_review_id), cmd.actor, for_update=False)
                origin = Origin.PROSECUTION_REVIEW
            if await uow.supervision.for_source(review.id) is not None:
                raise Conflict(f"review {review.id} already has a supervision case", code="already_open")
            # the case under review was filed already (on the referral, if one): supervision from a review is about
            # persons not yet filed — co-offenders — never a demand for reasons not to file a filed referral
            correlation_id, unit, referral_id = review.correlation_id, review.unit, None
            source_id = review.id
        else:
            correlation_id = str(cmd.correlation_id)
            units = await uow.timeline.matter_units(correlation_id)
            if not units:
                raise NotFound(f"no matter {correlation_id}")
            unit = sorted(units)[0]
            if not can_see(cmd.actor.unit, unit):
                raise Forbidden(f"matter {correlation_id} is of unit {unit}")
            referral_id, origin, source_id = None, Origin.OWN_INITIATIVE, None
        case = SupervisionCase(
            id=str(uuid.uuid4()),
            correlation_id=correlation_id,
            unit=unit,
            police_unit=unit,
            origin=origin,
            referral_id=referral_id,
            source_id=source_id,
            court_request=None,
            opened_at=now,
            opened_by=cmd.actor.username,
        )
        uow.supervision.add(case)
        own_act(
            uow,
            correlation_id=correlation_id,
            unit=unit,
            event_type="procuratorate.supervision.opened",
            summary=f"立案监督（依职权）：{cmd.reasons}",
        )
        await uow.commit()
        return case


async def demand_explanation(cmd: commands.DemandExplanation, uow: ProcuratorateUnitOfWork) -> SupervisionCase:
    _prosecutor(cmd.actor)
    async with uow:
        case = await load_supervision(uow, cmd.supervision_id, cmd.actor)
        now = uow.clock.now()
        notice = case.demand_explanation(
            notice_id=str(uuid.uuid4()),
            number=await _number(uow, EXPLANATION, case.unit, now),
            reasons=cmd.reasons,
            by=cmd.actor.username,
            at=now,
        )
        _on_timeline(uow, case, notice)
        await _issue(uow, case, papers.explanation_demand(case, notice), notice)
        await uow.commit()
        return case


async def accept_explanation(cmd: commands.AcceptExplanation, uow: ProcuratorateUnitOfWork) -> SupervisionCase:
    _prosecutor(cmd.actor)
    async with uow:
        case = await load_supervision(uow, cmd.supervision_id, cmd.actor)
        case.accept_explanation(note=cmd.note, by=cmd.actor.username, at=uow.clock.now())
        own_act(
            uow,
            correlation_id=case.correlation_id,
            unit=case.unit,
            event_type="procuratorate.supervision.closed",
            summary=f"不立案理由成立，立案监督结案：{cmd.note}",
        )
        await uow.commit()
        return case


def _same_person(a: dict[str, object], b: dict[str, object]) -> bool:
    if a.get("id_number") and b.get("id_number"):
        return a["id_number"] == b["id_number"]
    return a.get("name") == b.get("name")


async def _explanation_settled(uow: ProcuratorateUnitOfWork, case: SupervisionCase, now: datetime) -> bool:
    """The police gave their reasons for not filing, or their 7 days to give them ran out (CPL Art. 113)."""
    demand = case.last_explanation_demand()
    if demand is None:
        return False
    return demand["answer"] is not None or await _overdue(uow, demand, now)


async def issue_filing_notice(cmd: commands.IssueFilingNotice, uow: ProcuratorateUnitOfWork) -> SupervisionCase:
    """通知立案书 proposed, for the chief prosecutor to decide (SPP Rules Art. 561). A co-offender is named with their
    part and the evidence, and must be a person the police have not filed against in the matter, nor named in
    another open notice; the referral's case only after the police's reasons, or the end of their 7 days."""
    _prosecutor(cmd.actor)
    async with uow:
        case = await load_supervision(uow, cmd.supervision_id, cmd.actor)
        co_offender = cmd.co_offender
        if cmd.person_id is not None:
            if co_offender is not None or case.origin is not Origin.ARREST_REVIEW or case.source_id is None:
                raise DomainError("a recorded person comes from the case's arrest review alone", code="person_source")
            review = await load_review(uow, case.source_id, cmd.actor, for_update=False)
            person = next((p for p in review.persons_involved if p["person_id"] == cmd.person_id), None)
            if person is None:
                raise DomainError(f"the arrest review recorded no person {cmd.person_id}", code="unknown_person")
            co_offender = {
                "name": person["name"],
                "kind": "person",
                "role": "helper",
                "id_number": person.get("id_number"),
                "part_in_scheme": person["role"],
                "evidence": person["evidence"],
            }
        if co_offender is not None:
            await _not_named_before(uow, case, co_offender)
        now = uow.clock.now()
        case.propose_filing_notice(
            reasons=cmd.reasons,
            co_offender=co_offender,
            explanation_settled=await _explanation_settled(uow, case, now),
            by=cmd.actor.username,
            at=now,
        )
        await uow.commit()
        return case


async def decide_filing_notice(cmd: commands.DecideProposal, uow: ProcuratorateUnitOfWork) -> SupervisionCase:
    """经检察长决定 (SPP Rules Art. 561): the proposed notice to file issued — numbered, the police's 15 days run — or
    rejected with a note."""
    if cmd.actor.role != CHIEF_PROSECUTOR:
        raise Forbidden("a notice to file is decided by the chief prosecutor")
    async with uow:
        case = await load_supervision(uow, cmd.record_id, cmd.actor)
        now = uow.clock.now()
        co_offender = (case.proposal or {}).get("co_offender")
        if cmd.approve and co_offender is not None:
            await _not_named_before(uow, case, co_offender)  # the police may have filed against them meanwhile
        notice = case.decide_filing_notice(
            approve=cmd.approve,
            note=cmd.note,
            notice_id=str(uuid.uuid4()),
            number=await _number(uow, FILING, case.unit, now) if cmd.approve else "",
            explanation_settled=await _explanation_settled(uow, case, now),
            by=cmd.actor.username,
            at=now,
        )
        if notice is not None:
            _on_timeline(uow, case, notice)
            await _issue(uow, case, papers.filing_notice(case, notice), notice)
        await uow.commit()
        return case


async def _not_named_before(uow: ProcuratorateUnitOfWork, case: SupervisionCase, person: dict[str, object]) -> None:
    for police_case in await uow.police_cases.of_matter(case.correlation_id):
        if any(_same_person(s, person) for s in police_case.suspects):
            raise Conflict(
                f"{person['name']} is a suspect of police case {police_case.case_number} already", code="already_filed"
            )
    for other in await uow.supervision.of_matter(case.correlation_id):
        for notice in other.unanswered(FILING):
            if notice.get("co_offender") and _same_person(notice["co_offender"], person):
                raise Conflict(
                    f"{person['name']} is named in notice {notice['document_number']}", code="notice_pending"
                )


async def issue_correction(cmd: commands.IssueCorrection, uow: ProcuratorateUnitOfWork) -> SupervisionCase:
    """纠正违法通知书 about a notice left unanswered past its window."""
    _prosecutor(cmd.actor)
    async with uow:
        case = await load_supervision(uow, cmd.supervision_id, cmd.actor)
        concerned = case.notice(cmd.notice_id)
        now = uow.clock.now()
        if concerned["kind"] in NOTICE_WINDOWS and not await _overdue(uow, concerned, now):
            raise Conflict(
                f"the police's window to answer {concerned['document_number']} has not passed", code="window_running"
            )
        notice = case.issue_correction(
            notice_id=str(uuid.uuid4()),
            number=await _number(uow, CORRECTION, case.unit, now),
            concerns=cmd.notice_id,
            violation=cmd.violation,
            by=cmd.actor.username,
            at=now,
        )
        _on_timeline(uow, case, notice)
        await _issue(uow, case, papers.correction_notice(case, notice, concerned), notice)
        await uow.commit()
        return case


async def _overdue(uow: ProcuratorateUnitOfWork, notice: dict[str, object], now: datetime) -> bool:
    window = await uow.deadlines.peer(subject_type=NOTICE_SUBJECT, subject_id=str(notice["notice_id"]))
    if window is not None and window.state is DeadlineState.BREACHED:
        return True
    if window is not None and window.state is not DeadlineState.RUNNING:
        return False  # answered, or cancelled
    issued = datetime.fromisoformat(str(notice["issued_at"]))
    due = window.due_at if window is not None else uow.deadlines.due_at(NOTICE_WINDOWS[str(notice["kind"])], issued)
    return now > due


async def send_reminder(cmd: commands.SendReminder, uow: ProcuratorateUnitOfWork) -> SupervisionCase:
    _prosecutor(cmd.actor)
    async with uow:
        case = await load_supervision(uow, cmd.supervision_id, cmd.actor)
        now = uow.clock.now()
        notice = case.send_reminder(
            notice_id=str(uuid.uuid4()),
            number=await _number(uow, REMINDER, case.unit, now),
            case_id=cmd.case_id,
            text=cmd.text,
            by=cmd.actor.username,
            at=now,
        )
        _on_timeline(uow, case, notice)
        await uow.commit()
        return case


def _on_timeline(uow: ProcuratorateUnitOfWork, case: SupervisionCase, notice: dict[str, object]) -> None:
    kind = str(notice["kind"])
    named = notice.get("co_offender")
    whom = f"（同案犯：{named['name']}）" if isinstance(named, dict) else ""
    own_act(
        uow,
        correlation_id=case.correlation_id,
        unit=case.unit,
        event_type=f"procuratorate.supervision.{kind}",
        summary=f"{TITLES[kind]} {notice['document_number']}{whom}",
    )
