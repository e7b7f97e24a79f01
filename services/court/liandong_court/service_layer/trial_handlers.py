"""The court's criminal side. A public prosecution's acceptance window (public_prosecution_acceptance, 7 days) runs
from the indictment's arrival; a private complaint's (private_prosecution_acceptance, 15 days) from its filing; each
is met by the decision. The trial period (trial_period, two months; a private prosecution at liberty six) runs from
the acceptance and is met by the judgment. A judgment's appeal period (10 days from the day after the written
judgment's receipt) is computed by the calendar and shown; an amount recovered for the creditor is paid into the
lead."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from liandong.contracts import in_custody
from liandong.documents.kinds import JUDGMENT
from liandong.documents.store import Placement
from liandong.errors import Conflict, Forbidden, NotFound
from liandong.security import Principal
from liandong.sla.counting import SHANGHAI
from liandong.sla.kinds import Kind
from liandong.units import can_see, court_code_of
from liandong_court.domain.leads import Lead
from liandong_court.domain.records import Payment
from liandong_court.domain.trials import Trial, TrialKind
from liandong_court.service_layer import commands
from liandong_court.service_layer import documents as court_documents
from liandong_court.service_layer.handlers import CRIMINAL_JUDGE, load_lead, meet_debtor_window
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork

TRIAL = "trial"
ACCEPTANCE = {
    TrialKind.PUBLIC: Kind.PUBLIC_PROSECUTION_ACCEPTANCE,
    TrialKind.PRIVATE: Kind.PRIVATE_PROSECUTION_ACCEPTANCE,
}


def _judge(actor: Principal, what: str) -> None:
    if actor.role != CRIMINAL_JUDGE:
        raise Forbidden(f"{what} is for a criminal judge")


async def load_trial(uow: CourtUnitOfWork, trial_id: str, actor: Principal, *, for_update: bool = True) -> Trial:
    trial = await uow.trials.get(trial_id, for_update=for_update)
    if trial is None:
        raise NotFound(f"no trial {trial_id}")
    if not can_see(actor.unit, trial.court_unit):
        raise Forbidden(f"trial {trial_id} is before the court of unit {trial.court_unit}")
    return trial


async def _start(
    uow: CourtUnitOfWork, trial: Trial, kind: Kind, at: datetime, actor: Principal, *, custody: bool | None = None
) -> None:
    """A window of the trial (its subject), in the matter of its lead, at its court."""
    await uow.deadlines.start(
        kind=kind,
        subject_type=TRIAL,
        subject_id=trial.id,
        correlation_id=trial.lead_id,
        unit=trial.court_unit,
        started_at=at,
        actor=actor.username,
        custody=custody,
    )


async def _meet_acceptance(uow: CourtUnitOfWork, trial: Trial, actor: Principal) -> None:
    await uow.deadlines.meet(
        kind=ACCEPTANCE[trial.kind], subject_type=TRIAL, subject_id=trial.id, at=uow.clock.now(), actor=actor.username
    )


def trial_period(trial: Trial, defendants_held: bool) -> tuple[Kind, bool]:
    """The trial's period and whether it is a custody period: two months for a public prosecution, or a private one
    whose defendant is held (CPL Art. 208, 212); six months for a private prosecution at liberty."""
    held = defendants_held or in_custody(trial.defendants)
    if trial.kind is TrialKind.PRIVATE and not held:
        return Kind.PRIVATE_TRIAL_AT_LIBERTY, False
    return Kind.TRIAL_PERIOD, held


async def accept_trial(cmd: commands.AcceptTrial, uow: CourtUnitOfWork) -> Trial:
    """受理: the acceptance window is met and the trial period starts (CPL Art. 208, 212)."""
    _judge(cmd.actor, "accepting a prosecution")
    async with uow:
        trial = await load_trial(uow, cmd.trial_id, cmd.actor)
        now = uow.clock.now()
        trial.accept(number=cmd.court_case_number, by=cmd.actor.username, at=now)
        await _meet_acceptance(uow, trial, cmd.actor)
        period, held = trial_period(trial, cmd.defendants_held)
        await _start(uow, trial, period, now, cmd.actor, custody=held)
        await uow.commit()
        return trial


async def return_prosecution(cmd: commands.ReturnProsecution, uow: CourtUnitOfWork) -> Trial:
    """退回人民检察院 (SPC Interpretation Art. 219): the acceptance is decided — the prosecution is not taken up."""
    _judge(cmd.actor, "returning a prosecution")
    async with uow:
        trial = await load_trial(uow, cmd.trial_id, cmd.actor)
        trial.return_to_procuratorate(ground=cmd.ground, reasons=cmd.reasons, by=cmd.actor.username, at=uow.clock.now())
        await _meet_acceptance(uow, trial, cmd.actor)
        for window in await uow.deadlines.running(
            subject_type=TRIAL, subject_id=trial.id, kind=Kind.PUBLIC_PROSECUTION_MATERIALS
        ):
            await uow.deadlines.cancel(window.id, reason="退回人民检察院", actor=cmd.actor.username)
        await uow.commit()
        return trial


async def request_materials(cmd: commands.RequestMaterials, uow: CourtUnitOfWork) -> Trial:
    """通知补送材料: the procuratorate has 3 days (SPC Interpretation Art. 219); the court tracks them."""
    _judge(cmd.actor, "asking for materials")
    async with uow:
        trial = await load_trial(uow, cmd.trial_id, cmd.actor)
        now = uow.clock.now()
        trial.request_materials(
            missing=cmd.missing,
            due_at=uow.deadlines.due_at(Kind.PUBLIC_PROSECUTION_MATERIALS, now),
            by=cmd.actor.username,
            at=now,
        )
        await _start(uow, trial, Kind.PUBLIC_PROSECUTION_MATERIALS, now, cmd.actor)
        await uow.commit()
        return trial


async def materials_received(cmd: commands.MaterialsReceived, uow: CourtUnitOfWork) -> Trial:
    """The procuratorate's supplement arrived: meets its 3 days."""
    _judge(cmd.actor, "recording the materials")
    async with uow:
        trial = await load_trial(uow, cmd.trial_id, cmd.actor)
        now = uow.clock.now()
        at = cmd.received_at or now
        trial.materials_received(at=at, now=now)
        await uow.deadlines.meet(
            kind=Kind.PUBLIC_PROSECUTION_MATERIALS, subject_type=TRIAL, subject_id=trial.id, at=at,
            actor=cmd.actor.username,
        )  # fmt: skip
        await uow.commit()
        return trial


