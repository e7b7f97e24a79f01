"""Command handlers of the court: each runs in one unit of work and commits once.

Deadlines change in the same transaction as the act that changes them: serving the notice starts the debtor's
window, full performance meets it, a withdrawal cancels the court's mirror of the police filing window.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from datetime import datetime

from liandong.documents import kinds
from liandong.documents.render import Draft
from liandong.documents.store import Placement
from liandong.errors import Conflict, DomainError, Forbidden, NotFound
from liandong.security import Principal
from liandong.sla.counting import SHANGHAI
from liandong.sla.kinds import Kind
from liandong.units import can_see
from liandong_court.domain.cases import EnforcementCase
from liandong_court.domain.leads import Lead, LeadSource, LeadStatus
from liandong_court.domain.publicity import Channel, PublicityPiece, TypicalCase
from liandong_court.domain.records import Evidence, Payment, Settlement
from liandong_court.domain.referrals import Referral, ReferralStatus
from liandong_court.domain.rules import normalize_case_number
from liandong_court.service_layer import commands
from liandong_court.service_layer import documents as court_documents
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork

CRIMINAL_JUDGE = "criminal_judge"


def _in_unit(actor: Principal, unit: str, what: str) -> None:
    if not can_see(actor.unit, unit):
        raise Forbidden(f"{what} belongs to unit {unit}")


async def load_lead(uow: CourtUnitOfWork, lead_id: str, actor: Principal) -> Lead:
    lead = await uow.leads.get(lead_id, for_update=True)
    if lead is None:
        raise NotFound(f"no lead {lead_id}")
    _in_unit(actor, lead.unit, f"lead {lead_id}")
    return lead


async def import_case(cmd: commands.ImportCase, uow: CourtUnitOfWork) -> EnforcementCase:
    _in_unit(cmd.actor, cmd.unit, "the case")
    async with uow:
        if await uow.cases.by_number(normalize_case_number(cmd.case_number)) is not None:
            raise Conflict(f"case {cmd.case_number} is already imported", code="duplicate_case")
        case = EnforcementCase(
            id=str(uuid.uuid4()),
            unit=cmd.unit,
            case_number=cmd.case_number,
            creditor=cmd.creditor,
            debtors=cmd.debtors,
            amount_owed=cmd.amount_owed,
            amount_paid=cmd.amount_paid,
            closure_type=cmd.closure_type,
            closure_date=cmd.closure_date,
            focus_categories=cmd.focus_categories,
            imported_at=uow.clock.now(),
            imported_by=cmd.actor.username,
        )
        uow.cases.add(case)
        await uow.commit()
        return case


async def create_lead(cmd: commands.CreateLead, uow: CourtUnitOfWork) -> Lead:
    _in_unit(cmd.actor, cmd.unit, "the lead")
    async with uow:
        lead = Lead(
            id=str(uuid.uuid4()),
            unit=cmd.unit,
            enforcement_case_number=cmd.enforcement_case_number,
            source=cmd.source,
            suspects=tuple(cmd.suspects),
            amount_owed=cmd.amount_owed,
            amount_paid=cmd.amount_paid,
            summary=cmd.summary,
            created_at=uow.clock.now(),
            created_by=cmd.actor.username,
            tip_channel=cmd.tip_channel,
            tipster_name=cmd.tipster_name,
            tipster_contact=cmd.tipster_contact,
            enforcement_basis=cmd.enforcement_basis,
            creditor=cmd.creditor,
        )
        uow.leads.add(lead)
        await uow.commit()
        return lead


async def create_lead_from_case(cmd: commands.CreateLeadFromCase, uow: CourtUnitOfWork) -> Lead:
    async with uow:
        case = await uow.cases.get(cmd.case_id)
        if case is None:
            raise NotFound(f"no enforcement case {cmd.case_id}")
        _in_unit(cmd.actor, case.unit, f"case {case.case_number}")
        lead = Lead(
            id=str(uuid.uuid4()),
            unit=case.unit,
            enforcement_case_number=case.case_number,
            enforcement_case_id=case.id,
            source=LeadSource.CASE_SCREENING,
            suspects=(*case.suspects(), *cmd.extra_suspects),
            enforcement_basis=cmd.enforcement_basis,
            creditor=case.creditor,
            amount_owed=case.amount_owed,
            amount_paid=case.amount_paid,
            summary=cmd.summary,
            created_at=uow.clock.now(),
            created_by=cmd.actor.username,
        )
        uow.leads.add(lead)
        await uow.commit()
        return lead


async def attach_evidence(cmd: commands.AttachEvidence, uow: CourtUnitOfWork) -> Evidence:
    digest = hashlib.sha256(cmd.content).hexdigest()
    async with uow:
        lead = await load_lead(uow, cmd.lead_id, cmd.actor)
        if lead.status in (LeadStatus.PERFORMED, LeadStatus.NOT_SUSPECTED):
            raise Conflict(f"lead {lead.id} is closed", code="lead_closed")
        if await uow.evidence.on_lead(lead.id, digest) is not None:
            raise Conflict(f"this file (sha256 {digest}) is already attached to the lead", code="duplicate_evidence")
        await uow.evidence.store_content(digest, cmd.content)
        item = Evidence(
            id=str(uuid.uuid4()),
            lead_id=lead.id,
            sha256=digest,
            evidence_class=cmd.evidence_class,
            evidence_type=cmd.evidence_type,
            filename=cmd.filename,
            content_type=cmd.content_type,
            size_bytes=len(cmd.content),
            description=cmd.description,
            uploaded_at=uow.clock.now(),
            uploaded_by=cmd.actor.username,
        )
        uow.evidence.add(item)
        await uow.commit()
        return item


async def assess_lead(cmd: commands.AssessLead, uow: CourtUnitOfWork) -> Lead:
    async with uow:
        lead = await load_lead(uow, cmd.lead_id, cmd.actor)
        lead.assess(cmd.conclusion, cmd.reasons, by=cmd.actor.username, at=uow.clock.now())
        if lead.status is LeadStatus.NOT_SUSPECTED:
            await _close_debtor_window(uow, lead, "assessed not suspected: the lead is closed", cmd.actor)
        await uow.commit()
        return lead


async def record_particulars(cmd: commands.RecordParticulars, uow: CourtUnitOfWork) -> Lead:
    async with uow:
        lead = await load_lead(uow, cmd.lead_id, cmd.actor)
        lead.record_particulars(enforcement_basis=cmd.enforcement_basis, creditor=cmd.creditor)
        await uow.commit()
        return lead


async def add_coercive_measure(cmd: commands.AddCoerciveMeasure, uow: CourtUnitOfWork) -> Lead:
    async with uow:
        lead = await load_lead(uow, cmd.lead_id, cmd.actor)
        lead.add_coercive_measure(cmd.measure)
        await uow.commit()
        return lead


async def reopen_lead(cmd: commands.ReopenLead, uow: CourtUnitOfWork) -> Lead:
    """A lead assessed 'not suspected' opened again on new evidence, by a criminal judge, with the reason kept."""
    if cmd.actor.role != CRIMINAL_JUDGE:
        raise Forbidden("only a criminal judge reopens a lead assessed not suspected")
    async with uow:
        lead = await load_lead(uow, cmd.lead_id, cmd.actor)
        lead.reopen(reason=cmd.reason, by=cmd.actor.username, at=uow.clock.now())
        await uow.commit()
        return lead


async def _declined_at(uow: CourtUnitOfWork, lead: Lead) -> datetime | None:
    """When the police declined the lead's referral, if that is where the lead stands."""
    if lead.status is not LeadStatus.DECLINED or lead.live_referral_id is None:
        return None
    referral = await uow.referrals.get(lead.live_referral_id)
    return referral.declined_at if referral is not None else None


