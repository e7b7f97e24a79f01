"""Enforcement cases (执行案件) as the court imports them for screening."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from liandong.contracts.common import PartyKind, SuspectRole
from liandong.errors import DomainError
from liandong.units import court_code_of
from liandong_court.domain.rules import CENT, normalize_case_number, validate_case_number
from liandong_court.domain.values import Suspect


class ClosureType(StrEnum):
    TERMINATED = "terminated"  # 终结本次执行程序 (终本): closed without full satisfaction
    CONCLUDED = "concluded"  # 执行完毕
    ONGOING = "ongoing"


class FocusCategory(StrEnum):
    LIVELIHOOD = "livelihood"  # 涉民生
    ENTERPRISE = "enterprise"  # 涉企
    PETITION = "petition"  # 涉信访
    FINANCE = "finance"  # 涉金融


class EnforcementCase:
    """执行案件: an enforcement case with its creditor, debtors and what is still owed."""

    events: list[Any]

    def __init__(
        self,
        *,
        id: str,
        unit: str,
        case_number: str,
        creditor: str,
        debtors: list[dict[str, Any]],
        amount_owed: Decimal,
        amount_paid: Decimal,
        closure_type: ClosureType,
        closure_date: date | None,
        focus_categories: list[str],
        imported_at: datetime,
        imported_by: str,
    ) -> None:
        court_code = court_code_of(unit)
        if court_code is None:
            raise DomainError(f"unit {unit} is not a court of Xianning", code="unknown_unit")
        case_number = normalize_case_number(case_number)
        validate_case_number(case_number, court_code)
        if not debtors:
            raise DomainError("an enforcement case names its debtors", code="no_debtor")
        for debtor in debtors:
            if debtor.get("kind") == "person" and not debtor.get("id_number"):
                raise DomainError(f"debtor {debtor.get('name')} is a person without an ID number", code="no_id_number")
            if debtor.get("kind") == "unit" and not debtor.get("legal_representative"):
                raise DomainError(
                    f"debtor {debtor.get('name')} is a unit without a legal representative", code="no_representative"
                )
        if amount_paid > amount_owed:
            raise DomainError("amount_paid is larger than amount_owed", code="paid_exceeds_owed")
        if closure_type is ClosureType.TERMINATED and closure_date is None:
            raise DomainError("a 终本 case has its closure date", code="no_closure_date")
        self.id = id
        self.unit = unit
        self.court_code = court_code
        self.case_number = case_number
        self.creditor = creditor
        self.debtors = debtors
        self.amount_owed = amount_owed.quantize(CENT)
        self.amount_paid = amount_paid.quantize(CENT)
        self.closure_type = closure_type
        self.closure_date = closure_date
        self.focus_categories = sorted(set(focus_categories))
        self.imported_at = imported_at
        self.imported_by = imported_by
        self.events = []

    @property
    def unpaid(self) -> Decimal:
        return self.amount_owed - self.amount_paid

    def suspects(self) -> list[Suspect]:
        """The debtors as a lead's suspects, with the legal representatives of unit debtors."""
        suspects: list[Suspect] = []
        for debtor in self.debtors:
            suspects.append(
                Suspect(
                    name=debtor["name"],
                    kind=debtor["kind"],
                    role=SuspectRole.DEBTOR,
                    id_number=debtor.get("id_number"),
                )
            )
            if debtor.get("legal_representative"):
                suspects.append(
                    Suspect(
                        name=debtor["legal_representative"],
                        kind=PartyKind.PERSON,
                        role=SuspectRole.LEGAL_REPRESENTATIVE,
                        id_number=debtor.get("legal_representative_id_number"),
                    )
                )
        return suspects
