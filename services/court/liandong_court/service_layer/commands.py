"""Commands (imperative): what court staff ask the service to do."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from liandong.security import Principal
from liandong_court.domain.model import LeadSource


@dataclass(frozen=True)
class CreateLead:
    actor: Principal
    unit: str
    enforcement_case_number: str
    source: LeadSource
    suspects: list[dict[str, Any]]
    amount_owed: Decimal
    amount_paid: Decimal
    summary: str


@dataclass(frozen=True)
class ReferLead:
    actor: Principal
    lead_id: str