async def _close_debtor_window(uow: CourtUnitOfWork, lead: Lead, reason: str, actor: Principal) -> None:
    for window in await uow.deadlines.running(subject_type="lead", subject_id=lead.id, kind=Kind.DEBTOR_PERFORMANCE):
        await uow.deadlines.cancel(window.id, reason=reason, actor=actor.username)


async def serve_notice(cmd: commands.ServeNotice, uow: CourtUnitOfWork) -> Lead:
    """告知书 served: its number is the one given (a notice written before) or the court's next; the document is
    issued with the act, and the debtor's window starts."""
    async with uow:
        lead = await load_lead(uow, cmd.lead_id, cmd.actor)
        due_at = uow.deadlines.due_at(Kind.DEBTOR_PERFORMANCE, cmd.served_at)
        number = cmd.notice_number or await uow.document_number(kinds.COURT_NOTICE, lead.unit, scope=lead.court_code)
        lead.serve_notice(number=number, served_at=cmd.served_at, due_at=due_at, now=uow.clock.now())
        await _start_debtor_window(uow, lead, cmd.served_at, cmd.actor)
        await _issue_for_lead(uow, lead, court_documents.notice(lead, number, cmd.served_at, due_at))
        await uow.commit()
        return lead


async def _issue_for_lead(
    uow: CourtUnitOfWork,
    lead: Lead,
    draft: Draft,
    *,
    record_type: str = "lead",
    record_id: str | None = None,
    corrects: str | None = None,
) -> None:
    place = Placement("court", lead.unit, record_type, record_id or lead.id, correlation_id=lead.id)
    await uow.issue_document(draft, place, corrects=corrects)


