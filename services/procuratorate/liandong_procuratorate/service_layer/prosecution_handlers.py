"""审查起诉: the review window (prosecution_review, a month, +15 days on approval; on the fast track
prosecution_review_fast_track, 10 days, to 15) starts when a case arrives, is met by the decision — a return, a
decision not to prosecute, an indictment — and restarts, as the law says, when a returned case comes back (at most
twice). The restart follows the police's event; no one restarts a review by hand."""

from __future__ import annotations

from datetime import datetime

from liandong.documents.kinds import NON_PROSECUTION, PROSECUTION_RETURN
from liandong.errors import Conflict, DomainError, Forbidden, NotFound
from liandong.security import Principal
from liandong.sla.counting import SHANGHAI
from liandong.sla.kinds import Kind, kind
from liandong.units import can_see
from liandong_procuratorate.domain.prosecutions import ProsecutionReview, indictment_number
from liandong_procuratorate.service_layer import commands
from liandong_procuratorate.service_layer import documents as papers
from liandong_procuratorate.service_layer.handlers import CHIEF_PROSECUTOR, PROSECUTOR, SUPERVISOR, own_act
from liandong_procuratorate.service_layer.unit_of_work import ProcuratorateUnitOfWork

PROSECUTION = "prosecution_review"
GROUNDS = {
    "paid_and_minor": "提起公诉前履行全部或者部分执行义务，犯罪情节轻微（法释〔2024〕13号 第十一条）",
    "insufficient_evidence": "证据不足",
    "no_crime": "不构成犯罪",
    "minor": "犯罪情节轻微，不需要判处刑罚",
}


def review_kind(review: ProsecutionReview) -> Kind:
    return Kind.PROSECUTION_REVIEW_FAST_TRACK if review.fast_track else Kind.PROSECUTION_REVIEW


async def load_prosecution(
    uow: ProcuratorateUnitOfWork, review_id: str, actor: Principal, *, for_update: bool = True
) -> ProsecutionReview:
    review = await uow.prosecutions.get(review_id, for_update=for_update)
    if review is None:
        raise NotFound(f"no prosecution review {review_id}")
    if not can_see(actor.unit, review.unit):
        raise Forbidden(f"prosecution review {review_id} is for the procuratorate of unit {review.unit}")
    return review


def _role(actor: Principal, role: str, what: str) -> None:
    if actor.role != role:
        raise Forbidden(f"{what} is for a {role}")


async def _meet(uow: ProcuratorateUnitOfWork, review: ProsecutionReview, actor: Principal) -> None:
    now, by = uow.clock.now(), actor.username
    await uow.deadlines.meet(kind=review_kind(review), subject_type=PROSECUTION, subject_id=review.id, at=now, actor=by)


async def fast_track(cmd: commands.FastTrack, uow: ProcuratorateUnitOfWork) -> ProsecutionReview:
    """The month's window gives way to the fast track's 10 days, counted from the same arrival."""
    _role(cmd.actor, PROSECUTOR, "choosing the fast track")
    async with uow:
        review = await load_prosecution(uow, cmd.review_id, cmd.actor)
        review.choose_fast_track(
            guilty_plea=cmd.guilty_plea,
            agreement_signed_on=cmd.agreement_signed_on,
            likely_sentence_months=cmd.likely_sentence_months,
            by=cmd.actor.username,
        )
        for window in await uow.deadlines.running(
            subject_type=PROSECUTION, subject_id=review.id, kind=Kind.PROSECUTION_REVIEW
        ):
            await uow.deadlines.cancel(window.id, reason="认罪认罚，适用速裁程序", actor=cmd.actor.username)
        review.window_id = await uow.deadlines.start(
            kind=Kind.PROSECUTION_REVIEW_FAST_TRACK,
            subject_type=PROSECUTION,
            subject_id=review.id,
            correlation_id=review.correlation_id,
            unit=review.unit,
            started_at=review.received_at,
            actor=cmd.actor.username,
            custody=review.in_custody,
        )
        await uow.commit()
        return review


async def extend_review(cmd: commands.ExtendProsecutionReview, uow: ProcuratorateUnitOfWork) -> ProsecutionReview:
    _role(cmd.actor, SUPERVISOR, "extending a prosecution review")
    async with uow:
        review = await load_prosecution(uow, cmd.review_id, cmd.actor)
        windows = await uow.deadlines.running(subject_type=PROSECUTION, subject_id=review.id, kind=review_kind(review))
        if not windows:
            raise Conflict(f"review {review.id} has no running window", code="no_running_window")
        spec = kind(review_kind(review))
        if review.fast_track and not review.fast_track_extendable():
            raise DomainError(
                "the fast track is extended to 15 days only where more than a year's imprisonment may follow "
                "(CPL Art. 172)",
                code="extension_not_allowed",
            )
        if review.fast_track:
            await uow.deadlines.extend(
                windows[0].id, approver=cmd.actor.username, reason=cmd.reason, window=spec.max_window
            )
        else:
            await uow.deadlines.extend(
                windows[0].id, approver=cmd.actor.username, reason=cmd.reason, extra_days=spec.max_extra_days
            )
        await uow.commit()
        return review


