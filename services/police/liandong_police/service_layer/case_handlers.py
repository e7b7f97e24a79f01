"""Command handlers of the bureau's cases: the investigation, detention, the arrest request and the execution of
the procuratorate's decision. Each runs in one unit of work and commits once.

Windows: a detention starts the window to request arrest approval (police_arrest_request, a custody period, per
detention), which the request meets; the first request also meets the investigation target (police_investigation);
a decision that must be executed starts the window to send the execution receipt (police_arrest_execution, per
request and suspect), which the execution meets.
"""

from __future__ import annotations

from datetime import datetime

from liandong.documents.kinds import POLICE_WITHDRAWAL_DECISION
from liandong.errors import Conflict, DomainError, Forbidden, NotFound
from liandong.security import Principal
from liandong.sla.kinds import Kind, kind
from liandong.units import can_see
from liandong_police.domain.cases import (
    APPROVE,
    Case,
    Custody,
    LogKind,
    arrest_request_number,
    local_year,
    transfer_number,
)
from liandong_police.service_layer import commands
from liandong_police.service_layer import documents as papers
from liandong_police.service_layer.roles import BUREAU_HEAD
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork

DETENTION = "detention"
EXECUTION = "arrest_execution"
CUSTODY = "investigation_custody"  # a suspect's custody after arrest, by case and suspect
GROUNDS = {"roving": "流窜作案", "repeated": "多次作案", "gang": "结伙作案"}  # CPL Art. 91: up to 30 days


def execution_subject(request_id: str, suspect_id: str) -> str:
    return f"{request_id}:{suspect_id}"


def custody_subject(case_id: str, suspect_id: str) -> str:
    return f"{case_id}:{suspect_id}"


async def load_case(
    uow: PoliceUnitOfWork, case_id: str, actor: Principal, *, for_update: bool = True, with_log: bool = False
) -> Case:
    """The case, locked for the act unless `for_update` is False; its investigation log read only `with_log`."""
    case = await uow.cases.get(case_id, for_update=for_update)
    if case is None:
        raise NotFound(f"no case {case_id}")
    if not can_see(actor.unit, case.police_unit):
        raise Forbidden(f"case {case_id} is of the bureau of unit {case.police_unit}")
    return await uow.cases.with_log(case) if with_log else case


async def add_suspect(cmd: commands.AddSuspect, uow: PoliceUnitOfWork) -> Case:
    async with uow:
        case = await load_case(uow, cmd.case_id, cmd.actor)
        case.add_suspect(
            name=cmd.name, kind=cmd.kind, role=cmd.role, id_number=cmd.id_number, represents=cmd.represents
        )
        await uow.commit()
        return case


async def record_investigation(cmd: commands.RecordInvestigation, uow: PoliceUnitOfWork) -> Case:
    """An entry appended to the log: written alone, without locking the case (entries recorded at once by two
    investigators are both kept, in the order they were written)."""
    async with uow:
        case = await load_case(uow, cmd.case_id, cmd.actor, for_update=False)
        case.record_investigation(
            kind=LogKind(cmd.kind),
            summary=cmd.summary,
            collected_at=cmd.collected_at,
            evidence=list(cmd.evidence),
            by=cmd.actor.username,
            now=uow.clock.now(),
        )
        await uow.commit()
        return case


async def detain(cmd: commands.Detain, uow: PoliceUnitOfWork) -> Case:
    """刑事拘留: the window to request arrest approval runs from the detention (3 days, custody)."""
    async with uow:
        case = await load_case(uow, cmd.case_id, cmd.actor)
        detention = case.detain(
            suspect_id=cmd.suspect_id,
            detained_at=cmd.detained_at,
            place=cmd.place,
            by=cmd.actor.username,
            now=uow.clock.now(),
            request_due_at=uow.deadlines.due_at(Kind.POLICE_ARREST_REQUEST, cmd.detained_at),
        )
        await _start(
            uow, case, Kind.POLICE_ARREST_REQUEST, DETENTION, detention["detention_id"], cmd.detained_at, cmd.actor
        )
        await uow.commit()
        return case


