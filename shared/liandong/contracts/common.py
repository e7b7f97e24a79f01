"""Value types several contracts share."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Money = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
CountyCode = Annotated[str, Field(pattern=r"^4212\d\d$")]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class EvidenceClass(StrEnum):
    """The five classes of proof a 拒执 referral must cover."""

    IDENTITY = "identity"
    DUTY = "duty"
    ABILITY_TO_PERFORM = "ability_to_perform"
    REFUSAL = "refusal"
    AGGRAVATING = "aggravating"


class PartyKind(StrEnum):
    PERSON = "person"
    UNIT = "unit"


class SuspectRole(StrEnum):
    DEBTOR = "debtor"
    LEGAL_REPRESENTATIVE = "legal_representative"
    HELPER = "helper"


class Suspect(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    kind: PartyKind
    role: SuspectRole
    id_number: str | None = Field(default=None, max_length=32)


class EvidenceRef(BaseModel):
    """An evidence file by claim check: the police fetch the content from the court by its digest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: Sha256
    evidence_class: EvidenceClass
    evidence_type: str = Field(min_length=1, max_length=64)
    filename: str = Field(min_length=1, max_length=255)
    size_bytes: int = Field(ge=0)
    content_type: str = Field(min_length=1, max_length=128)
