"""Command handlers of the police: each runs in one unit of work and commits once."""

from __future__ import annotations

from liandong.clock import Clock
from liandong.errors import Forbidden, NotFound
from liandong.units import can_see
from liandong_police.domain.model import SHANGHAI, Referral
from liandong_police.service_layer import commands
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork


async def register_referral(cmd: commands.RegisterReferral, uow: PoliceUnitOfWork, clock: Clock) -> Referral:
    async with uow:
        referral = await uow.referrals.get(cmd.referral_id, for_update=True)
        if referral is None:
            raise NotFound(f"no referral {cmd.referral_id}")
        if not can_see(cmd.actor.unit, referral.police_unit):
            raise Forbidden(f"referral {referral.id} is for the bureau of unit {referral.police_unit}")
        now = clock.now()
        sequence = await uow.referrals.next_receipt_sequence(referral.police_unit, now.astimezone(SHANGHAI).year)
        referral.register(by=cmd.actor.username, at=now, sequence=sequence)
        await uow.commit()
        return referral