async def extend_detention_window(cmd: commands.ExtendDetentionWindow, uow: PoliceUnitOfWork) -> Case:
    """CPL Art. 91: 1 to 4 more days in special circumstances, or to 30 days for a roving, repeated or gang
    offender — never beyond 30 days in all."""
    if cmd.actor.role != BUREAU_HEAD:  # 县级以上公安机关负责人批准 (MPS Rules Art. 129)
        raise Forbidden("the window to request arrest approval is extended with the approval of a head of the bureau")
    if (cmd.extra_days is None) == (cmd.ground is None):
        raise DomainError("give either extra days (1 to 4) or the ground for 30 days", code="extension_shape")
    if not cmd.reason.strip():
        raise DomainError("an extension gives its reason", code="reason_required")
    async with uow:
        case = await load_case(uow, cmd.case_id, cmd.actor)
        detention = case.detention(cmd.detention_id)
        windows = await uow.deadlines.running(
            subject_type=DETENTION, subject_id=detention["detention_id"], kind=Kind.POLICE_ARREST_REQUEST
        )
        if not windows:
            raise Conflict(f"detention {cmd.detention_id} has no running window to extend", code="no_running_window")
        window = windows[0]
        longest = kind(Kind.POLICE_ARREST_REQUEST).max_window or window.window
        if cmd.ground is not None:
            reason, target = f"{GROUNDS[cmd.ground]}：{cmd.reason}", longest - window.extra_days
            if target <= window.window:
                raise DomainError(f"the window is already {longest} days", code="beyond_legal_maximum")
            extended = await uow.deadlines.extend(
                window.id, approver=cmd.actor.username, reason=reason, window=target, actor=cmd.actor.username
            )
        else:
            extra = cmd.extra_days or 0
            if window.window + window.extra_days + extra > longest:
                raise DomainError(f"the window may not pass {longest} days", code="beyond_legal_maximum")
            extended = await uow.deadlines.extend(
                window.id, approver=cmd.actor.username, reason=cmd.reason, extra_days=extra, actor=cmd.actor.username
            )
        case.record_detention_extension(
            cmd.detention_id, due_at=extended.due_at, by=cmd.actor.username, reason=cmd.reason, at=uow.clock.now()
        )
        await uow.commit()
        return case


async def end_custody(cmd: commands.EndCustody, uow: PoliceUnitOfWork) -> Case:
    """A detained person released, or on bail or under residential surveillance instead of an arrest request (MPS
    Rules Art. 131; a measure decided by a head of the bureau): the detention ends, and its window to request arrest
    approval is met — the person is no longer held."""
    if cmd.actor.role != BUREAU_HEAD:
        raise Forbidden("custody is ended with the approval of a head of the bureau")
    async with uow:
        case = await load_case(uow, cmd.case_id, cmd.actor)
        now = uow.clock.now()
        at = cmd.ended_at or now
        detention = case.end_custody(
            suspect_id=cmd.suspect_id,
            outcome=Custody(cmd.outcome),
            reason=cmd.reason,
            ended_at=at,
            by=cmd.actor.username,
            now=now,
        )
        if detention is not None:
            await _meet(uow, Kind.POLICE_ARREST_REQUEST, DETENTION, detention["detention_id"], at, cmd.actor)
        await uow.commit()
        return case


async def request_arrest(cmd: commands.RequestArrest, uow: PoliceUnitOfWork) -> Case:
    """提请批准逮捕书 to the procuratorate, with the referral's evidence and the investigation log: meets the
    detention windows of the detained suspects named, and the investigation target."""
    async with uow:
        case = await load_case(uow, cmd.case_id, cmd.actor, with_log=True)
        now = uow.clock.now()
        unit, year = case.police_unit, local_year(now)
        sequence = await uow.next_number("arrest_request", unit, year)
        referral = await uow.referrals.get(case.referral_id) if case.referral_id else None
        request = case.request_arrest(
            suspect_ids=list(cmd.suspect_ids),
            number=arrest_request_number(unit, year, sequence),
            evidence=referral.evidence if referral is not None else [],
            by=cmd.actor.username,
            at=now,
        )
        for suspect in request["suspects"]:
            detention = case.open_detention(suspect["suspect_id"])
            if detention is not None:
                await _meet(uow, Kind.POLICE_ARREST_REQUEST, DETENTION, detention["detention_id"], now, cmd.actor)
        await _meet(uow, Kind.POLICE_INVESTIGATION, "case", case.id, now, cmd.actor)
        await uow.issue_document(papers.arrest_request(case, request)(request["document_number"]), papers.of_case(case))
        await uow.commit()
        return case


async def execute_decision(cmd: commands.ExecuteDecision, uow: PoliceUnitOfWork) -> Case:
    """执行, and its 执行回执 now (or later, `send_receipt`). An approval's receipt is due 3 days after the execution
    (police_arrest_receipt, from executed_at); a refusal's, 3 days after it arrived (police_arrest_execution)."""
    async with uow:
        case = await load_case(uow, cmd.case_id, cmd.actor)
        now = uow.clock.now()
        executed_at = cmd.executed_at or now
        execution = case.execute(
            request_id=cmd.request_id,
            suspect_id=cmd.suspect_id,
            outcome=cmd.outcome,
            executed_at=executed_at,
            by=cmd.actor.username,
            now=now,
            failure_reason=cmd.failure_reason,
            receipt_now=cmd.receipt_now,
        )
        subject = execution_subject(cmd.request_id, cmd.suspect_id)
        if case.arrest_request(cmd.request_id)["decisions"][cmd.suspect_id]["decision"] == APPROVE:
            await _start(uow, case, Kind.POLICE_ARREST_RECEIPT, EXECUTION, subject, executed_at, cmd.actor)
        if cmd.outcome == Custody.ARRESTED:  # CPL Art. 156: two months' investigation custody from the arrest
            await _start(
                uow,
                case,
                Kind.POLICE_INVESTIGATION_CUSTODY,
                CUSTODY,
                custody_subject(case.id, cmd.suspect_id),
                executed_at,
                cmd.actor,
            )
        if execution["receipt_sent_at"] is not None:
            await _receipt_sent(uow, case, cmd.request_id, cmd.suspect_id, now, cmd.actor)
        await uow.commit()
        return case


