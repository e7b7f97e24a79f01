"""Command handlers of the police: each runs in one unit of work and commits once.

The filing window (police_filing_decision) starts at registration and is met by the decision; a decline starts the
window to serve the notice on the court (police_non_filing_notice); filing starts the investigation window.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from liandong.errors import DomainError, Forbidden, NotFound
from liandong.runtime import Runtime
from liandong.security import Principal
from liandong.units import can_see
from liandong_police.domain.model import SHANGHAI, Referral, case_number
from liandong_police.service_layer import commands
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork

FILING_WINDOW = "police_filing_decision"
NOTICE_WINDOW = "police_non_filing_notice"
INVESTIGATION_WINDOW = "police_investigation"
EXTENDED_FILING_DAYS = 30


async def _referral(uow: PoliceUnitOfWork, referral_id: str, actor: Principal) -> Referral:
    referral = await uow.referrals.get(referral_id, for_update=True)
    if referral is None:
        raise NotFound(f"no referral {referral_id}")
    if not can_see(actor.unit, referral.police_unit):
        raise Forbidden(f"referral {referral.id} is for the bureau of unit {referral.police_unit}")
    return referral


async def _start(
    runtime: Runtime,
    uow: PoliceUnitOfWork,
    kind: str,
    subject: tuple[str, str],
    referral: Referral,
    at: datetime,
    actor: Principal,
) -> None:
    await runtime.deadlines.start(
        uow,
        kind_name=kind,
        subject_type=subject[0],
        subject_id=subject[1],
        correlation_id=referral.lead_id,
        unit=referral.police_unit,
        started_at=at,
        actor=actor.username,
    )


async def _meet(
    runtime: Runtime, uow: PoliceUnitOfWork, kind: str, referral: Referral, at: datetime, actor: Principal
) -> None:
    await runtime.deadlines.meet_subject(
        uow, kind_name=kind, subject_type="referral", subject_id=referral.id, at=at, actor=actor.username
    )


async def register_referral(cmd: commands.RegisterReferral, uow: PoliceUnitOfWork, runtime: Runtime) -> Referral:
    async with uow:
        referral = await _referral(uow, cmd.referral_id, cmd.actor)
        now = runtime.clock.now()
        sequence = await uow.referrals.next_receipt_sequence(referral.police_unit, now.astimezone(SHANGHAI).year)
        referral.register(by=cmd.actor.username, at=now, sequence=sequence)
        await _start(runtime, uow, FILING_WINDOW, ("referral", referral.id), referral, now, cmd.actor)
        await uow.commit()
        return referral


async def file_case(cmd: commands.FileCase, uow: PoliceUnitOfWork, runtime: Runtime) -> Referral:
    async with uow:
        referral = await _referral(uow, cmd.referral_id, cmd.actor)
        now = runtime.clock.now()
        suspects = referral.suspects
        if cmd.suspect_names is not None:
            known = {s["name"]: s for s in referral.suspects}
            unknown = [n for n in cmd.suspect_names if n not in known]
            if unknown:
                raise DomainError(f"{unknown} are not suspects named in the referral", code="unknown_suspects")
            suspects = [known[n] for n in cmd.suspect_names]
        number = cmd.case_number
        if number is None:
            year = now.astimezone(SHANGHAI).year
            number = case_number(
                referral.police_unit, year, await uow.referrals.next_case_sequence(referral.police_unit, year)
            )
        referral.file(case_id=str(uuid.uuid4()), number=number, suspects=suspects, by=cmd.actor.username, at=now)
        await _meet(runtime, uow, FILING_WINDOW, referral, now, cmd.actor)
        await _start(runtime, uow, INVESTIGATION_WINDOW, ("case", referral.case_id or ""), referral, now, cmd.actor)
        await uow.commit()
        return referral


async def decline_filing(cmd: commands.DeclineFiling, uow: PoliceUnitOfWork, runtime: Runtime) -> Referral:
    async with uow:
        referral = await _referral(uow, cmd.referral_id, cmd.actor)
        now = runtime.clock.now()
        referral.decline(reasons=cmd.reasons, by=cmd.actor.username, at=now)
        await _meet(runtime, uow, FILING_WINDOW, referral, now, cmd.actor)
        await _start(runtime, uow, NOTICE_WINDOW, ("referral", referral.id), referral, now, cmd.actor)
        await uow.commit()
        return referral


async def serve_decline(cmd: commands.ServeDecline, uow: PoliceUnitOfWork, runtime: Runtime) -> Referral:
    async with uow:
        referral = await _referral(uow, cmd.referral_id, cmd.actor)
        at = cmd.served_at or runtime.clock.now()
        referral.serve_decline(at=at)
        await _meet(runtime, uow, NOTICE_WINDOW, referral, at, cmd.actor)
        await uow.commit()
        return referral


async def extend_filing_window(cmd: commands.ExtendFilingWindow, uow: PoliceUnitOfWork, runtime: Runtime) -> Referral:
    """重大、复杂: the filing window goes to 30 days, approved by the supervisor making the request."""
    async with uow:
        referral = await _referral(uow, cmd.referral_id, cmd.actor)
        rows = await runtime.deadlines.open_for(
            uow, subject_type="referral", subject_id=referral.id, kind_name=FILING_WINDOW
        )
        if not rows:
            raise DomainError(f"referral {referral.id} has no running filing window", code="no_running_window")
        await runtime.deadlines.extend(
            uow,
            rows[0].id,
            approver=cmd.actor.username,
            reason=cmd.reason,
            window=EXTENDED_FILING_DAYS,
            actor=cmd.actor.username,
        )
        extended = await runtime.deadlines.get(uow, rows[0].id)
        referral.extend(
            window_days=EXTENDED_FILING_DAYS,
            due_at=extended.due_at,
            approver=cmd.actor.username,
            reason=cmd.reason,
            at=runtime.clock.now(),
        )
        await uow.commit()
        return referral
