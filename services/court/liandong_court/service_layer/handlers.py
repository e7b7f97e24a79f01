"""Command handlers of the court: each runs in one unit of work and commits once."""

from __future__ import annotations

import uuid

from liandong.clock import Clock
from liandong.errors import Forbidden, NotFound
from liandong.units import can_see
from liandong_court.domain.model import Lead, Referral
from liandong_court.service_layer import commands
from liandong_court.service_layer.unit_of_work import CourtUnitOfWork


async def create_lead(cmd: commands.CreateLead, uow: CourtUnitOfWork, clock: Clock) -> Lead:
    if not can_see(cmd.actor.unit, cmd.unit):
        raise Forbidden(f"your unit {cmd.actor.unit} cannot create leads for unit {cmd.unit}")
    async with uow:
        lead = Lead(
            id=str(uuid.uuid4()),
            unit=cmd.unit,
            enforcement_case_number=cmd.enforcement_case_number,
            source=cmd.source,
            suspects=cmd.suspects,
            amount_owed=cmd.amount_owed,
            amount_paid=cmd.amount_paid,
            summary=cmd.summary,
            created_at=clock.now(),
            created_by=cmd.actor.username,
        )
        uow.leads.add(lead)
        await uow.commit()
        return lead


async def refer_lead(cmd: commands.ReferLead, uow: CourtUnitOfWork, clock: Clock) -> Referral:
    async with uow:
        lead = await uow.leads.get(cmd.lead_id, for_update=True)
        if lead is None:
            raise NotFound(f"no lead {cmd.lead_id}")
        if not can_see(cmd.actor.unit, lead.unit):
            raise Forbidden(f"lead {lead.id} belongs to unit {lead.unit}")
        referral = lead.refer(referred_by=cmd.actor.username, at=clock.now())
        uow.referrals.add(referral)
        await uow.commit()
        return referral
