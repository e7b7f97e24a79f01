"""Command handlers of the procuratorate: each runs in one unit of work and commits once.

Each suspect of an arrest review has its own window (arrest_review_detained, a custody period of 7 days, or
arrest_review_not_detained, 15 days and to 20 on a supervisor's approval), met by the prosecutor's decision on them.
"""

from __future__ import annotations

import uuid

from liandong.documents.kinds import ARREST_APPROVAL, ARREST_REFUSAL
from liandong.errors import Conflict, DomainError, Forbidden, NotFound
from liandong.security import Principal
from liandong.sla.kinds import Kind, kind
from liandong.units import CITY_CODE, can_see
from liandong_procuratorate.domain.model import TimelineEntry
from liandong_procuratorate.domain.reviews import APPROVE, ArrestReview, verdicts
from liandong_procuratorate.service_layer import commands
from liandong_procuratorate.service_layer import documents as papers
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork

PROSECUTOR = "prosecutor"  # 检察官: decides arrests, records persons involved
SUPERVISOR = "supervisor"  # 部门负责人 / the city's procuratorate: extends review windows
CHIEF_PROSECUTOR = "chief_prosecutor"  # 检察长: decides non-prosecution and notices to file (SPP Rules 365, 370, 561)
ADMIN = "admin"  # operations: dead letters and the outbox (/ops)
ALL_ROLES = (PROSECUTOR, SUPERVISOR, CHIEF_PROSECUTOR, ADMIN)
REVIEW = "arrest_review"


def review_subject(review_id: str, suspect_id: str) -> str:
    return f"{review_id}:{suspect_id}"


async def load_review(
    uow: ProcuratorateUnitOfWork, review_id: str, actor: Principal, *, for_update: bool = True
) -> ArrestReview:
    review = await uow.reviews.get(review_id, for_update=for_update)
    if review is None:
        raise NotFound(f"no arrest review {review_id}")
    if not can_see(actor.unit, review.unit):
        raise Forbidden(f"arrest review {review_id} is for the procuratorate of unit {review.unit}")
    return review


async def decide_arrest(cmd: commands.DecideArrest, uow: ProcuratorateUnitOfWork) -> ArrestReview:
    """The prosecutor's decision meets each decided suspect's window; it goes to the police and on the timeline."""
    if cmd.actor.role != PROSECUTOR:
        raise Forbidden("an arrest is approved or refused by a prosecutor")
    async with uow:
        review = await load_review(uow, cmd.review_id, cmd.actor)
        now = uow.clock.now()
        decided = review.decide(list(cmd.decisions), by=cmd.actor.username, at=now)
        for suspect in decided:
            await uow.deadlines.meet(
                kind=_review_kind(suspect),
                subject_type=REVIEW,
                subject_id=review_subject(review.id, suspect["suspect_id"]),
                at=now,
                actor=cmd.actor.username,
            )
        for approved in (True, False):
            persons = [s for s in decided if (s["decision"] == APPROVE) == approved]
            if persons:
                kind = ARREST_APPROVAL if approved else ARREST_REFUSAL
                draw = papers.arrest_decision(review, persons, approved=approved)
                await uow.issue_numbered(kind, papers.of_review(review), draw)
        own_act(
            uow,
            correlation_id=review.correlation_id,
            unit=review.unit,
            event_type="procuratorate.arrest.decided",
            summary=f"审查逮捕决定（{review.document_number}）：{verdicts(decided)}",
        )
        await uow.commit()
        return review