async def correct_notice_service(cmd: commands.CorrectNoticeService, uow: CourtUnitOfWork) -> Lead:
    """A correction of the 告知书's service time is its own act, with its reason, kept in `corrections`; the
    debtor's window is counted again from the corrected time."""
    if not cmd.reason.strip():
        raise DomainError("a correction gives its reason", code="reason_required")
    async with uow:
        lead = await load_lead(uow, cmd.lead_id, cmd.actor)
        due_at = uow.deadlines.due_at(Kind.DEBTOR_PERFORMANCE, cmd.served_at)
        replaced = lead.correct_notice_service(served_at=cmd.served_at, due_at=due_at, now=uow.clock.now())
        await _close_debtor_window(uow, lead, f"service time corrected: {cmd.reason}", cmd.actor)
        await _start_debtor_window(uow, lead, cmd.served_at, cmd.actor)
        # the notice as corrected is a new document naming the one it corrects (documents are never changed)
        earlier = [d for d in await uow.documents_of("lead", lead.id) if d.kind == kinds.COURT_NOTICE.name]
        if earlier:
            number = await uow.document_number(kinds.COURT_NOTICE, lead.unit, scope=lead.court_code)
            draft = court_documents.notice(lead, number, cmd.served_at, due_at)
            draft = replace(draft, corrects=earlier[-1].number)
            await _issue_for_lead(uow, lead, draft, corrects=earlier[-1].id)
        await uow.record_correction(
            actor=cmd.actor.username,
            subject_type="lead",
            subject_id=lead.id,
            field="notice_served_at",
            old=replaced.isoformat(),
            new=cmd.served_at.isoformat(),
            reason=cmd.reason,
        )
        await uow.commit()
        return lead


async def _start_debtor_window(uow: CourtUnitOfWork, lead: Lead, served_at: datetime, actor: Principal) -> None:
    """The 告知书's window: the debtor has five days from service to perform."""
    await uow.deadlines.start(
        kind=Kind.DEBTOR_PERFORMANCE,
        subject_type="lead",
        subject_id=lead.id,
        correlation_id=lead.id,
        unit=lead.unit,
        started_at=served_at,
        actor=actor.username,
    )


async def start_filing_mirror(uow: CourtUnitOfWork, referral: Referral, actor: Principal | None = None) -> None:
    """The court's mirror of the police filing window, from the referral's sending (the police must accept it)."""
    await uow.deadlines.start(
        kind=Kind.POLICE_FILING_DECISION,
        subject_type="referral",
        subject_id=referral.id,
        correlation_id=referral.lead_id,
        unit=referral.court_unit,
        started_at=referral.submitted_at,
        actor=actor.username if actor else None,
    )


