"""The bureau's answers to the procuratorate's supervision (立案监督): reasons for not filing (7 days from the
demand's arrival, police_explain_non_filing) and filing as notified (15 days from the notice's arrival,
police_file_after_notice). A co-offender's filing opens a new case in the same matter."""

from __future__ import annotations

import uuid
from datetime import datetime

from liandong.errors import DomainError, Forbidden, NotFound
from liandong.security import Principal
from liandong.sla.kinds import NOTICE_SUBJECT, NOTICE_WINDOWS
from liandong.units import can_see
from liandong_police.domain.cases import Case, suspects_from_filing
from liandong_police.domain.supervision import SupervisionNotice
from liandong_police.service_layer import commands
from liandong_police.service_layer.handlers import case_number_for, file_referral, open_case
from liandong_police.service_layer.roles import BUREAU_HEAD
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork


async def load_notice(
    uow: PoliceUnitOfWork, notice_id: str, actor: Principal, *, for_update: bool = True
) -> SupervisionNotice:
    notice = await uow.notices.get(notice_id, for_update=for_update)
    if notice is None:
        raise NotFound(f"no supervision notice {notice_id}")
    if not can_see(actor.unit, notice.police_unit):
        raise Forbidden(f"notice {notice_id} is for the bureau of unit {notice.police_unit}")
    return notice


async def _meet(uow: PoliceUnitOfWork, notice: SupervisionNotice, actor: Principal) -> None:
    await uow.deadlines.meet(
        kind=NOTICE_WINDOWS[notice.kind],
        subject_type=NOTICE_SUBJECT,
        subject_id=notice.id,
        at=uow.clock.now(),
        actor=actor.username,
    )


async def give_explanation(cmd: commands.GiveExplanation, uow: PoliceUnitOfWork) -> SupervisionNotice:
    async with uow:
        notice = await load_notice(uow, cmd.notice_id, cmd.actor)
        notice.give_explanation(cmd.explanation, by=cmd.actor.username, at=uow.clock.now())
        await _meet(uow, notice, cmd.actor)
        await uow.commit()
        return notice


async def file_as_notified(cmd: commands.FileAsNotified, uow: PoliceUnitOfWork) -> SupervisionNotice:
    """立案 on a 通知立案书, approved by a head of the bureau (MPS Rules Art. 178), with a copy of the decision back."""
    if cmd.actor.role != BUREAU_HEAD:
        raise Forbidden("a filing is approved by a head of the bureau (县级以上公安机关负责人)")
    async with uow:
        notice = await load_notice(uow, cmd.notice_id, cmd.actor)
        notice.check_filing()
        now = uow.clock.now()
        if notice.co_offender is not None:
            case = await _co_offender_case(uow, notice, cmd.case_number, cmd.actor, now)
        else:
            if notice.referral_id is None:
                raise DomainError(f"notice {notice.document_number} names no referral", code="no_referral")
            referral = await uow.referrals.get(notice.referral_id, for_update=True)
            if referral is None:
                raise NotFound(f"no referral {notice.referral_id}")
            case = await file_referral(uow, referral, referral.suspects, cmd.case_number, cmd.actor, on_notice=True)
        notice.complied(
            case_id=case.id, case_number=case.case_number, suspects=case.suspects, by=cmd.actor.username, at=now
        )
        await _meet(uow, notice, cmd.actor)
        await uow.commit()
        return notice


async def _co_offender_case(
    uow: PoliceUnitOfWork, notice: SupervisionNotice, number: str | None, head: Principal, now: datetime
) -> Case:
    """A new case in the same matter against the co-offender the notice names, opened at the instant of the filing
    (one act: the filing on the notice)."""
    person = notice.co_offender or {}
    number = await case_number_for(uow, number, notice.police_unit, now)
    suspect = {k: person.get(k) for k in ("name", "kind", "role", "id_number")}
    case = Case.open(
        id=str(uuid.uuid4()),
        referral_id=None,
        correlation_id=notice.correlation_id,
        police_unit=notice.police_unit,
        case_number=number,
        suspects=suspects_from_filing([suspect]),
        by=head.username,
        at=now,
    )
    return await open_case(uow, case, head)
