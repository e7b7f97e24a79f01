"""Command handlers of the police: each runs in one unit of work and commits once.

The filing window (police_filing_decision) starts when the referral arrives (the police must accept it) and is met
by the decision, which an investigator proposes and a bureau head approves (MPS Rules Art. 178); a decline starts
the window to serve the notice on the court (police_non_filing_notice), which ends with the review period and no
later than seven days after the decision; filing starts the investigation window.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from liandong.documents.kinds import POLICE_NON_FILING_NOTICE
from liandong.errors import Conflict, DomainError, Forbidden, NotFound
from liandong.security import Principal
from liandong.sla.kinds import Kind
from liandong.units import can_see
from liandong_police.domain.cases import Case, suspects_from_filing
from liandong_police.domain.model import SHANGHAI, Referral, case_number, check_case_number
from liandong_police.service_layer import commands
from liandong_police.service_layer import documents as papers
from liandong_police.service_layer.roles import BUREAU_HEAD
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork

EXTENDED_FILING_DAYS = 30


async def _referral(uow: PoliceUnitOfWork, referral_id: str, actor: Principal) -> Referral:
    referral = await uow.referrals.get(referral_id, for_update=True)
    if referral is None:
        raise NotFound(f"no referral {referral_id}")
    if not can_see(actor.unit, referral.police_unit):
        raise Forbidden(f"referral {referral.id} is for the bureau of unit {referral.police_unit}")
    return referral


async def _start(
    uow: PoliceUnitOfWork,
    kind: Kind,
    subject: tuple[str, str],
    referral: Referral,
    at: datetime,
    actor: Principal,
    not_after: datetime | None = None,
) -> None:
    await uow.deadlines.start(
        not_after=not_after,
        kind=kind,
        subject_type=subject[0],
        subject_id=subject[1],
        correlation_id=referral.lead_id,
        unit=referral.police_unit,
        started_at=at,
        actor=actor.username,
    )


async def _meet(uow: PoliceUnitOfWork, kind: Kind, referral: Referral, at: datetime, actor: Principal) -> None:
    await uow.deadlines.meet(kind=kind, subject_type="referral", subject_id=referral.id, at=at, actor=actor.username)


async def register_referral(cmd: commands.RegisterReferral, uow: PoliceUnitOfWork) -> Referral:
    async with uow:
        referral = await _referral(uow, cmd.referral_id, cmd.actor)
        now = uow.clock.now()
        unit, year = referral.police_unit, now.astimezone(SHANGHAI).year
        sequence = await uow.next_number(
            "receipt", unit, year, issued=lambda: uow.referrals.receipts_issued(unit, year)
        )
        referral.register(by=cmd.actor.username, at=now, sequence=sequence)
        await uow.issue_document(papers.receipt(referral)(str(referral.receipt_number)), papers.of_referral(referral))
        if not await uow.deadlines.running(
            subject_type="referral", subject_id=referral.id, kind=Kind.POLICE_FILING_DECISION
        ):  # a referral that arrived before windows started at arrival: its window still runs from arrival
            await _start(
                uow, Kind.POLICE_FILING_DECISION, ("referral", referral.id), referral, referral.arrived_at, cmd.actor
            )
        await uow.commit()
        return referral


async def propose_decision(cmd: commands.ProposeDecision, uow: PoliceUnitOfWork) -> Referral:
    """呈请立案 / 呈请不予立案: an investigator proposes; nothing is decided until a head approves."""
    async with uow:
        referral = await _referral(uow, cmd.referral_id, cmd.actor)
        if cmd.decision == "file" and cmd.suspect_names is not None:
            known = {s["name"] for s in referral.suspects}
            unknown = [n for n in cmd.suspect_names if n not in known]
            if unknown:
                raise DomainError(f"{unknown} are not suspects named in the referral", code="unknown_suspects")
        proposal = {
            "decision": cmd.decision,
            "case_number": cmd.case_number,
            "suspect_names": cmd.suspect_names,
            "reasons": cmd.reasons,
        }
        if cmd.decision == "file" and cmd.case_number is not None:
            await check_number_free(uow, cmd.case_number)  # and again at the approval, in its transaction
        referral.propose(proposal, by=cmd.actor.username, at=uow.clock.now())
        await uow.commit()
        return referral


async def approve_decision(cmd: commands.ApproveDecision, uow: PoliceUnitOfWork) -> Referral:
    """The head's approval (经县级以上公安机关负责人批准): the proposal takes effect now, in the head's name; or it is
    sent back with a note."""
    if cmd.actor.role != BUREAU_HEAD:
        raise Forbidden("filing and declining are approved by a head of the bureau (县级以上公安机关负责人)")
    async with uow:
        referral = await _referral(uow, cmd.referral_id, cmd.actor)
        if not cmd.approve:
            referral.return_proposal(note=cmd.note or "", by=cmd.actor.username)
            await uow.commit()
            return referral
        proposal = referral.pending_proposal(cmd.actor.username)
        if proposal["decision"] == "file":
            await _file(uow, referral, proposal, cmd.actor)
        else:
            await _decline(uow, referral, str(proposal["reasons"]), cmd.actor)
        await uow.commit()
        return referral


async def case_number_for(uow: PoliceUnitOfWork, number: str | None, unit: str, at: datetime) -> str:
    """The 立案 number of a case about to open: the bureau's own, checked free in this transaction (a number names
    one case), or the next of the bureau's register."""
    if number is not None:
        check_case_number(number)
        await check_number_free(uow, number)
        return number
    year = at.astimezone(SHANGHAI).year
    sequence = await uow.next_number("case", unit, year, issued=lambda: uow.referrals.case_numbers_issued(unit, year))
    return case_number(unit, year, sequence)