async def extend_trial(cmd: commands.ExtendTrial, uow: CourtUnitOfWork) -> Trial:
    """The trial period extended, as approved: to three months at the latest, then three more with the approval of
    the court above (CPL Art. 208)."""
    _judge(cmd.actor, "extending a trial period")
    async with uow:
        trial = await load_trial(uow, cmd.trial_id, cmd.actor)
        windows = await uow.deadlines.running(subject_type=TRIAL, subject_id=trial.id, kind=Kind.TRIAL_PERIOD)
        if not windows:
            raise Conflict(f"trial {trial.id} has no trial period that extends", code="no_running_window")
        await uow.deadlines.extend(
            windows[0].id, approver=cmd.approved_by, reason=cmd.reason, window=cmd.months, actor=cmd.actor.username
        )
        await uow.commit()
        return trial


async def _end_trial_period(uow: CourtUnitOfWork, trial: Trial, actor: Principal, *, met: bool, why: str) -> None:
    for window in await uow.deadlines.running(subject_type=TRIAL, subject_id=trial.id):
        if window.kind in (Kind.TRIAL_PERIOD, Kind.PRIVATE_TRIAL_AT_LIBERTY):
            if met:
                await uow.deadlines.meet(
                    kind=window.kind, subject_type=TRIAL, subject_id=trial.id, at=uow.clock.now(), actor=actor.username
                )
            else:
                await uow.deadlines.cancel(window.id, reason=why, actor=actor.username)