async def decide_reconsideration(cmd: commands.DecideReconsideration, uow: ProcuratorateUnitOfWork) -> ArrestReview:
    """复议决定 by the chief prosecutor of the procuratorate that refused, or 复核决定 by the city's (the next level up,
    CPL Art. 92): a refusal upheld, or changed to an approval the police execute. Meets its window."""
    if cmd.actor.role != CHIEF_PROSECUTOR:
        raise Forbidden("a reconsideration is decided by the chief prosecutor")
    async with uow:
        review = await load_review(uow, cmd.review_id, cmd.actor)
        deciding = CITY_CODE if cmd.stage == "review" else review.unit
        if review.unit == CITY_CODE and cmd.stage == "review":
            raise DomainError("the level above the city's procuratorate is not in this system", code="above_the_city")
        if cmd.actor.unit != deciding:
            raise Forbidden(f"this {cmd.stage} is decided by the procuratorate of unit {deciding}")
        now = uow.clock.now()
        answer = review.reconsider(
            cmd.suspect_id,
            stage=cmd.stage,
            changed=cmd.changed,
            reasons=cmd.reasons,
            unit=deciding,
            by=cmd.actor.username,
            at=now,
        )
        await uow.deadlines.meet(
            kind=Kind.ARREST_REVIEW_AT_NEXT_LEVEL if cmd.stage == "review" else Kind.ARREST_RECONSIDERATION,
            subject_type=RECONSIDERATION,
            subject_id=review_subject(review.id, cmd.suspect_id),
            at=now,
            actor=cmd.actor.username,
        )
        name = review.suspect(cmd.suspect_id)["name"]
        outcome = "变更为批准逮捕" if answer["changed"] else "维持不批准逮捕"
        stage_name = "复核" if cmd.stage == "review" else "复议"
        own_act(
            uow,
            correlation_id=review.correlation_id,
            unit=review.unit,
            event_type="procuratorate.arrest.reconsidered",
            summary=f"{stage_name}决定（{review.document_number}）：{name} {outcome}",
        )
        await uow.commit()
        return review


RECONSIDERATION = "arrest_reconsideration"  # the subject of a 复议 / 复核 window: review and suspect


def own_act(uow: ProcuratorateUnitOfWork, *, correlation_id: str, unit: str, event_type: str, summary: str) -> None:
    """The procuratorate's own act, on its matter's timeline beside the hand-offs it received."""
    now = uow.clock.now()
    uow.timeline.add(
        TimelineEntry(
            event_id=str(uuid.uuid4()),
            correlation_id=correlation_id,
            event_type=event_type,
            producer_agency="procuratorate",
            producer_unit=unit,
            jurisdiction=unit,
            occurred_at=now,
            recorded_at=now,
            summary=summary,
        )
    )


def _review_kind(suspect: dict[str, object]) -> Kind:
    return Kind.ARREST_REVIEW_DETAINED if suspect["detained"] else Kind.ARREST_REVIEW_NOT_DETAINED


async def extend_review(cmd: commands.ExtendReview, uow: ProcuratorateUnitOfWork) -> ArrestReview:
    """重大、复杂: the windows of the undecided suspects who are not detained go to 20 days; a detained suspect's
    7 days never extend."""
    if cmd.actor.role != SUPERVISOR:
        raise Forbidden("a review window is extended by a supervisor")
    async with uow:
        review = await load_review(uow, cmd.review_id, cmd.actor)
        longest = kind(Kind.ARREST_REVIEW_NOT_DETAINED).max_window
        extended = 0
        for suspect in review.undecided():
            if suspect["detained"]:
                continue
            subject = review_subject(review.id, suspect["suspect_id"])
            for window in await uow.deadlines.running(
                subject_type=REVIEW, subject_id=subject, kind=Kind.ARREST_REVIEW_NOT_DETAINED
            ):
                if window.window < (longest or window.window):
                    await uow.deadlines.extend(
                        window.id,
                        approver=cmd.actor.username,
                        reason=cmd.reason,
                        window=longest,
                        actor=cmd.actor.username,
                    )
                    extended += 1
        if not extended:
            raise Conflict(
                "no window of this review can be extended: a detained suspect's never is, and the others are decided, "
                "already extended, or past their end",
                code="no_running_window",
            )
        await uow.commit()
        return review


async def record_person(cmd: commands.RecordPerson, uow: ProcuratorateUnitOfWork) -> ArrestReview:
    async with uow:
        review = await load_review(uow, cmd.review_id, cmd.actor)
        review.record_person(
            name=cmd.name,
            role=cmd.role,
            evidence=list(cmd.evidence),
            note=cmd.note,
            by=cmd.actor.username,
            at=uow.clock.now(),
        )
        await uow.commit()
        return review
