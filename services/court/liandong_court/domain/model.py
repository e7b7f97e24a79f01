"""Leads (拒执线索) and referrals (案件移送) as the court holds them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from liandong.errors import Conflict, DomainError
from liandong.units import COUNTIES
from liandong_court.domain import events

CENT = Decimal("0.01")
ENFORCEMENT_CASE_NUMBER = re.compile(r"^\((?P<year>\d{4})\)鄂(?P<court>\d{2,4})执(恢|异|复)?(?P<seq>\d{1,6})号$")


class LeadSource(StrEnum):
    CASE_SCREENING = "case_screening"
    PUBLIC_TIP = "public_tip"


class LeadStatus(StrEnum):
    OPEN = "open"
    REFERRED = "referred"
    RECEIVED_BY_POLICE = "received_by_police"


class ReferralStatus(StrEnum):
    SUBMITTED = "submitted"
    RECEIVED = "received"


@dataclass
class Party:
    name: str
    kind: str  # person | unit
    role: str  # debtor | legal_representative | helper
    id_number: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "role": self.role, "id_number": self.id_number}


def validate_case_number(case_number: str, court_code: str) -> None:
    match = ENFORCEMENT_CASE_NUMBER.match(case_number)
    if match is None:
        raise DomainError(
            f"{case_number!r} is not an enforcement case number like (2024)鄂1222执123号",
            code="invalid_case_number",
        )
    if f"鄂{match['court']}" != court_code:
        raise DomainError(
            f"case {case_number} belongs to court 鄂{match['court']}, not {court_code}", code="case_of_other_court"
        )


class Lead:
    """拒执线索: a debtor suspected of refusing to execute a judgment, in the court's dynamic lead database."""

    events: list[Any]

    def __init__(
        self,
        *,
        id: str,
        unit: str,
        enforcement_case_number: str,
        source: LeadSource,
        suspects: list[dict[str, Any]],
        amount_owed: Decimal,
        amount_paid: Decimal,
        summary: str,
        created_at: datetime,
        created_by: str,
    ) -> None:
        county = COUNTIES.get(unit)
        if county is None:
            raise DomainError(f"unit {unit} is not a county court of Xianning", code="unknown_unit")
        validate_case_number(enforcement_case_number, county.court_code)
        if amount_paid > amount_owed:
            raise DomainError("amount_paid is larger than amount_owed", code="paid_exceeds_owed")
        if not any(s["role"] == "debtor" for s in suspects):
            raise DomainError("a lead names at least one debtor among its suspects", code="no_debtor")
        self.id = id
        self.unit = unit
        self.court_code = county.court_code
        self.enforcement_case_number = enforcement_case_number
        self.source = source
        self.suspects = suspects
        self.amount_owed = amount_owed.quantize(CENT)
        self.amount_paid = amount_paid.quantize(CENT)
        self.summary = summary
        self.status = LeadStatus.OPEN
        self.created_at = created_at
        self.created_by = created_by
        self.events = []

    def refer(self, *, referred_by: str, at: datetime) -> Referral:
        """Refer the lead to the police of the court's county (one live referral at a time)."""
        if self.status is not LeadStatus.OPEN:
            raise Conflict(
                f"lead {self.id} is {self.status.value}; only an open lead can be referred", code="lead_not_referable"
            )
        referral = Referral(
            id=str(uuid.uuid4()),
            lead_id=self.id,
            court_unit=self.unit,
            police_unit=self.unit,
            submitted_at=at,
            submitted_by=referred_by,
        )
        self.status = LeadStatus.REFERRED
        referral.events.append(
            events.ReferralSubmitted(
                referral_id=referral.id,
                lead_id=self.id,
                court_code=self.court_code,
                court_unit=self.unit,
                police_unit=referral.police_unit,
                enforcement_case_number=self.enforcement_case_number,
                summary=self.summary,
                amount_owed=self.amount_owed,
                amount_paid=self.amount_paid,
                suspects=tuple(self.suspects),
                submitted_by=referred_by,
                occurred_at=at,
            )
        )
        return referral

    def police_received(self) -> None:
        if self.status is LeadStatus.REFERRED:
            self.status = LeadStatus.RECEIVED_BY_POLICE


class Referral:
    """案件移送: the court's referral of one lead to one police bureau, and what the police answered."""

    events: list[Any]

    def __init__(
        self, *, id: str, lead_id: str, court_unit: str, police_unit: str, submitted_at: datetime, submitted_by: str
    ) -> None:
        self.id = id
        self.lead_id = lead_id
        self.court_unit = court_unit
        self.police_unit = police_unit
        self.status = ReferralStatus.SUBMITTED
        self.submitted_at = submitted_at
        self.submitted_by = submitted_by
        self.received_at: datetime | None = None
        self.receipt_number: str | None = None
        self.received_by: str | None = None
        self.events = []

    def record_receipt(self, *, receipt_number: str, received_at: datetime, received_by: str) -> bool:
        """Apply the police receipt. Returns False when it was already recorded (a stale repeat)."""
        if self.status is ReferralStatus.RECEIVED:
            return False
        self.status = ReferralStatus.RECEIVED
        self.received_at = received_at
        self.receipt_number = receipt_number
        self.received_by = received_by
        self.events.append(events.PoliceReceiptRecorded(self.id, self.lead_id, received_at))
        return True