async def reject_complaint(cmd: commands.RejectComplaint, uow: CourtUnitOfWork) -> Trial:
    _judge(cmd.actor, "rejecting a complaint")
    async with uow:
        trial = await load_trial(uow, cmd.trial_id, cmd.actor)
        trial.reject(reasons=cmd.reasons, by=cmd.actor.username, at=uow.clock.now())
        await _meet_acceptance(uow, trial, cmd.actor)
        await uow.commit()
        return trial


async def record_hearing(cmd: commands.RecordHearing, uow: CourtUnitOfWork) -> Trial:
    _judge(cmd.actor, "recording a hearing")
    async with uow:
        trial = await load_trial(uow, cmd.trial_id, cmd.actor)
        trial.record_hearing(held_on=cmd.held_on, note=cmd.note, by=cmd.actor.username)
        await uow.commit()
        return trial


async def judge_trial(cmd: commands.JudgeTrial, uow: CourtUnitOfWork) -> Trial:
    """判决: reaches the police and the procuratorate; the amount recovered counts in the lead."""
    _judge(cmd.actor, "a judgment")
    async with uow:
        trial = await load_trial(uow, cmd.trial_id, cmd.actor)
        now = uow.clock.now()
        judged_at = cmd.judged_at or now
        served_at = cmd.served_at  # the appeal period runs from the day after the written judgment's receipt
        lead = await uow.leads.get(trial.lead_id, for_update=True)
        owed = lead.unpaid if lead is not None and lead.status.value not in CLOSED_LEADS else None
        trial.judge(
            sentences=list(cmd.sentences),
            recovered=cmd.recovered,
            owed=owed,
            over_reason=cmd.recovered_over_reason,
            judged_at=judged_at,
            served_at=served_at,
            appeal_ends_at=uow.deadlines.due_at(Kind.JUDGMENT_APPEAL_PERIOD, served_at) if served_at else None,
            by=cmd.actor.username,
            now=now,
        )
        await _end_trial_period(uow, trial, cmd.actor, met=True, why="")
        # the judgment bears its case's number (刑初), as a judgment does; one accepted without a number is given one
        place = Placement("court", trial.court_unit, "trial", trial.id, trial.lead_id)
        draw = court_documents.judgment(trial)
        if trial.court_case_number:
            await uow.issue_document(draw(trial.court_case_number), place)
        else:
            await uow.issue_numbered(JUDGMENT, place, draw, scope=court_code_of(trial.court_unit))
        if cmd.recovered > 0 and lead is not None and owed is not None:
            await _recovered(uow, trial, lead, cmd.recovered, cmd.recovered_over_reason, cmd.actor)
        await uow.commit()
        return trial


async def record_judgment_service(cmd: commands.RecordJudgmentService, uow: CourtUnitOfWork) -> Trial:
    """The written judgment received by the parties: the appeal period (10 days) runs from the day after (CPL Art.
    230), and is shown on the judgment."""
    _judge(cmd.actor, "recording the judgment's service")
    async with uow:
        trial = await load_trial(uow, cmd.trial_id, cmd.actor)
        now = uow.clock.now()
        trial.judgment_served(
            served_at=cmd.served_at,
            appeal_ends_at=uow.deadlines.due_at(Kind.JUDGMENT_APPEAL_PERIOD, cmd.served_at),
            now=now,
        )
        await uow.commit()
        return trial


CLOSED_LEADS = ("performed", "not_suspected")  # a judgment's recovery is not paid into these