async def meet_debtor_window(uow: CourtUnitOfWork, lead: Lead, actor: Principal) -> None:
    """Paying in full, or signing a settlement, answers the 告知书."""
    performed_at = lead.performed_at if lead.status is LeadStatus.PERFORMED else lead.settled_at
    if lead.status in (LeadStatus.PERFORMED, LeadStatus.SETTLED) and performed_at is not None:
        await uow.deadlines.meet(
            kind=Kind.DEBTOR_PERFORMANCE,
            subject_type="lead",
            subject_id=lead.id,
            at=performed_at,
            actor=actor.username,
        )


async def record_payment(cmd: commands.RecordPayment, uow: CourtUnitOfWork) -> Lead:
    async with uow:
        lead = await load_lead(uow, cmd.lead_id, cmd.actor)
        now = uow.clock.now()
        lead.record_payment(cmd.amount, over_reason=cmd.over_reason, at=now)
        uow.payments.add(
            Payment(
                id=str(uuid.uuid4()),
                lead_id=lead.id,
                amount=cmd.amount,
                paid_on=cmd.paid_on,
                channel=cmd.channel,
                note=cmd.note,
                over_reason=cmd.over_reason,
                recorded_at=now,
                recorded_by=cmd.actor.username,
            )
        )
        await meet_debtor_window(uow, lead, cmd.actor)
        await uow.commit()
        return lead


async def record_settlement(cmd: commands.RecordSettlement, uow: CourtUnitOfWork) -> Lead:
    async with uow:
        lead = await load_lead(uow, cmd.lead_id, cmd.actor)
        now = uow.clock.now()
        lead.settle(paid_now=cmd.paid_now, instalments=cmd.instalments, at=now)
        uow.settlements.add(
            Settlement(
                id=str(uuid.uuid4()),
                lead_id=lead.id,
                signed_on=cmd.signed_on,
                paid_now=cmd.paid_now,
                instalments=tuple(cmd.instalments),
                note=cmd.note,
                recorded_at=now,
                recorded_by=cmd.actor.username,
            )
        )
        await meet_debtor_window(uow, lead, cmd.actor)
        await uow.commit()
        return lead


async def default_settlement(cmd: commands.DefaultSettlement, uow: CourtUnitOfWork) -> Lead:
    """The debtor did not keep the 和解协议: the settlement is marked defaulted and enforcement resumes."""
    async with uow:
        lead = await load_lead(uow, cmd.lead_id, cmd.actor)
        now = uow.clock.now()
        lead.default_settlement(reason=cmd.reason, at=now)
        for settlement in await uow.settlements.for_lead(lead.id):
            if settlement.defaulted_at is None:
                settlement.defaulted(reason=cmd.reason, at=now)
        await uow.commit()
        return lead


async def refer_lead(cmd: commands.ReferLead, uow: CourtUnitOfWork) -> Referral:
    if cmd.override_reason is not None and cmd.actor.role != CRIMINAL_JUDGE:
        raise Forbidden("only a criminal judge may override the conditions of a referral")
    async with uow:
        lead = await load_lead(uow, cmd.lead_id, cmd.actor)
        now = uow.clock.now()
        year = now.astimezone(SHANGHAI).year
        sequence = await uow.next_number(
            "referral_letter", lead.court_code, year, issued=lambda: uow.referrals.letters_issued(lead.court_code, year)
        )
        files = await uow.evidence.for_lead(lead.id)
        declined_at = await _declined_at(uow, lead)
        referral = lead.refer(
            referred_by=cmd.actor.username,
            at=now,
            letter_number=f"({year}){lead.court_code}执移{sequence}号",
            evidence=[e.manifest() for e in files],
            override_reason=cmd.override_reason,
            new_evidence_since_decline=declined_at is not None and any(e.uploaded_at > declined_at for e in files),
            missing_evidence=cmd.missing_evidence,
        )
        await _close_debtor_window(uow, lead, "referred before the debtor's window ended", cmd.actor)
        uow.referrals.add(referral)
        await start_filing_mirror(uow, referral, cmd.actor)
        letter = court_documents.referral_letter(lead, referral, [e.manifest() for e in files])
        await _issue_for_lead(uow, lead, letter, record_type="referral", record_id=referral.id)
        await uow.commit()
        return referral