async def return_for_investigation(
    cmd: commands.ReturnForInvestigation, uow: ProcuratorateUnitOfWork
) -> ProsecutionReview:
    """退回补充侦查: the review window is met by the return; it restarts when the case comes back."""
    _role(cmd.actor, PROSECUTOR, "returning a case")
    async with uow:
        review = await load_prosecution(uow, cmd.review_id, cmd.actor)
        back = review.return_for_investigation(outline=cmd.outline, by=cmd.actor.username, at=uow.clock.now())
        await _meet(uow, review, cmd.actor)
        await uow.issue_numbered(
            PROSECUTION_RETURN, papers.of_prosecution(review), papers.prosecution_return(review, back)
        )
        own_act(
            uow,
            correlation_id=review.correlation_id,
            unit=review.unit,
            event_type="procuratorate.prosecution.returned",
            summary=f"退回补充侦查（第{back['return_number']}次）{review.case_number}：{cmd.outline}",
        )
        await uow.commit()
        return review


async def decline_to_prosecute(cmd: commands.DeclineToProsecute, uow: ProcuratorateUnitOfWork) -> ProsecutionReview:
    """不起诉, proposed by the prosecutor: it takes effect when the chief prosecutor approves it."""
    _role(cmd.actor, PROSECUTOR, "proposing not to prosecute")
    if cmd.ground not in GROUNDS:
        raise DomainError(f"{cmd.ground!r} is not one of {sorted(GROUNDS)}", code="unknown_ground")
    async with uow:
        review = await load_prosecution(uow, cmd.review_id, cmd.actor)
        review.propose_non_prosecution(
            ground=cmd.ground, reasons=cmd.reasons, by=cmd.actor.username, at=uow.clock.now()
        )
        await uow.commit()
        return review


async def decide_non_prosecution(cmd: commands.DecideProposal, uow: ProcuratorateUnitOfWork) -> ProsecutionReview:
    """经检察长决定: the chief prosecutor approves the proposed non-prosecution (the review window is met, the police
    and the court are told) or rejects it (the review goes on)."""
    _role(cmd.actor, CHIEF_PROSECUTOR, "deciding a non-prosecution")
    async with uow:
        review = await load_prosecution(uow, cmd.record_id, cmd.actor)
        now = uow.clock.now()
        petition_until = uow.deadlines.due_at(Kind.VICTIM_PETITION_PERIOD, now)  # served on the creditor now
        if review.decide_proposal(
            approve=cmd.approve, note=cmd.note, by=cmd.actor.username, at=now, petition_until=petition_until
        ):
            decision = review.decision or {}
            await _meet(uow, review, cmd.actor)
            draw = papers.non_prosecution(review, decision["ground"])
            await uow.issue_numbered(NON_PROSECUTION, papers.of_prosecution(review), draw)
            own_act(
                uow,
                correlation_id=review.correlation_id,
                unit=review.unit,
                event_type="procuratorate.prosecution.declined",
                summary=f"不起诉决定 {review.case_number}（{GROUNDS[decision['ground']]}）：{decision['reasons']}",
            )
        await uow.commit()
        return review


async def record_petition(cmd: commands.RecordPetition, uow: ProcuratorateUnitOfWork) -> ProsecutionReview:
    """申诉 of the creditor against the non-prosecution (CPL Art. 180), received within 7 days of the decision's
    service: recorded on the review and on the matter's timeline for the procuratorate at the next level up."""
    _role(cmd.actor, PROSECUTOR, "recording a petition")
    async with uow:
        review = await load_prosecution(uow, cmd.review_id, cmd.actor)
        now = uow.clock.now()
        decision = review.decision or {}
        until = decision.get("petition_until")
        petition = review.record_petition(
            petitioner=cmd.petitioner,
            text=cmd.text,
            filed_at=cmd.filed_at or now,
            until=datetime.fromisoformat(until)
            if until
            else uow.deadlines.due_at(
                Kind.VICTIM_PETITION_PERIOD, datetime.fromisoformat(decision.get("at") or now.isoformat())
            ),
            by=cmd.actor.username,
            now=now,
        )
        own_act(
            uow,
            correlation_id=review.correlation_id,
            unit=review.unit,
            event_type="procuratorate.prosecution.petitioned",
            summary=f"被害人不服不起诉决定申诉（{review.case_number}）：{petition['petitioner']}",
        )
        await uow.commit()
        return review


async def indict(cmd: commands.Indict, uow: ProcuratorateUnitOfWork) -> ProsecutionReview:
    """起诉书 with the proposal on the assets involved, to the court of the county."""
    _role(cmd.actor, PROSECUTOR, "indicting")
    async with uow:
        review = await load_prosecution(uow, cmd.review_id, cmd.actor)
        now = uow.clock.now()
        year = now.astimezone(SHANGHAI).year
        number = indictment_number(review.unit, year, await uow.next_number("indictment", review.unit, year))
        review.indict(
            number=number,
            defendant_ids=list(cmd.defendant_ids) if cmd.defendant_ids is not None else None,
            charges=cmd.charges,
            asset_proposal=cmd.asset_proposal,
            by=cmd.actor.username,
            at=now,
            others=[dict(o) for o in cmd.others],
        )
        await _meet(uow, review, cmd.actor)
        await uow.issue_document(papers.indictment(review)(number), papers.of_prosecution(review))
        own_act(
            uow,
            correlation_id=review.correlation_id,
            unit=review.unit,
            event_type="procuratorate.prosecution.indicted",
            summary=f"提起公诉 {number}（{review.case_number}）：{cmd.charges}",
        )
        await uow.commit()
        return review