async def _recovered(
    uow: CourtUnitOfWork, trial: Trial, lead: Lead, amount: Decimal, over_reason: str | None, actor: Principal
) -> None:
    """The amount a judgment recovered, paid into the open enforcement lead; above what the lead still owes with the
    judge's reason (checked by the judgment)."""
    now = uow.clock.now()
    over = over_reason if amount > lead.unpaid else None
    lead.record_payment(amount, over_reason=over, at=now)
    uow.payments.add(
        Payment(
            id=str(uuid.uuid4()),
            lead_id=lead.id,
            amount=amount,
            paid_on=now.astimezone(SHANGHAI).date(),
            channel="criminal_judgment",
            note=f"刑事判决追缴（{trial.court_case_number}）",
            over_reason=over,
            recorded_at=now,
            recorded_by=actor.username,
        )
    )
    await meet_debtor_window(uow, lead, actor)


# what the police and the procuratorate report of a filed referral's case when they let it go (CPL Art. 210(3))
DROPPED = {"police.case.withdrawn": "withdrawn", "procuratorate.prosecution.declined": "not_prosecuted"}


async def _dropped(uow: CourtUnitOfWork, lead_id: str, referral_id: str) -> str | None:
    """Whether the police withdrew, or the procuratorate declined to prosecute, the case filed on the referral."""
    for case in await uow.police_cases.for_lead(lead_id):
        if case.referral_id == referral_id:
            for milestone in case.milestones or []:
                if milestone["event_type"] in DROPPED:
                    return DROPPED[milestone["event_type"]]
    return None


async def explain_private_option(cmd: commands.ExplainPrivateOption, uow: CourtUnitOfWork) -> Trial:
    """自诉: the police declined, or stayed silent past their window — or, the referral filed, the case was withdrawn
    or not prosecuted (CPL Art. 210(3)); the court explains the creditor's option."""
    async with uow:
        referral = await uow.referrals.get(cmd.referral_id)
        if referral is None:
            raise NotFound(f"no referral {cmd.referral_id}")
        lead = await load_lead(uow, referral.lead_id, cmd.actor)
        now = uow.clock.now()
        referral.let_go(
            filing_due_at=referral.filing_due_at
            or uow.deadlines.due_at(Kind.POLICE_FILING_DECISION, referral.submitted_at),
            at=now,
            dropped=await _dropped(uow, lead.id, referral.id),
        )
        trial = Trial.private(
            lead_id=lead.id,
            court_unit=lead.unit,
            referral_id=referral.id,
            creditor=cmd.creditor,
            explained_on=cmd.explained_on,
            by=cmd.actor.username,
            now=now,
            earlier=await uow.trials.for_lead(lead.id),
        )
        uow.trials.add(trial)
        await uow.commit()
        return trial


async def register_complaint(cmd: commands.RegisterComplaint, uow: CourtUnitOfWork) -> Trial:
    """刑事自诉状: the 15-day window to decide acceptance runs from its filing."""
    async with uow:
        trial = await load_trial(uow, cmd.trial_id, cmd.actor)
        now = uow.clock.now()
        filed_at = cmd.filed_at or now
        trial.register_complaint(
            complainant=cmd.complainant, text=cmd.text, defendants=list(cmd.defendants), filed_at=filed_at, now=now
        )
        await _start(uow, trial, Kind.PRIVATE_PROSECUTION_ACCEPTANCE, filed_at, cmd.actor)
        await uow.commit()
        return trial


async def close_private(cmd: commands.ClosePrivateProsecution, uow: CourtUnitOfWork) -> Trial:
    _judge(cmd.actor, "closing a private prosecution")
    async with uow:
        trial = await load_trial(uow, cmd.trial_id, cmd.actor)
        trial.close_private(outcome=cmd.outcome, reasons=cmd.reasons, by=cmd.actor.username, at=uow.clock.now())
        await _end_trial_period(uow, trial, cmd.actor, met=False, why=f"自诉案件{cmd.outcome}：{cmd.reasons}")
        await uow.commit()
        return trial