async def withdraw_referral(cmd: commands.WithdrawReferral, uow: CourtUnitOfWork) -> Referral:
    async with uow:
        referral = await uow.referrals.get(cmd.referral_id, for_update=True)
        if referral is None:
            raise NotFound(f"no referral {cmd.referral_id}")
        _in_unit(cmd.actor, referral.court_unit, f"referral {referral.id}")
        referral.withdraw(reason=cmd.reason, by=cmd.actor.username, at=uow.clock.now())
        lead = await uow.leads.get(referral.lead_id, for_update=True)
        if lead is not None:
            lead.police_answered(ReferralStatus.WITHDRAWN)
        await _close_mirror(uow, referral.id, cmd.reason, cmd.actor.username)
        await uow.commit()
        return referral


async def request_supervision(cmd: commands.RequestSupervision, uow: CourtUnitOfWork) -> Referral:
    """提请立案监督, with the referral, the decline's reasons if any, and the evidence manifest."""
    async with uow:
        referral = await uow.referrals.get(cmd.referral_id, for_update=True)
        if referral is None:
            raise NotFound(f"no referral {cmd.referral_id}")
        _in_unit(cmd.actor, referral.court_unit, f"referral {referral.id}")
        lead = await load_lead(uow, referral.lead_id, cmd.actor)
        files = await uow.evidence.for_lead(lead.id)
        referral.request_supervision(
            request_id=str(uuid.uuid4()),
            reasons=cmd.reasons,
            filing_due_at=referral.filing_due_at
            or uow.deadlines.due_at(Kind.POLICE_FILING_DECISION, referral.submitted_at),
            lead=lead,
            evidence=tuple(e.manifest() for e in files),
            by=cmd.actor.username,
            at=uow.clock.now(),
        )
        await uow.commit()
        return referral


async def _close_mirror(uow: CourtUnitOfWork, referral_id: str, reason: str, actor: str) -> None:
    mirrors = await uow.deadlines.running(
        subject_type="referral", subject_id=referral_id, kind=Kind.POLICE_FILING_DECISION
    )
    for mirror in mirrors:
        await uow.deadlines.cancel(mirror.id, reason=reason, actor=actor)


async def record_publicity(cmd: commands.RecordPublicity, uow: CourtUnitOfWork) -> PublicityPiece:
    """宣传报道: a piece of publicity of the unit (about a matter, if it names one)."""
    _in_unit(cmd.actor, cmd.unit, f"unit {cmd.unit}")
    async with uow:
        if cmd.lead_id is not None:
            await load_lead(uow, cmd.lead_id, cmd.actor)
        piece = PublicityPiece(
            id=str(uuid.uuid4()),
            unit=cmd.unit,
            channel=Channel(cmd.channel),
            published_on=cmd.published_on,
            title=cmd.title,
            link=cmd.link,
            lead_id=cmd.lead_id,
            recorded_at=uow.clock.now(),
            recorded_by=cmd.actor.username,
        )
        uow.publicity.add(piece)
        await uow.commit()
        return piece


async def mark_typical_case(cmd: commands.MarkTypicalCase, uow: CourtUnitOfWork) -> TypicalCase:
    """典型案例: a matter marked with its summary, once."""
    async with uow:
        lead = await load_lead(uow, cmd.lead_id, cmd.actor)
        if await uow.typical_cases.get(lead.id) is not None:
            raise Conflict(f"lead {lead.id} is a typical case already", code="already_typical")
        typical = TypicalCase(
            lead_id=lead.id,
            unit=lead.unit,
            summary=cmd.summary,
            marked_on=uow.clock.now().astimezone(SHANGHAI).date(),
            marked_by=cmd.actor.username,
        )
        uow.typical_cases.add(typical)
        await uow.commit()
        return typical