async def check_number_free(uow: PoliceUnitOfWork, number: str) -> None:
    if await uow.cases.number_taken(number):
        raise Conflict(f"case number {number} already names a case of the register", code="case_number_taken")


async def _file(uow: PoliceUnitOfWork, referral: Referral, proposal: dict[str, Any], head: Principal) -> None:
    names = proposal.get("suspect_names")
    suspects = referral.suspects if names is None else [s for s in referral.suspects if s["name"] in names]
    await file_referral(uow, referral, suspects, proposal.get("case_number"), head)


async def file_referral(
    uow: PoliceUnitOfWork,
    referral: Referral,
    suspects: list[dict[str, Any]],
    number: str | None,
    head: Principal,
    *,
    on_notice: bool = False,
) -> Case:
    """立案 on a referral, by a head's approval or on the procuratorate's notice (then also after a decline): the
    bureau's case opens, the filing window is met, the investigation target starts."""
    now = uow.clock.now()
    number = await case_number_for(uow, number, referral.police_unit, now)
    case_id = str(uuid.uuid4())
    referral.file(case_id=case_id, number=number, suspects=suspects, by=head.username, at=now, on_notice=on_notice)
    case = Case.open(
        id=case_id,
        referral_id=referral.id,
        correlation_id=referral.lead_id,
        police_unit=referral.police_unit,
        case_number=number,
        suspects=suspects_from_filing(suspects),
        by=head.username,
        at=now,
    )
    await open_case(uow, case, head)
    await uow.issue_document(papers.filing_decision(referral, case)(number), papers.of_case(case))
    await _meet(uow, Kind.POLICE_FILING_DECISION, referral, now, head)
    for moot in await uow.deadlines.running(
        subject_type="referral", subject_id=referral.id, kind=Kind.POLICE_NON_FILING_NOTICE
    ):  # a decline not yet served, overtaken by the filing
        await uow.deadlines.cancel(moot.id, reason="已依通知立案，不予立案通知书不再送达", actor=head.username)
    return case


async def open_case(uow: PoliceUnitOfWork, case: Case, head: Principal) -> Case:
    """A filed case in the bureau's register — on a referral or a co-offender's notice: the investigation target
    starts with it."""
    uow.cases.add(case)
    await uow.deadlines.start(
        kind=Kind.POLICE_INVESTIGATION,
        subject_type="case",
        subject_id=case.id,
        correlation_id=case.correlation_id,
        unit=case.police_unit,
        started_at=case.opened_at,
        actor=head.username,
    )
    return case


async def _decline(uow: PoliceUnitOfWork, referral: Referral, reasons: str, head: Principal) -> None:
    now = uow.clock.now()
    windows = await uow.deadlines.running(
        subject_type="referral", subject_id=referral.id, kind=Kind.POLICE_FILING_DECISION
    )
    referral.decline(reasons=reasons, by=head.username, at=now)
    await uow.issue_numbered(POLICE_NON_FILING_NOTICE, papers.of_referral(referral), papers.non_filing_notice(referral))
    await _meet(uow, Kind.POLICE_FILING_DECISION, referral, now, head)
    # the notice is served within the review period, and no later than seven days after the decision
    review_ends = windows[0].due_at if windows else None
    subject = ("referral", referral.id)
    await _start(uow, Kind.POLICE_NON_FILING_NOTICE, subject, referral, now, head, not_after=review_ends)


async def serve_decline(cmd: commands.ServeDecline, uow: PoliceUnitOfWork) -> Referral:
    async with uow:
        referral = await _referral(uow, cmd.referral_id, cmd.actor)
        at = cmd.served_at or uow.clock.now()
        referral.serve_decline(at=at, now=uow.clock.now())
        await _meet(uow, Kind.POLICE_NON_FILING_NOTICE, referral, at, cmd.actor)
        await uow.commit()
        return referral


async def extend_filing_window(cmd: commands.ExtendFilingWindow, uow: PoliceUnitOfWork) -> Referral:
    """重大、复杂: the filing window goes to 30 days, approved by the supervisor making the request."""
    async with uow:
        referral = await _referral(uow, cmd.referral_id, cmd.actor)
        windows = await uow.deadlines.running(
            subject_type="referral", subject_id=referral.id, kind=Kind.POLICE_FILING_DECISION
        )
        if not windows:
            raise DomainError(f"referral {referral.id} has no running filing window", code="no_running_window")
        extended = await uow.deadlines.extend(
            windows[0].id,
            approver=cmd.actor.username,
            reason=cmd.reason,
            window=EXTENDED_FILING_DAYS,
            actor=cmd.actor.username,
        )
        referral.extend(
            window_days=EXTENDED_FILING_DAYS,
            due_at=extended.due_at,
            approver=cmd.actor.username,
            reason=cmd.reason,
            at=uow.clock.now(),
        )
        await uow.commit()
        return referral