# CPL Arts. 156, 158, 159: the investigation custody extended to 3, then 5, then 7 months, each approved by the
# procuratorate the article names
CUSTODY_EXTENSIONS = {"156": 3, "158": 5, "159": 7}


async def extend_custody(cmd: commands.ExtendCustody, uow: PoliceUnitOfWork) -> Case:
    """The investigation custody of an arrested suspect extended, as the procuratorate approved it: to 3 months
    (CPL Art. 156, the next level up), to 5 (Art. 158, the province's), to 7 (Art. 159) — each in its turn."""
    if cmd.actor.role != BUREAU_HEAD:
        raise Forbidden("an extension of custody is applied for and recorded by a head of the bureau")
    target = CUSTODY_EXTENSIONS.get(cmd.article)
    if target is None:
        raise DomainError(f"article {cmd.article} is not one of {sorted(CUSTODY_EXTENSIONS)}", code="unknown_article")
    async with uow:
        case = await load_case(uow, cmd.case_id, cmd.actor)
        suspect = case.suspect(cmd.suspect_id)
        windows = await uow.deadlines.running(
            subject_type=CUSTODY,
            subject_id=custody_subject(case.id, cmd.suspect_id),
            kind=Kind.POLICE_INVESTIGATION_CUSTODY,
        )
        if not windows:
            raise Conflict(f"{suspect['name']} has no investigation custody running", code="no_running_window")
        previous = {3: 2, 5: 3, 7: 5}[target]
        if windows[0].window != previous:
            raise Conflict(
                f"the custody is {windows[0].window} months: Art. {cmd.article} extends {previous} months to {target}",
                code="out_of_turn",
            )
        await uow.deadlines.extend(
            windows[0].id,
            approver=cmd.approved_by,
            reason=f"刑事诉讼法第{cmd.article}条：{cmd.reason}",
            window=target,
            actor=cmd.actor.username,
        )
        await uow.commit()
        return case


async def request_reconsideration(cmd: commands.RequestReconsideration, uow: PoliceUnitOfWork) -> Case:
    """要求复议 / 提请复核 of a refused arrest (CPL Art. 92), approved by a head of the bureau, within 5 days of the
    refusal's (or the 复议 decision's) receipt (MPS Rules Art. 143–144)."""
    if cmd.actor.role != BUREAU_HEAD:
        raise Forbidden("reconsideration is asked with the approval of a head of the bureau")
    async with uow:
        case = await load_case(uow, cmd.case_id, cmd.actor)
        received = case.reconsideration_limit_from(cmd.request_id, cmd.suspect_id)
        case.request_reconsideration(
            request_id=cmd.request_id,
            suspect_id=cmd.suspect_id,
            stage=cmd.stage,
            reasons=cmd.reasons,
            limit=uow.deadlines.due_at(Kind.POLICE_RECONSIDERATION_REQUEST, received),
            by=cmd.actor.username,
            now=uow.clock.now(),
        )
        await uow.commit()
        return case


async def send_receipt(cmd: commands.SendExecutionReceipt, uow: PoliceUnitOfWork) -> Case:
    """执行回执 of an execution recorded earlier: meets its window."""
    async with uow:
        case = await load_case(uow, cmd.case_id, cmd.actor)
        now = uow.clock.now()
        case.send_receipt(request_id=cmd.request_id, suspect_id=cmd.suspect_id, now=now)
        await _receipt_sent(uow, case, cmd.request_id, cmd.suspect_id, now, cmd.actor)
        await uow.commit()
        return case


async def _receipt_sent(
    uow: PoliceUnitOfWork, case: Case, request_id: str, suspect_id: str, at: datetime, actor: Principal
) -> None:
    subject = execution_subject(request_id, suspect_id)
    for receipt_kind in (Kind.POLICE_ARREST_RECEIPT, Kind.POLICE_ARREST_EXECUTION):
        await _meet(uow, receipt_kind, EXECUTION, subject, at, actor)


