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


class EvidenceType(StrEnum):
    FUND_FLOW = "fund_flow"  # 资金流水
    WECHAT_TRANSFER = "wechat_transfer"  # 微信转账
    ALIPAY_TRANSFER = "alipay_transfer"  # 支付宝转账
    PROPERTY_TRANSACTION = "property_transaction"  # 房产交易
    EQUITY_CHANGE = "equity_change"  # 股权变更
    DIVORCE_ASSET_DIVISION = "divorce_asset_division"  # 离婚析产
    OTHER = "other"


class PartyKind(StrEnum):
    PERSON = "person"
    UNIT = "unit"


class SuspectRole(StrEnum):
    """Who may be charged with refusing to execute: Criminal Law Art. 313, its legislative interpretation, and
    法释〔2024〕13号 Art. 1."""

    DEBTOR = "debtor"  # 被执行人
    LEGAL_REPRESENTATIVE = "legal_representative"  # a unit debtor's 法定代表人 or person directly responsible
    HELPER = "helper"  # 帮助转移、隐匿财产的共犯
    GUARANTOR = "guarantor"  # 担保人
    ASSISTING_PARTY = "assisting_party"  # 协助执行义务人


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
