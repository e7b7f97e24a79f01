"""Value objects of the court's domain: who is suspected, what is owed when, what a file of evidence is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from liandong.contracts.common import PartyKind, SuspectRole
from liandong.errors import DomainError
from liandong_court.domain.rules import CENT


@dataclass(frozen=True)
class Suspect:
    """犯罪嫌疑人 named in a lead: the debtor, a unit debtor's legal representative, or a helper."""

    name: str
    kind: PartyKind
    role: SuspectRole
    id_number: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise DomainError("a suspect has a name", code="invalid_suspect")
        object.__setattr__(self, "kind", PartyKind(self.kind))
        object.__setattr__(self, "role", SuspectRole(self.role))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind.value, "role": self.role.value, "id_number": self.id_number}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Suspect:
        return cls(name=value["name"], kind=value["kind"], role=value["role"], id_number=value.get("id_number"))


@dataclass(frozen=True)
class Instalment:
    """One instalment of a 和解协议: what is due on which day."""

    due_on: date
    amount: Decimal

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise DomainError("an instalment is a positive amount", code="invalid_amount")
        object.__setattr__(self, "amount", Decimal(self.amount).quantize(CENT))

    def to_json(self) -> dict[str, Any]:
        return {"due_on": self.due_on.isoformat(), "amount": str(self.amount)}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Instalment:
        return cls(due_on=date.fromisoformat(value["due_on"]), amount=Decimal(value["amount"]))


COERCIVE_MEASURES = ("fine", "detention", "consumption_restriction", "dishonest_list", "other")


@dataclass(frozen=True)
class CoerciveMeasure:
    """A coercive measure already taken in the enforcement (罚款, 拘留, 限制消费, 失信名单…), which the referral
    reports."""

    kind: str
    decided_on: date
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in COERCIVE_MEASURES:
            raise DomainError(f"{self.kind!r} is not one of {', '.join(COERCIVE_MEASURES)}", code="invalid_measure")

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "decided_on": self.decided_on.isoformat(), "note": self.note}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> CoerciveMeasure:
        return cls(kind=value["kind"], decided_on=date.fromisoformat(value["decided_on"]), note=value.get("note", ""))


@dataclass(frozen=True)
class EvidenceFile:
    """An evidence file as a referral lists it: the police fetch its content from the court by the digest."""

    sha256: str
    evidence_class: str
    evidence_type: str
    filename: str
    size_bytes: int
    content_type: str