async def _start(
    uow: PoliceUnitOfWork,
    case: Case,
    kind_name: Kind,
    subject_type: str,
    subject_id: str,
    at: datetime,
    actor: Principal,
) -> None:
    """A window of the case's (its matter, its bureau) from `at`."""
    await uow.deadlines.start(
        kind=kind_name,
        subject_type=subject_type,
        subject_id=subject_id,
        correlation_id=case.correlation_id,
        unit=case.police_unit,
        started_at=at,
        actor=actor.username,
    )


async def _meet(
    uow: PoliceUnitOfWork, kind_name: Kind, subject_type: str, subject_id: str, at: datetime, actor: Principal
) -> None:
    await uow.deadlines.meet(
        kind=kind_name, subject_type=subject_type, subject_id=subject_id, at=at, actor=actor.username
    )


async def transfer_case(cmd: commands.TransferCase, uow: PoliceUnitOfWork) -> Case:
    """起诉意见书 with the file: meets the investigation target, or the month of a supplementary investigation."""
    async with uow:
        case = await load_case(uow, cmd.case_id, cmd.actor, with_log=True)
        now = uow.clock.now()
        unit, year = case.police_unit, local_year(now)
        referral = await uow.referrals.get(case.referral_id) if case.referral_id else None
        transfer = case.transfer(
            suspect_ids=list(cmd.suspect_ids) if cmd.suspect_ids is not None else None,
            number=transfer_number(unit, year, await uow.next_number("transfer", unit, year)),
            evidence=referral.evidence if referral is not None else [],
            by=cmd.actor.username,
            at=now,
        )
        for suspect_id in transfer["suspect_ids"]:  # held still: the custody goes with the case (the event says so)
            detention = case.open_detention(suspect_id)
            if detention is not None:
                await _meet(uow, Kind.POLICE_ARREST_REQUEST, DETENTION, detention["detention_id"], now, cmd.actor)
            subject = custody_subject(case.id, suspect_id)  # the investigation custody ends in the transfer
            await _meet(uow, Kind.POLICE_INVESTIGATION_CUSTODY, CUSTODY, subject, now, cmd.actor)
        await _meet(uow, Kind.POLICE_INVESTIGATION, "case", case.id, now, cmd.actor)
        await _meet(uow, Kind.POLICE_SUPPLEMENTARY_INVESTIGATION, "case", case.id, now, cmd.actor)
        draft = papers.transfer_opinion(case, transfer)(transfer["document_number"])
        await uow.issue_document(draft, papers.of_case(case))
        await uow.commit()
        return case


async def withdraw_case(cmd: commands.WithdrawCase, uow: PoliceUnitOfWork) -> Case:
    """撤销案件 (MPS Rules Art. 186: approved by a head of the bureau): the case's running windows end, and the
    court is to be told within 7 days."""
    if cmd.actor.role != BUREAU_HEAD:
        raise Forbidden("a case is withdrawn with the approval of a head of the bureau")
    async with uow:
        case = await load_case(uow, cmd.case_id, cmd.actor)
        now = uow.clock.now()
        open_detentions = [d["detention_id"] for d in case.detentions if d["ended_at"] is None]
        case.withdraw(ground=cmd.ground, reasons=cmd.reasons, by=cmd.actor.username, at=now)
        # the case's windows, each released person's window to request arrest approval, and every execution receipt
        # still owed (MPS Rules Art. 187: the persons are released, the procuratorate told)
        subjects = [("case", case.id), *((DETENTION, d) for d in open_detentions)]
        subjects += [(CUSTODY, custody_subject(case.id, s["suspect_id"])) for s in case.suspects]
        subjects += [
            (EXECUTION, execution_subject(r["request_id"], s))
            for r in case.arrest_requests
            for s in r["decisions"]
            if s not in r["executions"]
        ]
        for subject_type, subject_id in subjects:
            for window in await uow.deadlines.running(subject_type=subject_type, subject_id=subject_id):
                await uow.deadlines.cancel(window.id, reason=f"撤销案件：{cmd.reasons}", actor=cmd.actor.username)
        await _start(uow, case, Kind.POLICE_WITHDRAWAL_NOTICE, "case", case.id, now, cmd.actor)
        await uow.issue_numbered(POLICE_WITHDRAWAL_DECISION, papers.of_case(case), papers.withdrawal_decision(case))
        await uow.commit()
        return case


async def notify_withdrawal(cmd: commands.NotifyWithdrawal, uow: PoliceUnitOfWork) -> Case:
    """The withdrawal, with its reasons, served on the court: meets the 7-day window."""
    async with uow:
        case = await load_case(uow, cmd.case_id, cmd.actor)
        now = uow.clock.now()
        at = cmd.notified_at or now
        case.notify_withdrawal(at=at, now=now)
        await _meet(uow, Kind.POLICE_WITHDRAWAL_NOTICE, "case", case.id, at, cmd.actor)
        await uow.commit()
        return case
