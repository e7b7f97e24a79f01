"""Court referrals as the police hold them (移送案件), from arrival to registration."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from liandong.errors import Conflict
from liandong_police.domain import events

SHANGHAI = ZoneInfo("Asia/Shanghai")


class ReferralStatus(StrEnum):
    AWAITING_REGISTRATION = "awaiting_registration"
    REGISTERED = "registered"


def receipt_number(unit: str, year: int, sequence: int) -> str:
    """受案回执 number in the bureau's register, e.g. 421222公受〔2025〕00012号."""
    return f"{unit}公受〔{year}〕{sequence:05d}号"


class Referral:
    """A referral from the court, waiting in the bureau's inbox until an investigator registers it."""

    events: list[Any]

    def __init__(
        self,
        *,
        id: str,
        lead_id: str,
        court_code: str,
        court_unit: str,
        police_unit: str,
        enforcement_case_number: str,
        enforcement_summary: str,
        amount_owed: Decimal,
        amount_paid: Decimal,
        suspects: list[dict[str, Any]],
        evidence: list[dict[str, Any]],
        submitted_at: datetime,
        arrived_at: datetime,
    ) -> None:
        self.id = id
        self.lead_id = lead_id
        self.court_code = court_code
        self.court_unit = court_unit
        self.police_unit = police_unit
        self.enforcement_case_number = enforcement_case_number
        self.enforcement_summary = enforcement_summary
        self.amount_owed = amount_owed
        self.amount_paid = amount_paid
        self.suspects = suspects
        self.evidence = evidence
        self.submitted_at = submitted_at
        self.arrived_at = arrived_at
        self.status = ReferralStatus.AWAITING_REGISTRATION
        self.registered_at: datetime | None = None
        self.registered_by: str | None = None
        self.receipt_number: str | None = None
        self.events = []

    def register(self, *, by: str, at: datetime, sequence: int) -> None:
        """受案登记: register the referral and issue the receipt the court is waiting for."""
        if self.status is not ReferralStatus.AWAITING_REGISTRATION:
            raise Conflict(
                f"referral {self.id} is already registered ({self.receipt_number})", code="already_registered"
            )
        self.status = ReferralStatus.REGISTERED
        self.registered_at = at
        self.registered_by = by
        self.receipt_number = receipt_number(self.police_unit, at.astimezone(SHANGHAI).year, sequence)
        self.events.append(
            events.ReferralRegistered(
                referral_id=self.id,
                lead_id=self.lead_id,
                police_unit=self.police_unit,
                receipt_number=self.receipt_number,
                registered_by=by,
                occurred_at=at,
            )
        )
